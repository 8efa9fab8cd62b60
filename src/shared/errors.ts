/**
 * Error codes shared by server and clients. The server always answers a failure with
 * `ApiError`; clients translate `code` (never `message`) into the user's language.
 */
import { z } from 'zod';

export const errorCodes = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'RATE_LIMITED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
  'UNAVAILABLE',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const ApiErrorSchema = z
  .object({
    statusCode: z.number().int(),
    code: z.enum(errorCodes),
    message: z.string(),
    /** Field-level problems for VALIDATION_FAILED: JSON path → message. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** Seconds until a locked account or a rate limit lets the caller try again. */
    retryAfter: z.number().int().optional(),
    /** CONFLICT from a stale version (optimistic locking): the resource as it is now. */
    current: z.unknown().optional(),
  })
  .meta({ id: 'ApiError' });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Result of a Socket.IO request with an ack (see realtime.ts). */
export type AckResult<T> = { ok: true; data: T } | { ok: false; code: ErrorCode; message: string };
