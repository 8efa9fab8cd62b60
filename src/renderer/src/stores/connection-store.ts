/** Realtime (Socket.IO) connection state, as shown in the header. Written by services/realtime.ts. */
import { create } from 'zustand';

export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

interface ConnectionStore {
  status: ConnectionStatus;
  setStatus(status: ConnectionStatus): void;
}

export const useConnectionStore = create<ConnectionStore>()((set) => ({
  status: 'offline',
  setStatus: (status) => set({ status }),
}));
