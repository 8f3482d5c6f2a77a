/**
 * Callback tasks (`lambda:invoke.waitForTaskToken`) and their task tokens, for one local account.
 *
 * The library has no callback API (gap 4): a Task override's returned promise is the task's result. So a
 * callback task is emulated by an override that invokes the Lambda with a token of its own, then returns
 * a promise that the local SendTaskSuccess/SendTaskFailure settles, or its timeout on the LocalClock, or
 * a stop of the execution. Heartbeats are not emulated (T1 strips them).
 *
 * Tokens are account-wide, as in AWS (SendTaskSuccess names no state machine): several state machines
 * sharing one registry can resume each other's tasks through any of them.
 */
import { randomUUID } from 'node:crypto';
import type { LocalClock, LocalTimer } from '../clock.ts';
import { namedError, StatesRuntimeError, StatesTimeoutError, TaskDoesNotExist } from './errors.ts';
import { bump, type ExecutionRecord } from './executions.ts';
import { type JsonObject, toJson } from './json.ts';
import type { LambdaFunctions } from './lambda.ts';
import { callbackDeadline } from './timers.ts';

/**
 * R1: what `$$.Task.Token` evaluates to in the library. The token comes from the context passed at run
 * start, so every task in a run would see the same one (gap 3); each callback invocation replaces this
 * placeholder with a fresh token wherever the definition put it.
 */
export const TOKEN_PLACEHOLDER = 'LOCAL-TASK-TOKEN';

/** Reports one task event (TaskSubmitted, TaskSucceeded, TaskFailed, TaskTimedOut) for its execution and state. */
export type TaskEventReporter = (type: string, detail: unknown) => void;

export interface CallbackInvocation {
  execution: ExecutionRecord;
  state: string;
  /** The state's Parameters as the library evaluated them (`FunctionName`, `Payload`). */
  parameters: unknown;
  timeoutSeconds: number | undefined;
  functions: LambdaFunctions;
  report: TaskEventReporter;
}

interface PendingTask {
  execution: ExecutionRecord;
  state: string;
  resolve: (output: unknown) => void;
  reject: (error: unknown) => void;
  report: TaskEventReporter;
  timer?: LocalTimer;
}

export class TaskTokens {
  readonly #clock: LocalClock;
  readonly #pending = new Map<string, PendingTask>();

  constructor(clock: LocalClock) {
    this.#clock = clock;
  }

  /** One invocation of a callback task: resolves with sendTaskSuccess's output, rejects on failure or timeout. */
  async run(call: CallbackInvocation): Promise<unknown> {
    const { execution, state, report } = call;
    // R1: a token of this invocation's own in place of the run's shared placeholder, wherever
    // `$$.Task.Token` was put (a retry of the state gets a new one, as in AWS).
    execution.taskCount += 1;
    let token: string;
    do {
      // Unique across the account: executions of two state machines may share a name.
      token = `${execution.name}:${slug(state)}:${execution.taskCount}:${randomUUID().slice(0, 8)}`;
    } while (this.#pending.has(token));
    const request = replaceString(call.parameters, TOKEN_PLACEHOLDER, token) as JsonObject;
    const payload = request.Payload ?? {};

    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // Settled (a timeout, a stop) while the handler still runs: awaited below, not an unhandled rejection.
    promise.catch(() => {});
    const task: PendingTask = { execution, state, resolve, reject, report };
    this.#pending.set(token, task);
    execution.tokens.add(token);

    // T1: the timeout, on the LocalClock (timers.ts).
    const deadline = callbackDeadline(this.#clock, payload, call.timeoutSeconds);
    // Reported once the library's own events of this moment (StateEntered...) have been passed on.
    setImmediate(() =>
      report('TaskSubmitted', { token, ...(deadline ? { deadline: deadline.toISO() } : {}) }),
    );
    if (deadline) {
      task.timer = this.#clock.at(deadline, () => {
        if (this.#pending.get(token) !== task) return;
        this.#forget(token);
        report('TaskTimedOut', { token, deadline: deadline.toISO() });
        reject(new StatesTimeoutError());
      });
    }
    try {
      // As in AWS, a failing invocation fails the task; its result is not the task's result.
      await call.functions.invoke(request.FunctionName, payload);
    } catch (error) {
      if (this.#pending.get(token) === task) {
        this.#forget(token);
        task.timer?.cancel();
        reject(error);
      }
    }
    const parked = this.#pending.get(token) === task;
    if (parked) bump(execution.parked, state, 1);
    try {
      return await promise;
    } finally {
      if (parked) bump(execution.parked, state, -1);
    }
  }

  /** SendTaskSuccess: the task's result is the output, as JSON. */
  succeed(token: string, output: unknown): void {
    const jsonOutput = toJson(output);
    const task = this.#take(token);
    task.timer?.cancel();
    task.report('TaskSucceeded', { token, output: jsonOutput });
    task.resolve(jsonOutput);
  }

  /** SendTaskFailure: the task fails with this error name, which a Retry or Catch matches. */
  fail(token: string, error: string, cause?: string): void {
    const task = this.#take(token);
    task.timer?.cancel();
    task.report('TaskFailed', { token, error, cause });
    task.reject(namedError(error, cause ?? ''));
  }

  /**
   * The execution stopped: its parked tasks settle so the library unwinds (and clears its timers), with
   * States.Runtime (neither retried nor caught); their tokens become invalid.
   */
  closeAll(execution: ExecutionRecord, reason: string): void {
    for (const token of [...execution.tokens]) {
      const task = this.#pending.get(token);
      this.#forget(token);
      task?.timer?.cancel();
      task?.reject(new StatesRuntimeError(reason));
    }
  }

  #take(token: string): PendingTask {
    const task = this.#pending.get(token);
    if (!task) {
      throw new TaskDoesNotExist(`Task does not exist (unknown, settled, timed out or stopped): ${token}`);
    }
    this.#forget(token);
    return task;
  }

  #forget(token: string): void {
    const task = this.#pending.get(token);
    this.#pending.delete(token);
    task?.execution.tokens.delete(token);
  }
}

function replaceString(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.replaceAll(search, () => replacement);
  if (Array.isArray(value)) return value.map((item) => replaceString(item, search, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceString(item, search, replacement)]),
    );
  }
  return value;
}

/** A state name as a token part: 'Partner approval' -> 'Partner-approval'. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '');
}
