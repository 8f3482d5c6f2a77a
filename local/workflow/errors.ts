/**
 * The errors of the local Step Functions runtime, in two groups:
 * - the API's errors, named as the Step Functions API names them (ExecutionAlreadyExists, TaskDoesNotExist,
 *   ...), so the workflow port can treat a local refusal as it treats AWS's;
 * - the `States.*` errors a run raises itself (R3 below, States.Runtime), which must be told apart from
 *   task failures exactly as AWS tells them apart, or a Catch on `States.TaskFailed` would catch a timeout.
 */
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionStatus } from './executions.ts';

/** An error class of the Step Functions API, named as AWS names it (callers test it with `instanceof`). */
function apiError<const Name extends string>(name: Name) {
  return class extends Error {
    override readonly name: Name = name;
  };
}

export const ExecutionAlreadyExists = apiError('ExecutionAlreadyExists');
export const ExecutionDoesNotExist = apiError('ExecutionDoesNotExist');
export const InvalidName = apiError('InvalidName');
/** Thrown by sendTaskSuccess/sendTaskFailure for a token that is unknown, already settled, timed out or stopped. */
export const TaskDoesNotExist = apiError('TaskDoesNotExist');
export const StateMachineAlreadyExists = apiError('StateMachineAlreadyExists');
export const StateMachineDoesNotExist = apiError('StateMachineDoesNotExist');

/** What `done` rejects with when an execution does not succeed: named after the execution's error. */
export class ExecutionNotSucceeded extends Error {
  constructor(
    readonly executionName: string,
    readonly status: Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>,
    readonly error: string,
    readonly errorCause: string | undefined,
  ) {
    super(`${executionName} ${status}: ${error}${errorCause ? ` (${errorCause})` : ''}`);
    this.name = error;
  }
}

/**
 * R3: the library tells a timeout apart from other task failures with `instanceof` on its own (not
 * exported) StatesTimeoutError: `States.TaskFailed` matches any task error except that class, as in AWS.
 * An error merely *named* 'States.Timeout' would be caught by a `States.TaskFailed` catcher placed first.
 * So the class is taken once from a 1 ms library timeout; should a later version change, a named error
 * is the fallback (right for catchers on 'States.Timeout' and 'States.ALL').
 */
export const StatesTimeoutError: new () => Error = await probeStatesTimeoutError();

async function probeStatesTimeoutError(): Promise<new () => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 0.001, End: true },
      },
    } as unknown as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
  const never = new Promise<never>(() => {});
  try {
    await probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => never } } }).result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') {
      return cause.constructor as new () => Error;
    }
  }
  return class extends Error {
    constructor() {
      super('States.Timeout');
      this.name = 'States.Timeout';
    }
  };
}

/** States.Runtime: neither retried nor caught (the library reads these two flags), as in AWS. */
export class StatesRuntimeError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** An error a Retry or Catch matches by this name (a callback's sendTaskFailure error, a Lambda's errorType). */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
