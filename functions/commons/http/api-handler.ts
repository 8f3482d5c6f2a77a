/**
 * The HTTP front of a route group: one Lambda serves several routes of the contract. The route table
 * (contract/routes.ts) says who may call each route and what it accepts; the middlewares
 * (./middleware.ts) turn an API Gateway event into a checked `RouteCall` and the answer (or refusal)
 * into the contract's response; the route's implementation, last, reads like its use case.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '#commons/logger.ts';
import { type ROUTES, type RouteGroup, routeKey, routesOf } from '#contract/routes.ts';
import {
  type ApiContext,
  type ApiInternal,
  accessLog,
  authorizeFromTable,
  contractErrors,
  contractResponse,
  type EdgePorts,
  idempotency,
  pathIds,
  type RouteCall,
  routeFromTable,
  strictJsonBody,
  strictQuery,
} from './middleware.ts';

/** A route group's Lambda handler, as API Gateway (or the local API) calls it. */
export type ApiGatewayHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

type RoutesOf<G extends RouteGroup> = Extract<(typeof ROUTES)[number], { group: G }>;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOf<R> = R extends { body: infer B } ? Parsed<B> : undefined;
type QueryOf<R> = R extends { query: infer Q } ? Parsed<Q> : Record<string, never>;

/** One implementation per route of the group, typed by the route's own schemas. */
export type RouteImplementations<G extends RouteGroup> = {
  [R in RoutesOf<G> as R['id']]: (call: RouteCall<BodyOf<R>, QueryOf<R>>) => Promise<unknown>;
};

/**
 * The Lambda handler of a route group. Every route of the group must have an implementation
 * (checked when the handler is built, so a missing one fails the tests, not a caller).
 */
export function apiHandler<G extends RouteGroup>(
  group: G,
  ports: EdgePorts,
  implementations: NoInfer<RouteImplementations<G>>,
): ApiGatewayHandler {
  const routes = new Map(routesOf(group).map((route) => [routeKey(route.method, route.path), route]));
  const byId = implementations as Record<string, (call: RouteCall) => Promise<unknown>>;
  for (const route of routes.values()) {
    if (!byId[route.id]) throw new Error(`route ${route.id} of group ${group} has no implementation`);
  }
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext, ApiInternal>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog())
    .use(contractErrors())
    .use(routeFromTable(routes))
    .use(authorizeFromTable())
    .use(pathIds())
    .use(strictQuery())
    .use(strictJsonBody())
    .use(idempotency(ports))
    .use(contractResponse())
    .handler(async (_event, context) => {
      const call = context.call as RouteCall;
      // contractResponse() turns the implementation's result into the response.
      return (await (byId[call.route.id] as (call: RouteCall) => Promise<unknown>)(
        call,
      )) as APIGatewayProxyResult;
    });
  // accessLog() gives every request its `call` before any other step reads it.
  return handler as unknown as ApiGatewayHandler;
}

export type { RouteCall };
