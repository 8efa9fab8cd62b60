/**
 * Audio on a call besides the caller and the agent: a supervisor's voice while whispering
 * (the agent hears it) or barging in (everyone does). The monitoring leg adds the supervisor's
 * stream while that lasts and removes it after; the call's recording mixes whatever is here,
 * so the recording holds what the agent heard and said. One per call.
 */
export type CallSideAudioWatcher = (stream: MediaStream, present: boolean) => void;

export class CallSideAudio {
  private readonly streams = new Set<MediaStream>();
  private readonly watchers = new Set<CallSideAudioWatcher>();

  add(stream: MediaStream): void {
    if (this.streams.has(stream)) return;
    this.streams.add(stream);
    for (const w of [...this.watchers]) w(stream, true);
  }

  remove(stream: MediaStream): void {
    if (!this.streams.delete(stream)) return;
    for (const w of [...this.watchers]) w(stream, false);
  }

  current(): MediaStream[] {
    return [...this.streams];
  }

  /** Sees every later add and remove (not the streams already here: read `current()`); returns the unsubscribe. */
  watch(w: CallSideAudioWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }
}
