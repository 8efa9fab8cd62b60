/**
 * The shape of a REST route contract. Server registration and the renderer's API client
 * are both driven by these objects, so a contract change breaks the build on both sides.
 */
import type { z } from 'zod';
import type { Permission } from '../roles.js';

/** Who may call a route: anyone, any signed-in user, or holders of a permission. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

export interface RouteSpec<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path syntax (`/api/users/:id`). */
  path: string;
  summary: string;
  tags: string[];
  access: RouteAccess;
  params?: Params;
  query?: Query;
  body?: Body;
  /** Success status; 204 routes answer with no body. */
  status: 200 | 201 | 204;
  response: Response;
}

export function route<
  Params extends z.ZodType = z.ZodUndefined,
  Query extends z.ZodType = z.ZodUndefined,
  Body extends z.ZodType = z.ZodUndefined,
  Response extends z.ZodType = z.ZodNull,
>(spec: RouteSpec<Params, Query, Body, Response>): RouteSpec<Params, Query, Body, Response> {
  return spec;
}

export type ParamsOf<R> = R extends RouteSpec<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.infer<P> : never;
export type QueryOf<R> = R extends RouteSpec<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.infer<Q> : never;
export type BodyOf<R> = R extends RouteSpec<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.input<B> : never;
export type ResponseOf<R> = R extends RouteSpec<z.ZodType, z.ZodType, z.ZodType, infer S> ? z.infer<S> : never;
