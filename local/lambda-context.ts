/**
 * The Lambda context the local runtime (and the tests) hand to the handlers, as Lambda would: every
 * handler is a middy chain whose logger reads it (function name, request id, cold start).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { JobEvent } from '#app/jobs/run-job.ts';

export function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A Lambda handler as the local runtime calls it: with the event only, the context made here. */
export function invokeLocally<Event, Result>(
  name: string,
  handler: (event: Event, context: Context) => Promise<Result>,
): (event: Event) => Promise<Result> {
  return (event) => handler(event, lambdaContext(name));
}

/** A nightly job's handler as the local scheduler (and a test) runs it: with an event, `{}` by default. */
export function invokeJob<Result>(
  name: string,
  handler: (event: JobEvent, context: Context) => Promise<Result>,
): (event?: JobEvent) => Promise<Result> {
  return (event = {}) => handler(event, lambdaContext(name));
}
