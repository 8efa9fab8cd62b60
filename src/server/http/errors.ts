/**
 * Domain errors and the one error handler that turns every failure into an `ApiError`
 * body. Handlers throw `AppError`; validation failures come from the route schemas.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError, ErrorCode } from '../../shared/errors.js';

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  SESSION_REVOKED: 401,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 423,
  ACCOUNT_DISABLED: 403,
  RATE_LIMITED: 429,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Pick<ApiError, 'issues' | 'retryAfter' | 'current'> = {},
  ) {
    super(message);
  }
  get statusCode(): number {
    return statusOf[this.code];
  }
}

function body(code: ErrorCode, message: string, extra: Partial<ApiError> = {}): ApiError {
  return { statusCode: statusOf[code], code, message, ...extra };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(body('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.extra.retryAfter) void reply.header('retry-after', String(err.extra.retryAfter));
      return reply.code(err.statusCode).send(body(err.code, err.message, err.extra));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const issues = err.validation.map((v) => {
        const path = [where === 'body' ? '' : where, ...String(v.instancePath).split('/').filter(Boolean)]
          .filter(Boolean)
          .join('.');
        return { path, message: v.message ?? 'invalid' };
      });
      const first = issues[0];
      const message = first ? `${first.path || where}: ${first.message}` : 'Invalid request';
      return reply.code(400).send(body('VALIDATION_FAILED', message, { issues }));
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      // @fastify/rate-limit throws the body built by its errorResponseBuilder (app.ts).
      const retryAfter = (err as { retryAfter?: number }).retryAfter;
      if (retryAfter) void reply.header('retry-after', String(retryAfter));
      return reply.code(429).send(body('RATE_LIMITED', err.message, retryAfter ? { retryAfter } : {}));
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: malformed JSON, wrong content type, body too large.
      const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'VALIDATION_FAILED';
      return reply.code(status).send({ ...body(code, err.message), statusCode: status });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('INTERNAL', 'Internal server error'));
  });
}
