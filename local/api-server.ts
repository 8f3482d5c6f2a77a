/**
 * The API on localhost, through the same code as in AWS: each HTTP request becomes the API Gateway
 * (REST, proxy integration) event the Lambda receives there, the same authorizer runs first and its
 * context is handed on, and the route group's handler answers. Unknown routes and authorizer
 * refusals get the bodies the CDK app configures as API Gateway's gateway responses.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { UNAUTHORIZED } from '#auth/authorizer.ts';
import { API_STAGE, RETRY_AFTER_SECONDS, ROUTES, type RouteGroup } from '#contract/routes.ts';
import { lambdaContext } from './lambda-context.ts';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Authorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface LocalApiOptions {
  port: number;
  host?: string;
  /** The route groups' handlers, built on the local ports. */
  handlers: Record<RouteGroup, ApiHandler>;
  authorizer: Authorizer;
  /** Local-only routes outside the API (clock, faults ...): answers, or null when not one of them. */
  admin?: (method: string, url: URL, body: string) => Promise<APIGatewayProxyResult | null>;
}

export interface LocalApi {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** The largest body API Gateway would pass on is 10 MB; the handlers refuse over 64 KiB themselves. */
const READ_LIMIT = 10 * 1024 * 1024;

/** API Gateway caches an authorizer's Allow per identity source (the key) for this long. */
const AUTHORIZER_CACHE_MS = 5 * 60 * 1000;
const authorizerCache = new Map<string, { context: Record<string, unknown>; until: number }>();

interface CompiledRoute {
  method: string;
  resource: string;
  group: RouteGroup;
  pattern: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((route) => {
  const params: string[] = [];
  // Literal segments first (`/changes/emergency` before `/changes/{changeId}`), as API Gateway matches.
  const source = route.path.replace(/[.]/g, '\\.').replace(/\{([^}]+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return {
    method: route.method,
    resource: route.path,
    group: route.group,
    pattern: new RegExp(`^${source}$`),
    params,
  };
}).sort((a, b) => a.params.length - b.params.length);

/**
 * How long a refused oversized body is read (and thrown away) before the connection is closed anyway.
 * Answering while the client is still sending, then closing, makes many clients see a reset instead of
 * the 413; reading the rest first lets them read the answer. The bound keeps an endless body from
 * holding the connection.
 */
const DRAIN_LIMIT_MS = 30_000;

/**
 * The request body, or 'too-large' past READ_LIMIT: then nothing more is kept (no buffering beyond the
 * limit, whatever the size), the rest is read and dropped, and the answer waits until the body ended
 * (or DRAIN_LIMIT_MS passed), so the caller receives its 413 instead of a reset connection.
 */
function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > READ_LIMIT;
    let drainTimer: NodeJS.Timeout | undefined;
    const refuse = () => {
      clearTimeout(drainTimer);
      resolve('too-large');
    };
    const startDraining = () => {
      tooLarge = true;
      chunks = [];
      drainTimer = setTimeout(refuse, DRAIN_LIMIT_MS);
      drainTimer.unref();
    };
    if (tooLarge) startDraining();
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > READ_LIMIT) startDraining();
      else chunks.push(chunk);
    });
    request.on('end', () => (tooLarge ? refuse() : resolve(Buffer.concat(chunks))));
    request.on('error', (error) => (tooLarge ? refuse() : reject(error)));
  });
}

/** API Gateway's answer to a body over its limit (the REQUEST_TOO_LARGE gateway response of the CDK app). */
function payloadTooLarge(): APIGatewayProxyResult {
  const answer = gatewayError(
    413,
    'PAYLOAD_TOO_LARGE',
    `the body is larger than ${READ_LIMIT / 1024 / 1024} MB, the most the API accepts`,
  );
  // The connection may still hold unread bytes of the body: close it rather than read it as a request.
  return { ...answer, headers: { ...answer.headers, connection: 'close' } };
}

function send(response: ServerResponse, result: APIGatewayProxyResult) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function gatewayError(statusCode: number, error: string, message: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error, message }),
  };
}

function queryParameters(url: URL) {
  // Null-prototype objects: a parameter named __proto__ is data, as in API Gateway's parsed JSON.
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return Object.keys(single).length > 0 ? { single, multi } : { single: null, multi: null };
}

async function handle(options: LocalApiOptions, request: IncomingMessage): Promise<APIGatewayProxyResult> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (options.admin && url.pathname.startsWith('/local/')) {
    const body = await readBody(request);
    if (body === 'too-large') return payloadTooLarge();
    const answer = await options.admin((request.method ?? 'GET').toUpperCase(), url, body.toString('utf8'));
    if (answer) return answer;
  }
  const stagePrefix = `/${API_STAGE}`;
  // `/v1` is the stage itself, as `/v1/` (API Gateway answers both from the root resource).
  if (url.pathname !== stagePrefix && !url.pathname.startsWith(`${stagePrefix}/`)) {
    return gatewayError(
      404,
      'NOT_FOUND',
      `no API at ${url.pathname}: it is under ${stagePrefix}/ (GET ${stagePrefix}/ lists the routes, ${stagePrefix}/openapi.json describes them; every request carries x-api-key)`,
    );
  }
  const path = url.pathname.slice(stagePrefix.length) || '/';
  const method = (request.method ?? 'GET').toUpperCase();
  const candidates = compiled.filter((route) => route.pattern.test(path));
  const route = candidates.find((candidate) => candidate.method === method);
  if (!route) {
    return candidates.length > 0
      ? gatewayError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`)
      : gatewayError(404, 'NOT_FOUND', `no route ${method} ${path}`);
  }
  const body = await readBody(request);
  if (body === 'too-large') return payloadTooLarge();

  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const match = route.pattern.exec(path) as RegExpExecArray;
  let pathParameters: Record<string, string>;
  try {
    pathParameters = Object.fromEntries(
      route.params.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]),
    );
  } catch {
    return gatewayError(404, 'NOT_FOUND', `no route ${method} ${path}`);
  }
  const { single, multi } = queryParameters(url);
  const requestId = randomUUID();
  const methodArn = `arn:aws:execute-api:local:000000000000:local/${API_STAGE}/${method}${route.resource}`;

  // The authorizer, exactly as API Gateway calls a REQUEST authorizer, and cached per key for
  // AUTHORIZER_CACHE_MS as API Gateway does (resultsCacheTtl in infra/constructs/change-api.ts).
  const apiKey = headers['x-api-key'];
  const cached = apiKey ? authorizerCache.get(apiKey) : undefined;
  let authorizerContext: Record<string, unknown>;
  if (cached && cached.until > Date.now()) {
    authorizerContext = cached.context;
  } else
    try {
      const decision = await options.authorizer(
        {
          type: 'REQUEST',
          methodArn,
          resource: route.resource,
          path: url.pathname,
          httpMethod: method,
          headers,
          multiValueHeaders,
          pathParameters,
          queryStringParameters: single,
          multiValueQueryStringParameters: multi,
          stageVariables: null,
          requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
        },
        lambdaContext('authorizer'),
      );
      const allowed = decision.policyDocument.Statement.some((s) => 'Effect' in s && s.Effect === 'Allow');
      if (!allowed) return gatewayError(403, 'FORBIDDEN', 'this key may not call the API');
      authorizerContext = { ...(decision.context ?? {}), principalId: decision.principalId };
      if (apiKey)
        authorizerCache.set(apiKey, { context: authorizerContext, until: Date.now() + AUTHORIZER_CACHE_MS });
    } catch (error) {
      if ((error as Error)?.message === UNAUTHORIZED)
        return gatewayError(401, 'UNAUTHORIZED', 'a valid x-api-key header is required');
      // Any other failure is API Gateway's AUTHORIZER_FAILURE, which the stack answers with 503 and
      // Retry-After (infra/constructs/change-api.ts): the key could not be checked now (e.g. the table
      // cannot be reached), so a retry may well succeed.
      console.error(`[api] the authorizer failed: ${(error as Error)?.message ?? String(error)}`);
      const answer = gatewayError(
        503,
        'SERVICE_UNAVAILABLE',
        `the API key could not be checked right now; retry in ${RETRY_AFTER_SECONDS} seconds`,
      );
      return { ...answer, headers: { ...answer.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
    }

  const event: APIGatewayProxyEvent = {
    resource: route.resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: route.params.length > 0 ? pathParameters : null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: authorizerContext,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: API_STAGE,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.resource,
    },
  };
  return options.handlers[route.group](event, lambdaContext(`api-${route.group}`));
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const server: Server = createServer((request, response) => {
    handle(options, request)
      .then((result) => send(response, result))
      .catch((error: unknown) => {
        console.error('local API gateway error', error);
        send(response, gatewayError(502, 'BAD_GATEWAY', 'the handler failed'));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://localhost:${port}/${API_STAGE}`;
  return {
    baseUrl,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
