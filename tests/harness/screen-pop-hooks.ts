/**
 * The console's screen-pop hooks as tests and benches see them in a page
 * (src/renderer/src/features/agent-console/screen-pop/IncomingCallView.tsx writes them).
 */
export {};

declare global {
  interface Window {
    __screenPop?: {
      /** One per call whose view was painted with the caller's history. */
      painted: { key: string; callId: string | null; number: string; at: number; epochMs: number }[];
      /** When each acd:offered reached the console (epoch ms). */
      offered?: { callId: string; epochMs: number }[];
    };
  }
}
