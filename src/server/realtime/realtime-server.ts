/**
 * The Socket.IO server: authenticates each connection once with the access token, places
 * it in rooms (user, session, groups) and pushes server facts. Ending a session here is
 * what signs a console out live. Across several nodes the same calls reach every node's
 * sockets through the Socket.IO adapter (Redis adapter in scale-out deployments).
 */
import type { Server as HttpServer } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { AckResult } from '../../shared/errors.js';
import {
  clientEventSchemas,
  HandshakeAuthSchema,
  rooms,
  type ConsoleLocation,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SessionEndReason,
  type SocketData,
} from '../../shared/realtime.js';
import { can } from '../../shared/roles.js';
import { AppError } from '../http/errors.js';
import type { Principal } from '../modules/accounts/principal.js';

export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  authenticateToken(token: string): Promise<Principal>;
  /** Rooms beyond user/session/group, e.g. the floors a supervisor watches. */
  extraRooms?(p: Principal): Promise<string[]>;
  log: FastifyBaseLogger;
}

type ClientEvent = keyof typeof clientEventSchemas;
type AckData<E extends ClientEvent> = Parameters<ClientToServerEvents[E]> extends [unknown, (r: AckResult<infer D>) => void] ? D : never;

export class Realtime {
  readonly io: RealtimeIo;
  private readonly requestHandlers: ((socket: RealtimeSocket) => void)[] = [];

  constructor(httpServer: HttpServer, private readonly deps: RealtimeDeps) {
    this.io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      // Same-origin in web mode; the desktop app's origin is app://desktop. Tokens, not
      // cookies, authenticate, so no credentials are needed cross-origin.
      cors: { origin: ['app://desktop'], credentials: false },
      maxHttpBufferSize: 1e6,
    });
    this.io.use((socket, next) => {
      const auth = HandshakeAuthSchema.safeParse(socket.handshake.auth);
      if (!auth.success) {
        next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } }));
        return;
      }
      const { token, console: consoleInfo } = auth.data;
      deps.authenticateToken(token).then(
        async (p) => {
          // Only someone who may use the agent console can hold (and take over) one.
          const isConsole = consoleInfo !== undefined && can(p.roles, 'console:use');
          socket.data = { userId: p.userId, sessionId: p.sessionId, roles: p.roles, console: isConsole ? { seat: consoleInfo.seat ?? null } : null };
          const extra = (await deps.extraRooms?.(p).catch(() => [])) ?? [];
          await socket.join([rooms.user(p.userId), rooms.session(p.sessionId), ...p.groupIds.map(rooms.group), ...extra]);
          next();
        },
        (err: unknown) => {
          const code = err instanceof AppError ? err.code : 'UNAUTHENTICATED';
          next(Object.assign(new Error(code), { data: { code } }));
        },
      );
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
  }

  private onConnection(socket: RealtimeSocket): void {
    this.handle(socket, 'presence:ping', async () => ({ serverTime: new Date().toISOString() }));
    for (const attach of this.requestHandlers) attach(socket);
  }

  /** A module answers a client request on every socket (validated against its shared schema, answered through the ack). */
  onRequest<E extends ClientEvent>(event: E, fn: (payload: z.output<(typeof clientEventSchemas)[E]>, socket: RealtimeSocket) => Promise<AckData<E>>): void {
    this.requestHandlers.push((socket) => this.handle(socket, event, fn));
  }

  /** Validates a client request against its shared schema and answers through the ack. */
  private handle<E extends ClientEvent>(
    socket: RealtimeSocket,
    event: E,
    fn: (payload: z.output<(typeof clientEventSchemas)[E]>, socket: RealtimeSocket) => Promise<AckData<E>>,
  ): void {
    const schema = clientEventSchemas[event];
    (socket as unknown as { on(e: string, fn: (payload: unknown, ack: unknown) => void): void }).on(event, (payload, ack) => {
      const reply = typeof ack === 'function' ? (ack as (r: AckResult<AckData<E>>) => void) : () => undefined;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        reply({ ok: false, code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` });
        return;
      }
      // The schema was picked by E, so its output is E's payload (TS cannot narrow the union).
      fn(parsed.data as z.output<(typeof clientEventSchemas)[E]>, socket).then(
        (data) => reply({ ok: true, data }),
        (err: unknown) => {
          if (err instanceof AppError) reply({ ok: false, code: err.code, message: err.message });
          else {
            this.deps.log.error({ err, event }, 'realtime handler failed');
            reply({ ok: false, code: 'INTERNAL', message: 'Internal error' });
          }
        },
      );
    });
  }

  /** Tells the consoles of these sessions they are signed out, then drops them. */
  endSessions(sessionIds: string[], reason: SessionEndReason, replacedBy?: ConsoleLocation): void {
    for (const id of sessionIds) {
      const room = rooms.session(id);
      this.io.to(room).emit('session:ended', replacedBy ? { reason, replacedBy } : { reason });
      // Give the event a moment to leave before the transport closes.
      setTimeout(() => this.io.in(room).disconnectSockets(true), 50).unref();
    }
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // io.close() also closes the HTTP server, which Fastify owns; only detach engine.
      this.io.engine.close();
      resolve();
    });
  }
}
