/**
 * Coalesces concurrent ticket registrations into batches (group commit): each request waits
 * while the batch before it is written, then goes with everything that arrived meanwhile in
 * one set of multi-row statements. Per-statement costs (a round trip, a commit, a row lock
 * on the day's number counter) are paid once per batch instead of once per ticket, which is
 * what lets filing keep up with PostgreSQL's single-row insert rate. A lone request is not
 * delayed: it is flushed on the next turn of the event loop.
 */

/** Outcome of one item of a batch: its value, or the error only that item gets. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export class RegistrationBatcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Writes a batch; answers one result per item, in order. A throw fails every item with it. */
    private readonly flush: (items: I[]) => Promise<ItemResult<O>[]>,
    /** Batches written at once: the second overlaps the first's round trips with its own work. */
    private readonly maxInFlight = 2,
    private readonly maxBatch = 200,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    // setImmediate: requests parsed in the same turn of the loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    try {
      const results = await this.flush(batch.map((b) => b.item));
      batch.forEach((b, i) => {
        const r = results[i];
        if (!r) b.reject(new Error('registration batch answered fewer items than it was given'));
        else if (r.ok) b.resolve(r.value);
        else b.reject(r.error);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
