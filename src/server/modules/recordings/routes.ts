/** HTTP bindings of the recording contracts (src/shared/api/recordings.ts) and the audio stream. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_RECORDING_CHUNK_BYTES, recordingRoutes as r } from '../../../shared/api/recordings.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { RecordingsService } from './recordings-service.js';

export function registerRecordingRoutes(app: FastifyInstance, recordings: RecordingsService, authenticate: Authenticate): void {
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_RECORDING_CHUNK_BYTES }, (_req, body, done) => done(null, body));

  bindRoute(app, r.startRecording, authenticate, ({ principal, body }) => recordings.start(principal, body));
  bindRoute(app, r.uploadRecordingChunk, authenticate, ({ principal, params, req }) => recordings.putChunk(principal, params.id, params.seq, req.body));
  bindRoute(app, r.completeRecording, authenticate, ({ principal, params, body }) => recordings.complete(principal, params.id, body));
  bindRoute(app, r.listRecordings, authenticate, async ({ principal, query }) => ({ items: await recordings.list(principal, query) }));
  bindRoute(app, r.getRecording, authenticate, ({ principal, params }) => recordings.assertCanListen(principal, params.id));

  app.get<{ Params: { id: string } }>('/api/recordings/:id/audio', { schema: { hide: true, params: z.object({ id: z.uuid() }) } }, async (req, reply) => {
    const principal = await authenticate(req);
    const rec = await recordings.assertCanListen(principal, req.params.id);
    return reply.header('content-type', rec.mimeType).header('cache-control', 'private, no-store').send(recordings.audio(rec.id));
  });
}
