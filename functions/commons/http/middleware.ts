/**
 * The API's middlewares, in the order a request meets them (apiHandler in ./api-handler.ts chains
 * them): the access log, the contract's error answers, the route from the contract's route table, who
 * calls and whether their role may, the path ids, the query, the body (size, JSON, strict schema),
 * idempotency, and the contract's success answer. Each reads and adds to the request's `RouteCall`
 * (`request.context.call`); the route's implementation, last, gets it whole.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { DateTime } from 'luxon';
import { logger } from '#commons/logger.ts';
import { type RouteSpec, routeKey } from '#contract/routes.ts';
import { DomainError } from '#core/errors.ts';
import { actorOf, type Principal } from '#core/visibility.ts';
import { fieldProblems, refusalOf, toErrorResponse, validationFailed } from './errors.ts';
import { type IdempotencyStore, requestFingerprint } from './idempotency.ts';
import { json, RawBody } from './responses.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/** What the edge itself needs of the ports: the idempotency records, and the time. */
export interface EdgePorts {
  idempotency: IdempotencyStore;
  clock: { now(): DateTime };
}

/** What the middlewares learn about a request, handed to the route's implementation. */
export interface RouteCall<Body = unknown, Query = unknown> {
  route: RouteSpec;
  principal: Principal;
  params: Record<string, string>;
  query: Query;
  body: Body;
  /** The body as it was sent, before the schema's defaults and trimming (the idempotency fingerprint). */
  rawBody: unknown;
}

export type ApiContext = Context & { call: Partial<RouteCall> };
export type ApiInternal = Record<string, unknown>;
type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext, ApiInternal>;
type Middleware = middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  ApiContext,
  ApiInternal
>;

/** The state a middleware needs from those before it (they ran, so it is there). */
function callOf(request: Request): RouteCall {
  return request.context.call as RouteCall;
}

/** Hooks that must run however the request ends, also when a middleware answers early (a replay). */
const FINALLY = 'change-management.finally';

function onFinish(request: Request, hook: () => void): void {
  const hooks = (request.internal[FINALLY] as (() => void)[] | undefined) ?? [];
  request.internal[FINALLY] = [...hooks, hook];
}

/** Runs the finishing hooks, once. */
function finish(request: Request): void {
  const hooks = (request.internal[FINALLY] as (() => void)[] | undefined) ?? [];
  request.internal[FINALLY] = [];
  for (const hook of hooks) hook();
}

/**
 * Answers early: middy then skips the handler and every later step, the `after` and `onError` ones
 * too, so the finishing hooks run here.
 */
function respondEarly(request: Request, response: APIGatewayProxyResult): APIGatewayProxyResult {
  request.response = response;
  finish(request);
  return response;
}

/** One log line per request: route, method, path, status and duration. */
export function accessLog(): Middleware {
  const log = (request: Request, started: number) =>
    logger.info('request', {
      route: request.context.call?.route?.id,
      method: request.event.httpMethod,
      path: request.event.path,
      status: request.response?.statusCode,
      ms: Math.round(performance.now() - started),
    });
  return {
    before: (request) => {
      const started = performance.now();
      request.context.call = {};
      onFinish(request, () => log(request, started));
    },
    after: finish,
    onError: finish,
  };
}

/** Any error not answered yet becomes the contract's error answer. */
export function contractErrors(): Middleware {
  return {
    onError: (request) => {
      request.response ??= toErrorResponse(request.error);
    },
  };
}

/** The route the event is for, from the contract's route table (404 for any other). */
export function routeFromTable(routes: ReadonlyMap<string, RouteSpec>): Middleware {
  return {
    before: (request) => {
      const { httpMethod, resource } = request.event;
      const route = routes.get(routeKey(httpMethod ?? '', resource ?? ''));
      if (!route) throw new DomainError('NOT_FOUND', 404, `no route ${httpMethod} ${resource}`);
      request.context.call.route = route;
    },
  };
}

/** The authorizer's principal, and whether the route's table entry lets its role call it. */
export function authorizeFromTable(): Middleware {
  return {
    before: (request) => {
      const { route } = callOf(request);
      const principal = principalOf(request.event);
      if (!principal) throw new DomainError('UNAUTHORIZED', 401, 'a valid x-api-key header is required');
      if (!route.roles.includes(principal.role)) {
        throw new DomainError('FORBIDDEN', 403, `this route is for ${rolesInWords(route.roles)} only`);
      }
      request.context.call.principal = principal;
    },
  };
}

export function principalOf(event: APIGatewayProxyEvent): Principal | null {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (context?.role === 'ops') return { role: 'ops' };
  if (context?.role === 'partner' && typeof context.partnerId === 'string' && context.partnerId) {
    return { role: 'partner', partnerId: context.partnerId };
  }
  return null;
}

const ID_PARAM = /^[A-Za-z0-9_-]{1,64}$/;

/** Path ids; an id that cannot exist is simply not found (and says nothing about what does exist). */
export function pathIds(): Middleware {
  return {
    before: (request) => {
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.event.pathParameters ?? {})) {
        if (typeof value !== 'string' || !ID_PARAM.test(value)) {
          throw new DomainError('NOT_FOUND', 404, `no ${name} ${String(value)} was found`);
        }
        params[name] = value;
      }
      request.context.call.params = params;
    },
  };
}

/** The query string, each parameter once, strictly by the route's schema (unknown parameters refused). */
export function strictQuery(): Middleware {
  return {
    before: (request) => {
      const { route } = callOf(request);
      const multi = request.event.multiValueQueryStringParameters ?? {};
      const repeated = Object.entries(multi).filter(([, values]) => (values?.length ?? 0) > 1);
      if (repeated.length > 0) {
        throw validationFailed(repeated.map(([name]) => ({ path: name, message: 'may be given once' })));
      }
      if (!route.query) {
        request.context.call.query = {};
        return;
      }
      const result = route.query.safeParse({ ...(request.event.queryStringParameters ?? {}) });
      if (!result.success) throw validationFailed(fieldProblems(result.error));
      request.context.call.query = result.data;
    },
  };
}

/** The body of a route that takes one: at most `maxBytes`, a JSON object, strictly by the route's schema. */
export function strictJsonBody(maxBytes = MAX_BODY_BYTES): Middleware {
  return {
    before: (request) => {
      const { route } = callOf(request);
      const { event } = request;
      if (!route.body) return;
      const text = event.body
        ? event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body
        : '';
      if (Buffer.byteLength(text, 'utf8') > maxBytes) {
        throw new DomainError('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${maxBytes / 1024} KiB`);
      }
      let raw: unknown = {};
      if (text.trim().length > 0) {
        try {
          raw = JSON.parse(text);
        } catch (error) {
          throw validationFailed([{ path: '(body)', message: whereJsonBreaks(text, error as Error) }]);
        }
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw validationFailed([{ path: '(body)', message: 'must be a JSON object' }]);
      }
      const result = route.body.safeParse(raw);
      if (!result.success) throw validationFailed(fieldProblems(result.error));
      request.context.call.rawBody = raw;
      request.context.call.body = result.data;
    },
  };
}

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * A POST under an `Idempotency-Key` answers its first response to every retry with the same key and
 * body (`idempotent-replay: true`), per caller and route. A refusal is a first response too; a
 * failure of ours is not kept (a retry starts afresh). The same key with another body, or while the
 * first attempt still runs, is refused with 409.
 */
export function idempotency(ports: EdgePorts): Middleware {
  const STARTED = 'change-management.idempotency';
  type Started = { scope: string; key: string };
  const complete = (request: Request, response: APIGatewayProxyResult) => {
    const { scope, key } = request.internal[STARTED] as Started;
    return ports.idempotency.complete(scope, key, {
      statusCode: response.statusCode,
      headers: (response.headers ?? {}) as Record<string, string>,
      body: response.body,
    });
  };
  return {
    before: async (request) => {
      const { route, principal, params, rawBody } = callOf(request);
      const key = route.method === 'POST' ? headerOf(request.event, 'idempotency-key') : undefined;
      if (key === undefined) return;
      if (key.length < 1 || key.length > 255) {
        throw validationFailed([{ path: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
      }
      const scope = `${actorOf(principal)}#${route.id}`;
      const fingerprint = requestFingerprint({ params, body: rawBody });
      const start = await ports.idempotency.begin(scope, key, fingerprint, ports.clock.now());
      switch (start.kind) {
        case 'replay':
          return respondEarly(request, {
            ...start.response,
            headers: { ...start.response.headers, 'idempotent-replay': 'true' },
          });
        case 'reused':
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            409,
            'this Idempotency-Key was used with another request body; use a new key for a new request',
          );
        case 'in-progress':
          throw new DomainError(
            'IDEMPOTENCY_IN_PROGRESS',
            409,
            'a request with this Idempotency-Key is still being processed; retry in a moment',
          );
        case 'first':
          request.internal[STARTED] = { scope, key } satisfies Started;
      }
    },
    after: async (request) => {
      if (request.internal[STARTED] && request.response) await complete(request, request.response);
    },
    onError: async (request) => {
      const started = request.internal[STARTED] as Started | undefined;
      if (!started) return;
      if (!refusalOf(request.error)) {
        // A failure of ours is not a first response. If the store itself is what failed, the record
        // cannot be removed either: it lapses on its own (its lock), and the error answer stands.
        await ports.idempotency.abandon(started.scope, started.key).catch((error: unknown) => {
          logger.warn('the idempotency record could not be abandoned; it lapses with its lock', {
            error: error as Error,
          });
        });
        return;
      }
      // A refusal is the first response too: the same retry gets the same answer.
      const response = toErrorResponse(request.error);
      await complete(request, response);
      request.response = response;
    },
  };
}

/** The implementation's result as the route's success answer (JSON, or a raw body such as the calendar). */
export function contractResponse(): Middleware {
  return {
    after: (request) => {
      const { route } = callOf(request);
      const result: unknown = request.response;
      request.response =
        result instanceof RawBody
          ? result.toResponse(route.successStatus)
          : json(route.successStatus, result);
    },
  };
}

/** `['ops']` -> "ops"; `['partner']` -> "partners"; both -> "ops and partners". */
function rolesInWords(roles: readonly string[]): string {
  return roles.map((role) => (role === 'partner' ? 'partners' : role)).join(' and ');
}

/**
 * Where a body stops being JSON, for a person: the parser's reason, the line and column, and the text
 * around it (`{"reason":"x",}` -> `is not valid JSON: ... at line 1, column 15, near ',}'`).
 */
export function whereJsonBreaks(text: string, error: Error): string {
  const position = Number(/position (\d+)/.exec(error.message)?.[1] ?? Number.NaN);
  const reason = error.message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the body ends too early');
  if (!Number.isInteger(position)) return `is not valid JSON: ${reason}`;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  // Up to 20 characters before the break, from a word boundary, and a few after it.
  let from = Math.max(0, position - 20);
  const space = text.slice(from, position).search(/\s/);
  if (from > 0 && space >= 0) from += space + 1;
  const near = text
    .slice(from, position + 10)
    .replace(/\s+/g, ' ')
    .trim();
  const hint = /double-quoted property name/.test(reason) ? ' (a trailing comma?)' : '';
  return `is not valid JSON: ${reason} at line ${line}, column ${column}, near '${near}'${hint}`;
}
