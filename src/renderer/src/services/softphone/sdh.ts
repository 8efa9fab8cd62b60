/**
 * sip.js's browser SessionDescriptionHandler plus what it lacks: rolling back an unanswered
 * offer (without it a re-INVITE that is refused — 491 glare, 488, timeout — leaves the
 * RTCPeerConnection in have-local-offer and every later hold/resume/refresh fails), and a
 * public way to swap the microphone that keeps its local stream in step.
 */
import { Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js';

export class HotlineSessionDescriptionHandler extends Web.SessionDescriptionHandler {
  /**
   * Swaps the microphone mid-call (RTCRtpSender.replaceTrack, no renegotiation); the old track
   * is stopped. sip.js moves the new track into the same local stream with addTrack, which
   * fires no event (only the browser's own changes do), so we announce it: whoever taps the
   * local stream (call recording, a supervisor's mix) listens for `addtrack` and re-reads it.
   */
  async replaceMicrophone(stream: MediaStream): Promise<void> {
    await this.setLocalMediaStream(stream);
    const local = this.localMediaStream;
    for (const track of local.getAudioTracks()) local.dispatchEvent(new MediaStreamTrackEvent('addtrack', { track }));
  }

  async rollbackDescription(): Promise<void> {
    const pc = this.peerConnection;
    if (!pc) return;
    if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
    else if (pc.signalingState === 'have-remote-offer') await pc.setRemoteDescription({ type: 'rollback' });
  }
}

export interface SdhSettings {
  iceServers: RTCIceServer[];
  iceGatheringTimeoutMs: number;
  mediaStreamFactory: Web.MediaStreamFactory;
  /**
   * What a particular session sends instead of the microphone (the agent's side of a
   * monitoring leg sends a WebAudio mix of caller and agent); undefined = the microphone.
   */
  streamFor?: (session: Session) => Web.MediaStreamFactory | undefined;
}

export function sessionDescriptionHandlerFactory(s: SdhSettings): SessionDescriptionHandlerFactory {
  return (session) =>
    new HotlineSessionDescriptionHandler(session.userAgent.getLogger('sip.SessionDescriptionHandler'), s.streamFor?.(session) ?? s.mediaStreamFactory, {
      iceGatheringTimeout: s.iceGatheringTimeoutMs,
      // Never sip.js's default (Google's public STUN): on a LAN the list is usually empty.
      peerConnectionConfiguration: {
        iceServers: s.iceServers,
        bundlePolicy: 'balanced',
        rtcpMuxPolicy: 'require',
        iceTransportPolicy: 'all',
      },
    });
}
