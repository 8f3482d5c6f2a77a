/**
 * The OpenAPI 3 document, generated from the route table and its zod schemas: the same objects
 * that validate requests describe them, so the document cannot drift from the code.
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { API_STAGE, errorAnswers, ROUTES, type RouteSpec } from './routes.ts';
import { errorView } from './schemas.ts';

/** `/changes/{changeId}` -> its path parameters as a zod object. */
function pathParams(path: string) {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  return names.length > 0 ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined;
}

function register(registry: OpenAPIRegistry, route: RouteSpec) {
  const params = pathParams(route.path);
  const errors = Object.fromEntries(
    [...errorAnswers(route)].map(([status, codes]) => [
      status,
      {
        description: `Refused: ${codes.join(', ')}`,
        content: { 'application/json': { schema: errorView } },
      },
    ]),
  );
  registry.registerPath({
    method: route.method.toLowerCase() as 'get' | 'post',
    path: route.path,
    operationId: route.id,
    summary: route.summary,
    description: route.refusals?.length ? `Refusals: ${route.refusals.join(', ')}.` : undefined,
    security: [{ apiKey: [] }],
    request: {
      ...(params ? { params } : {}),
      ...(route.query ? { query: route.query as z.ZodObject } : {}),
      ...(route.body
        ? { body: { content: { 'application/json': { schema: route.body } }, required: true } }
        : {}),
      ...(route.method === 'POST'
        ? { headers: z.object({ 'Idempotency-Key': z.string().min(1).max(255).optional() }) }
        : {}),
    },
    responses: {
      [route.successStatus]: {
        description: 'Success',
        content:
          route.response === 'text/calendar'
            ? { 'text/calendar': { schema: { type: 'string' } } }
            : { 'application/json': { schema: route.response } },
      },
      ...errors,
    },
  });
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
  });
  for (const route of ROUTES) register(registry, route);
  cached = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Change and maintenance management API',
      version: '1.0.0',
      description: 'Maintenance windows, notice, one reschedule, emergencies and nightly bookkeeping.',
    },
    servers: [{ url: `/${API_STAGE}` }],
  }) as unknown as Record<string, unknown>;
  return cached;
}
