/**
 * Call recording contracts. The agent's softphone records each answered call (caller and
 * agent mixed) and uploads it in numbered chunks while the call runs, so a crash loses at
 * most the last chunk; completion checks a SHA-256 over the whole file.
 */
import { z } from 'zod';
import { route } from './route.js';

export const recordingStates = ['recording', 'complete', 'incomplete'] as const;

export const RecordingSchema = z
  .object({
    id: z.uuid(),
    /** SIP Call-ID of the recorded leg; the call record links to it. */
    sipCallId: z.string(),
    agentId: z.uuid(),
    agentName: z.string(),
    extension: z.string().nullable(),
    direction: z.enum(['inbound', 'outbound']),
    remoteNumber: z.string(),
    mimeType: z.string(),
    state: z.enum(recordingStates),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    durationMs: z.number().int().nullable(),
    bytes: z.number().int(),
    chunks: z.number().int(),
    /** Hex SHA-256 of the stored audio, once complete. */
    sha256: z.string().nullable(),
    /** 'agent': the softphone's mix (Opus); 'server': the media bridge's recording of a trunk call (WAV). */
    source: z.enum(['agent', 'server']),
  })
  .meta({ id: 'Recording' });
export type Recording = z.infer<typeof RecordingSchema>;

export const StartRecordingSchema = z.object({
  sipCallId: z.string().min(1).max(200),
  direction: z.enum(['inbound', 'outbound']),
  remoteNumber: z.string().min(1).max(64),
  mimeType: z.string().regex(/^audio\/(webm|ogg)(;\s*codecs=opus)?$/, 'audio/webm or audio/ogg (Opus)'),
  startedAt: z.iso.datetime(),
});

export const CompleteRecordingSchema = z.object({
  chunks: z.number().int().min(0).max(100_000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().min(0),
});

/** Largest chunk accepted: MediaRecorder timeslices of a few seconds of Opus are ~10 kB. */
export const MAX_RECORDING_CHUNK_BYTES = 1_048_576;

const IdParams = z.object({ id: z.uuid() });

export const recordingRoutes = {
  startRecording: route({
    method: 'POST', path: '/api/recordings', summary: 'Start a call recording', tags: ['recordings'], access: 'console:use',
    body: StartRecordingSchema, status: 201, response: RecordingSchema,
  }),
  uploadRecordingChunk: route({
    method: 'PUT', path: '/api/recordings/:id/chunks/:seq',
    summary: 'Upload chunk number seq (application/octet-stream); re-sending the same chunk is harmless',
    tags: ['recordings'], access: 'console:use',
    params: z.object({ id: z.uuid(), seq: z.coerce.number().int().min(0).max(99_999) }),
    status: 200, response: z.object({ seq: z.number().int(), bytes: z.number().int() }),
  }),
  completeRecording: route({
    method: 'POST', path: '/api/recordings/:id/complete', summary: 'Finish a recording; verifies chunk count and checksum',
    tags: ['recordings'], access: 'console:use', params: IdParams, body: CompleteRecordingSchema, status: 200, response: RecordingSchema,
  }),
  listRecordings: route({
    method: 'GET', path: '/api/recordings', summary: 'Recordings the caller may listen to, newest first', tags: ['recordings'],
    access: 'authenticated',
    query: z.object({ sipCallId: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    status: 200, response: z.object({ items: z.array(RecordingSchema) }),
  }),
  getRecording: route({
    method: 'GET', path: '/api/recordings/:id', summary: 'Recording metadata (the agent, their supervisors, QA, admins)',
    tags: ['recordings'], access: 'authenticated', params: IdParams, status: 200, response: RecordingSchema,
  }),
} as const;

/** Audio is streamed from here (not JSON, so not a RouteSpec): GET with the bearer token. */
export const recordingAudioPath = (id: string) => `/api/recordings/${id}/audio`;
