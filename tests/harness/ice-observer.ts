/**
 * Watching a page's WebRTC from the outside (tests only): wraps the page's RTCPeerConnection
 * so the test can read each call's ICE credentials and candidate ports, and notes every
 * offer created with iceRestart together with the connection state at that moment (why the
 * restart happened: `connected` = before ICE itself noticed anything).
 */
import type { Page } from 'playwright-core';

export interface IceView {
  connectionState: string;
  iceGatheringState: string;
  localUfrag: string | null;
  remoteUfrag: string | null;
  /** UDP ports of all local candidates gathered so far (every ICE generation). */
  localPorts: number[];
}

/** Call before the call starts: peer connections created earlier are not seen. */
export async function observePeerConnections(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __pcs?: RTCPeerConnection[]; __iceRestarts?: string[] };
    if (w.__pcs) return;
    const pcs: RTCPeerConnection[] = (w.__pcs = []);
    const restarts: string[] = (w.__iceRestarts = []);
    const Native = window.RTCPeerConnection;
    const nativeCreateOffer = Native.prototype.createOffer as (...args: unknown[]) => Promise<RTCSessionDescriptionInit>;
    Native.prototype.createOffer = function (this: RTCPeerConnection, ...args: unknown[]) {
      const options = args[0] as RTCOfferOptions | undefined;
      if (options && typeof options === 'object' && options.iceRestart) restarts.push(this.connectionState);
      return nativeCreateOffer.apply(this, args);
    } as RTCPeerConnection['createOffer'];
    class Observed extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.push(this as RTCPeerConnection);
      }
    }
    window.RTCPeerConnection = Observed as typeof RTCPeerConnection;
  });
}

/** The newest peer connection's ICE view. */
export async function iceView(page: Page): Promise<IceView> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const pc = pcs[pcs.length - 1];
    if (!pc) throw new Error('no peer connection observed');
    const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? null;
    const localPorts: number[] = [];
    (await pc.getStats()).forEach((r: { type: string; port?: number; protocol?: string }) => {
      if (r.type === 'local-candidate' && r.protocol === 'udp' && r.port) localPorts.push(r.port);
    });
    return { connectionState: pc.connectionState, iceGatheringState: pc.iceGatheringState, localUfrag: ufrag(pc.localDescription?.sdp), remoteUfrag: ufrag(pc.remoteDescription?.sdp), localPorts };
  });
}

/** Connection states at which this page created ICE-restart offers, oldest first. */
export async function iceRestarts(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as unknown as { __iceRestarts?: string[] }).__iceRestarts ?? [])]);
}
