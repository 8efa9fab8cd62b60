/**
 * A typed Socket.IO client for server tests: connects over WebSocket only, never reconnects
 * (a test that loses its socket should see it, not have it silently restored), and resolves
 * once the server accepted the handshake (rejects with the server's refusal otherwise).
 */
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/realtime.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `opened` collects the socket so the test's afterAll can close every one it opened. */
export function openSocket(url: string, auth: Record<string, unknown>, opened?: ClientSocket[]): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
  opened?.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}
