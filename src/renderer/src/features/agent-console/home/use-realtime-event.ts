/**
 * Subscribes a component to a realtime push for as long as it is mounted, on whichever
 * socket is current (the connection is replaced at sign-in; the listener follows it).
 */
import { useEffect, useRef } from 'react';
import type { ServerToClientEvents } from '../../../../../shared/realtime.js';
import { realtimeSocket } from '../../../services/realtime';
import { useConnectionStore } from '../../../stores/connection-store';

export function useRealtimeEvent<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    let socket = realtimeSocket();
    // Socket.IO's typed emitter wants the exact listener type; the wrapper forwards every argument.
    const listener = ((...args: unknown[]) => (latest.current as (...a: unknown[]) => void)(...args)) as never;
    socket?.on(event, listener);
    const unsubscribe = useConnectionStore.subscribe(() => {
      const s = realtimeSocket();
      if (s === socket) return;
      socket?.off(event, listener);
      socket = s;
      socket?.on(event, listener);
    });
    return () => {
      unsubscribe();
      socket?.off(event, listener);
    };
  }, [event]);
}
