/**
 * Registers a shared RouteSpec on Fastify: schemas for validation and OpenAPI, the access
 * check (authentication and permission, on the server, for every route), and the success
 * status. Handlers receive parsed input and return the response body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiErrorSchema } from '../../shared/errors.js';
import type { RouteSpec } from '../../shared/api/route.js';
import { can } from '../../shared/roles.js';
import type { Principal } from '../modules/accounts/principal.js';
import { AppError } from './errors.js';

export type Authenticate = (req: FastifyRequest) => Promise<Principal>;

type Out<T> = NonNullable<T> extends z.ZodType ? z.output<NonNullable<T>> : undefined;

export interface RouteContext<R extends RouteSpec, P = Principal> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  principal: P;
  req: FastifyRequest;
  reply: FastifyReply;
}

type Handler<R extends RouteSpec> = (
  ctx: RouteContext<R, R['access'] extends 'public' ? null : Principal>,
) => Promise<z.input<R['response']>> | z.input<R['response']>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function bindRoute<R extends RouteSpec>(
  app: FastifyInstance,
  spec: R,
  authenticate: Authenticate,
  handler: Handler<R>,
  extra: { config?: Record<string, unknown> } = {},
): void {
  const response: Record<string, z.ZodType> = { [spec.status]: spec.response, '4xx': ApiErrorSchema, '5xx': ApiErrorSchema };
  app.route({
    method: spec.method,
    url: spec.path,
    ...(extra.config ? { config: extra.config } : {}),
    schema: {
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
      response,
      ...(spec.access === 'public' ? {} : { security: [{ bearer: [] }] }),
    },
    // Authentication runs before body validation so an anonymous caller learns nothing.
    onRequest: async (req) => {
      req.principal = null;
      if (spec.access === 'public') return;
      const principal = await authenticate(req);
      if (spec.access !== 'authenticated' && !can(principal.roles, spec.access)) {
        throw new AppError('FORBIDDEN', `Requires permission ${spec.access}`);
      }
      req.principal = principal;
    },
    handler: async (req, reply) => {
      const result = await handler({
        params: req.params as never,
        query: req.query as never,
        body: req.body as never,
        principal: req.principal as never,
        req,
        reply,
      });
      if (spec.status === 204) return reply.code(204).send();
      return reply.code(spec.status).send(result);
    },
  });
}
