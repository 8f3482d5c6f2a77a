/**
 * The Lambda context the local runtime (and the tests) hand to the handlers, as Lambda would: every
 * handler is a middy chain whose logger reads it (function name, request id, cold start).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { JobEvent } from '#app/jobs/run-job.ts';

/** The nightly jobs' Lambda timeout (infra/constructs/nightly-jobs.ts). */
export const JOB_TIMEOUT_MS = 15 * 60_000;

/**
 * `timeoutMs`: the function's timeout. middy aborts a handler still running when the context says its
 * time is up (`getRemainingTimeInMillis`), as Lambda would stop it; the remaining time counts down
 * from this call, on the wall clock, as in Lambda.
 */
export function lambdaContext(name: string, timeoutMs = 10_000): Context {
  const deadline = performance.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A Lambda handler as the local runtime calls it: with the event only, the context made here. */
export function invokeLocally<Event, Result>(
  name: string,
  handler: (event: Event, context: Context) => Promise<Result>,
  timeoutMs?: number,
): (event: Event) => Promise<Result> {
  return (event) => handler(event, lambdaContext(name, timeoutMs));
}

/** A nightly job's handler as the local scheduler (and a test) runs it: with an event, `{}` by default. */
export function invokeJob<Result>(
  name: string,
  handler: (event: JobEvent, context: Context) => Promise<Result>,
): (event?: JobEvent) => Promise<Result> {
  return (event = {}) => handler(event, lambdaContext(name, JOB_TIMEOUT_MS));
}
