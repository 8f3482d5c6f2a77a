/**
 * Lambda tasks, bound to local handler code: the same handler modules the CDK app bundles, called in this
 * process instead of through the Lambda service. What a handler sees and what the state machine gets back
 * follow Lambda and Step Functions (R2): JSON in and out, a thrown error named as Lambda names it, and
 * the whole lambda:invoke response for a `lambda:invoke` Task, so ResultSelector, ResultPath and
 * OutputPath over `$.Payload` work as deployed.
 */
import { randomUUID } from 'node:crypto';
import type { LocalClock } from '../clock.ts';
import type { TaskPlan } from './definition.ts';
import { LAMBDA_ARN } from './definition.ts';
import { namedError, StatesRuntimeError, StatesTimeoutError } from './errors.ts';
import type { Activity } from './executions.ts';
import { type Json, type JsonObject, toJson } from './json.ts';
import { withRealTimeout } from './timers.ts';

export type LocalTaskHandler = (payload: unknown) => Promise<unknown>;

/** The local handlers by function name or ARN; a qualified name or ARN (`name:alias`) finds the bare name's. */
export class LambdaFunctions {
  readonly #handlers = new Map<string, LocalTaskHandler>();
  readonly #activity: Activity;

  constructor(handlers: Record<string, LocalTaskHandler>, activity: Activity) {
    this.#activity = activity;
    for (const [key, handler] of Object.entries(handlers)) {
      this.#handlers.set(key, handler);
      if (!this.#handlers.has(bareFunctionName(key))) this.#handlers.set(bareFunctionName(key), handler);
    }
  }

  has(functionName: string): boolean {
    return this.#handlerFor(functionName) !== undefined;
  }

  /** Calls a Lambda handler as Lambda would: JSON in, JSON out, a thrown error named as Lambda names it. */
  async invoke(functionName: unknown, payload: unknown): Promise<Json> {
    const handler = typeof functionName === 'string' ? this.#handlerFor(functionName) : undefined;
    if (!handler) {
      throw namedError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${String(functionName)} (no local handler)`,
      );
    }
    this.#activity.activeHandlers += 1;
    try {
      return toJson(await handler(toJson(payload)));
    } catch (error) {
      throw lambdaError(error);
    } finally {
      this.#activity.activeHandlers -= 1;
    }
  }

  /** A plain (request-response) Lambda Task: the function's result as the Task's resource returns it. */
  async runTask(
    plan: Extract<TaskPlan, { kind: 'lambda' }>,
    parameters: unknown,
    timeoutSeconds: number | undefined,
    clock: LocalClock,
  ): Promise<unknown> {
    // A Task whose Resource is the function's ARN passes its input and returns the function's result as is.
    if (plan.resourceFunction) {
      return withRealTimeout(this.invoke(plan.resourceFunction, parameters), timeoutSeconds);
    }
    const request = (parameters ?? {}) as JsonObject;
    const payload = await withRealTimeout(
      this.invoke(request.FunctionName, request.Payload ?? {}),
      timeoutSeconds,
    );
    return invokeResponse(payload, clock);
  }

  #handlerFor(functionName: string): LocalTaskHandler | undefined {
    return this.#handlers.get(functionName) ?? this.#handlers.get(bareFunctionName(functionName));
  }
}

/**
 * R2: the shape of AWS's lambda:invoke result (payloadResponseOnly false), so `$.Payload...` in a
 * ResultSelector or OutputPath works as deployed.
 */
function invokeResponse(payload: Json, clock: LocalClock): JsonObject {
  const requestId = randomUUID();
  const headers = {
    'Content-Type': 'application/json',
    Date: clock.now().toHTTP()!,
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/**
 * R2: what Step Functions reports for a Lambda that threw: the error's `name` (the Node runtime's
 * errorType), and as Cause the JSON of Lambda's error payload.
 */
function lambdaError(error: unknown): Error {
  if (error instanceof StatesTimeoutError || error instanceof StatesRuntimeError) return error;
  const errorType = error instanceof Error ? error.name : typeof error;
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack?.split('\n') ?? []) : [];
  return namedError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** 'arn:aws:lambda:eu-west-1:1:function:name:alias' or 'name:alias' -> 'name'. */
function bareFunctionName(functionName: string): string {
  const arn = LAMBDA_ARN.exec(functionName);
  if (arn) return arn[1]!;
  return functionName.split(':')[0]!;
}
