/**
 * The HTTP front of a route group: one Lambda serves several routes of the contract. The route
 * table (contract/routes.ts) says who may call each route and what it accepts; this module turns
 * an API Gateway event into a validated call of the route's implementation and its answer (or
 * refusal) into the contract's response. Implementations only see typed, checked input.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { DateTime } from 'luxon';
import type { z } from 'zod';
import { now } from '#adapters/clock.ts';
import * as store from '#adapters/store/idempotency-store.ts';
import { logger } from '#commons/logger.ts';
import { type RouteGroup, type RouteSpec, routeKey, routesOf } from '#contract/routes.ts';
import { DomainError, type FieldProblem } from '#core/errors.ts';
import { actorOf, type Principal } from '#core/visibility.ts';
import { errorResponse, json, RawBody } from './responses.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext<Body = unknown, Query = unknown> {
  principal: Principal;
  body: Body;
  query: Query;
  params: Record<string, string>;
  now: DateTime;
  event: APIGatewayProxyEvent;
}

// biome-ignore lint/suspicious/noExplicitAny: each implementation narrows its own body and query types.
export type RouteImplementation = (context: RouteContext<any, any>) => Promise<unknown>;

const ID_PARAM = /^[A-Za-z0-9_-]{1,64}$/;

/** zod issues as the contract's `details`: one entry per bad field, unknown fields named. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'is not a known field' }))
      : [{ path: issue.path.join('.') || '(body)', message: issue.message }],
  );
}

function validationFailed(details: FieldProblem[]): DomainError {
  const fields = [...new Set(details.map((d) => d.path))].join(', ');
  return new DomainError('VALIDATION_FAILED', 400, `the request is not valid: check ${fields}`, details);
}

export function principalOf(event: APIGatewayProxyEvent): Principal | null {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (context?.role === 'ops') return { role: 'ops' };
  if (context?.role === 'partner' && typeof context.partnerId === 'string' && context.partnerId) {
    return { role: 'partner', partnerId: context.partnerId };
  }
  return null;
}

function parseQuery(route: RouteSpec, event: APIGatewayProxyEvent): unknown {
  const multi = event.multiValueQueryStringParameters ?? {};
  const repeated = Object.entries(multi).filter(([, values]) => (values?.length ?? 0) > 1);
  if (repeated.length > 0) {
    throw validationFailed(repeated.map(([name]) => ({ path: name, message: 'may be given once' })));
  }
  if (!route.query) return {};
  const result = route.query.safeParse({ ...(event.queryStringParameters ?? {}) });
  if (!result.success) throw validationFailed(fieldProblems(result.error));
  return result.data;
}

function parseBody(route: RouteSpec, event: APIGatewayProxyEvent): { raw: unknown; body: unknown } {
  if (!route.body) return { raw: undefined, body: undefined };
  const text = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  }
  let raw: unknown = {};
  if (text.trim().length > 0) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw validationFailed([{ path: '(body)', message: 'must be a JSON object' }]);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw validationFailed([{ path: '(body)', message: 'must be a JSON object' }]);
  }
  const result = route.body.safeParse(raw);
  if (!result.success) throw validationFailed(fieldProblems(result.error));
  return { raw, body: result.data };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

function toResponse(route: RouteSpec, result: unknown): APIGatewayProxyResult {
  return result instanceof RawBody
    ? result.toResponse(route.successStatus)
    : json(route.successStatus, result);
}

export function toErrorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof DomainError) {
    return errorResponse(error.status, error.code, error.message, error.details);
  }
  logger.error('unhandled error', { error: error as Error });
  return errorResponse(500, 'INTERNAL_ERROR', 'something went wrong on our side; it has been logged');
}

async function serve(
  route: RouteSpec,
  implementation: RouteImplementation,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const principal = principalOf(event);
  if (!principal) throw new DomainError('UNAUTHORIZED', 401, 'a valid x-api-key header is required');
  if (!route.roles.includes(principal.role)) {
    throw new DomainError('FORBIDDEN', 403, `this route is for ${route.roles.join(' and ')} only`);
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    // An id that cannot exist is simply not found (and says nothing about what does exist).
    if (typeof value !== 'string' || !ID_PARAM.test(value)) {
      throw new DomainError('NOT_FOUND', 404, `no ${name} ${String(value)} was found`);
    }
    params[name] = value;
  }
  const query = parseQuery(route, event);
  const { raw, body } = parseBody(route, event);
  const context: RouteContext = { principal, body, query, params, now: now(), event };

  const idempotencyKey = route.method === 'POST' ? header(event, 'idempotency-key') : undefined;
  if (idempotencyKey === undefined) return toResponse(route, await implementation(context));

  if (idempotencyKey.length < 1 || idempotencyKey.length > 255) {
    throw validationFailed([{ path: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
  }
  const scope = `${actorOf(principal)}#${route.id}`;
  const fingerprint = store.requestFingerprint({ params, body: raw });
  const start = await store.beginIdempotentRequest(scope, idempotencyKey, fingerprint, context.now);
  if (start.kind === 'replay')
    return { ...start.response, headers: { ...start.response.headers, 'idempotent-replay': 'true' } };
  let response: APIGatewayProxyResult;
  try {
    response = toResponse(route, await implementation(context));
  } catch (error) {
    if (!(error instanceof DomainError)) {
      await store.abandonIdempotentRequest(scope, idempotencyKey);
      throw error;
    }
    // A refusal is the first response too: the same retry gets the same answer.
    response = toErrorResponse(error);
  }
  await store.completeIdempotentRequest(scope, idempotencyKey, {
    statusCode: response.statusCode,
    headers: (response.headers ?? {}) as Record<string, string>,
    body: response.body,
  });
  return response;
}

/**
 * The Lambda handler of a route group. Every route of the group must have an implementation
 * (checked when the module loads, so a missing one fails the tests, not a caller).
 */
export function createApiHandler(group: RouteGroup, implementations: Record<string, RouteImplementation>) {
  const routes = new Map(routesOf(group).map((route) => [routeKey(route.method, route.path), route]));
  for (const route of routes.values()) {
    if (!implementations[route.id])
      throw new Error(`route ${route.id} of group ${group} has no implementation`);
  }
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(async (event) => {
    const started = performance.now();
    const route = routes.get(routeKey(event.httpMethod ?? '', event.resource ?? ''));
    let response: APIGatewayProxyResult;
    try {
      if (!route) throw new DomainError('NOT_FOUND', 404, `no route ${event.httpMethod} ${event.resource}`);
      response = await serve(route, implementations[route.id] as RouteImplementation, event);
    } catch (error) {
      response = toErrorResponse(error);
    }
    logger.info('request', {
      route: route?.id,
      method: event.httpMethod,
      path: event.path,
      status: response.statusCode,
      ms: Math.round(performance.now() - started),
    });
    return response;
  });
}
