/**
 * The middleware chain of every Lambda that is not an API route group (the authorizer, the lifecycle's
 * tasks, the nightly jobs): Powertools' logger with the Lambda context (function, request id, cold
 * start) on every line, reset between invocations. The API's route groups start with the same step
 * (./http/api-handler.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';

export function lambdaHandler<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
): middy.MiddyfiedHandler<Event, Result, Error, Context> {
  return middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handler);
}
