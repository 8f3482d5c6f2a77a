/**
 * One state machine the CDK app deploys, run on this machine by aws-local-stepfunctions: the Step
 * Functions API a local runtime needs (StartExecution, SendTaskSuccess/Failure, StopExecution,
 * DescribeExecution, ListExecutions), every Task state bound to local handler code, and `idle()` for
 * tests and benches that drive the LocalClock.
 *
 * The library runs a transformed copy of the definition (definition.ts, T1-T7). At run time:
 *   R1 one placeholder `$$.Task.Token` per run, replaced by a fresh token per task invocation (task-tokens.ts)
 *   R2 Lambda results wrapped as AWS's lambda:invoke returns them; thrown errors named as Lambda names them (lambda.ts)
 *   R3 a timeout raised here is the library's own States.Timeout class, so States.TaskFailed skips it (errors.ts)
 * Several state machines share task tokens, the clock and `idle()` through a LocalStepFunctions account
 * (account.ts); constructed alone, a LocalWorkflow is an account of its own.
 */
import { ExecutionError, type RunOptions, type StateMachine } from 'aws-local-stepfunctions';
import type { LocalClock } from '../clock.ts';
import { localStartTimeContext, prepareDefinition, type StatePlan, unwrapParameters } from './definition.ts';
import { ExecutionAlreadyExists, ExecutionDoesNotExist, StatesRuntimeError } from './errors.ts';
import {
  Activity,
  bump,
  checkExecutionName,
  describeExecution,
  type ExecutionDescription,
  type ExecutionRecord,
  type ExecutionStatus,
  type ExecutionSummary,
  newExecution,
  notSucceeded,
} from './executions.ts';
import { type JsonObject, toJson } from './json.ts';
import { LambdaFunctions, type LocalTaskHandler } from './lambda.ts';
import { TaskTokens, TOKEN_PLACEHOLDER } from './task-tokens.ts';
import { sleepThroughWait } from './timers.ts';

export interface LocalWorkflowEvent {
  executionName: string;
  /** The library's event types (StateEntered, StateFailed, ...) plus TaskSubmitted, TaskSucceeded, TaskFailed, TaskTimedOut, ExecutionTimedOut. */
  type: string;
  state?: string;
  detail?: unknown;
}

export interface LocalWorkflowOptions {
  /** The ASL definition (JSONPath), as the CDK app synthesizes it. */
  definition: Record<string, unknown>;
  /**
   * Lambda function ARN or name, as it appears in the definition's Parameters.FunctionName (or a Task's
   * Resource ARN), -> handler. A qualified name or ARN (`name:alias`) finds the handler of the bare name.
   * Task states with Resource 'arn:aws:states:::lambda:invoke' and
   * 'arn:aws:states:::lambda:invoke.waitForTaskToken' call the handler with Parameters.Payload
   * (already evaluated by the library).
   */
  lambdaHandlers: Record<string, LocalTaskHandler>;
  clock: LocalClock;
  /** Called with every execution event (for logging). Exceptions thrown here are ignored. */
  onEvent?: (event: LocalWorkflowEvent) => void;
  /** Multiplies every Retry interval (and MaxDelaySeconds). @default 1 (real seconds, as in AWS) */
  retryScale?: number;
  /** Name in `$$.StateMachine` and the execution ARNs. @default 'LocalStateMachine' */
  stateMachineName?: string;
  /** Validate the original definition with the library's ASL validator. @default true */
  validate?: boolean;
}

/** What the state machines of one local account share (account.ts). */
export interface LocalAccount {
  clock: LocalClock;
  tasks: TaskTokens;
  activity: Activity;
}

type TaskOverride = (input: unknown) => Promise<unknown>;
type LibraryTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LibraryEvent = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

export class LocalWorkflow {
  readonly stateMachineName: string;
  readonly #clock: LocalClock;
  readonly #onEvent: ((event: LocalWorkflowEvent) => void) | undefined;
  readonly #machine: StateMachine;
  readonly #plans: ReadonlyMap<string, StatePlan>;
  readonly #machineTimeoutSeconds: number | undefined;
  readonly #functions: LambdaFunctions;
  readonly #tasks: TaskTokens;
  readonly #activity: Activity;
  readonly #executions = new Map<string, ExecutionRecord>();

  /** `account`: the LocalStepFunctions this state machine belongs to; alone, it is an account of its own. */
  constructor(options: LocalWorkflowOptions, account?: LocalAccount) {
    if (account && account.clock !== options.clock) {
      throw new Error('A state machine runs on the clock of its account');
    }
    this.#clock = options.clock;
    this.#tasks = account?.tasks ?? new TaskTokens(options.clock);
    this.#activity = account?.activity ?? new Activity();
    this.#onEvent = options.onEvent;
    this.stateMachineName = options.stateMachineName ?? 'LocalStateMachine';
    this.#functions = new LambdaFunctions(options.lambdaHandlers, this.#activity);
    const prepared = prepareDefinition(options.definition, {
      retryScale: options.retryScale ?? 1,
      validate: options.validate !== false,
      hasHandler: (functionName) => this.#functions.has(functionName),
    });
    this.#machine = prepared.machine;
    this.#plans = prepared.plans;
    this.#machineTimeoutSeconds = prepared.timeoutSeconds;
  }

  /** StartExecution: one execution per name; a second start with a known name throws ExecutionAlreadyExists. */
  start(name: string, input: unknown): { executionName: string; done: Promise<unknown> } {
    checkExecutionName(name);
    // AWS would accept a repeated start with the same input while the first is RUNNING (idempotent);
    // here every repeat is refused: the workflow port ignores ExecutionAlreadyExists either way.
    if (this.#executions.has(name)) throw new ExecutionAlreadyExists(`Execution already exists: '${name}'`);
    const jsonInput = toJson(input);
    const startDate = this.#clock.now();
    const execution = newExecution(name, startDate);
    this.#executions.set(name, execution);
    this.#activity.started(execution);

    const machineArn = `arn:aws:states:local:000000000000:stateMachine:${this.stateMachineName}`;
    const executionArn = `arn:aws:states:local:000000000000:execution:${this.stateMachineName}:${name}`;
    const run = this.#machine.run(jsonInput as never, {
      context: {
        // R1: every task of a run sees this one `$$.Task.Token` (gap 3); the callback override swaps it
        // for a token of its own. StartTime here is overwritten by the library with the real time (T7).
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISO()! },
        StateMachine: { Id: machineArn, Name: this.stateMachineName },
        Task: { Token: TOKEN_PLACEHOLDER },
        ...localStartTimeContext(startDate.toISO()!),
      },
      overrides: {
        taskResourceLocalHandlers: this.#overridesFor(execution) as unknown as LibraryTaskHandlers,
      },
    });
    execution.abortRun = run.abort;
    void this.#forwardEvents(execution, run.eventLogs);

    // T5: the execution's TimeoutSeconds, taken out of the definition, counts on the LocalClock.
    if (this.#machineTimeoutSeconds !== undefined) {
      execution.timeoutTimer = this.#clock.at(startDate.plus({ seconds: this.#machineTimeoutSeconds }), () =>
        this.#terminate(execution, 'TIMED_OUT', 'States.Timeout', 'The execution reached its TimeoutSeconds'),
      );
    }

    const done = run.result.then(
      (output) => {
        if (execution.status === 'RUNNING') {
          this.#close(execution, 'SUCCEEDED');
          execution.output = output;
          return output;
        }
        throw notSucceeded(execution);
      },
      (error: unknown) => {
        if (execution.status === 'RUNNING') {
          const failure = error instanceof ExecutionError ? error.cause : error;
          execution.error = failure instanceof Error ? failure.name : 'States.Runtime';
          execution.cause = failure instanceof Error ? failure.message : String(failure);
          this.#close(execution, 'FAILED');
        }
        throw notSucceeded(execution);
      },
    );
    // Callers may start and forget (the workflow port does): a failed run must not be an unhandled rejection.
    done.catch(() => {});
    return { executionName: name, done };
  }

  /** SendTaskSuccess. Tokens are account-wide: one of another state machine of the account is found too. */
  sendTaskSuccess(token: string, output: unknown): void {
    this.#tasks.succeed(token, output);
  }

  /** SendTaskFailure. Tokens are account-wide, as for sendTaskSuccess. */
  sendTaskFailure(token: string, error: string, cause?: string): void {
    this.#tasks.fail(token, error, cause);
  }

  /** StopExecution: the run is aborted (status ABORTED) and its task tokens stop being valid. */
  stopExecution(name: string, cause?: string): void {
    const execution = this.#executions.get(name);
    if (!execution) throw new ExecutionDoesNotExist(`Execution does not exist: '${name}'`);
    this.#terminate(execution, 'ABORTED', undefined, cause);
  }

  /** Stops every running execution (the local runtime's shutdown). */
  stopAll(cause = 'local runtime stopped'): void {
    for (const execution of this.#executions.values()) {
      this.#terminate(execution, 'ABORTED', undefined, cause);
    }
  }

  describe(name: string): ExecutionDescription | undefined {
    const execution = this.#executions.get(name);
    return execution ? describeExecution(execution) : undefined;
  }

  /** The execution names, in start order. */
  list(): string[] {
    return [...this.#executions.keys()];
  }

  /** ListExecutions: every execution (or those of one status) with its description, in start order. */
  executions(filter: { status?: ExecutionStatus } = {}): ExecutionSummary[] {
    return [...this.#executions.values()]
      .filter((execution) => filter.status === undefined || execution.status === filter.status)
      .map((execution) => ({ name: execution.name, ...describeExecution(execution) }));
  }

  /**
   * Resolves when every RUNNING execution (of every state machine of the account) waits on something
   * from outside: a task token (sendTaskSuccess/Failure) or a LocalClock instant (a Wait, a timeout: the
   * clock must move), and no handler is running.
   */
  idle(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#activity.idle(options);
  }

  #overridesFor(execution: ExecutionRecord): Record<string, TaskOverride> {
    const overrides: Record<string, TaskOverride> = {};
    for (const [state, plan] of this.#plans) {
      overrides[state] = async (input) => {
        // Handlers never run inside start() (the library enters the first state synchronously).
        await Promise.resolve();
        // After a stop, retried or caught states call nothing any more while the library unwinds.
        if (execution.status !== 'RUNNING') {
          throw new StatesRuntimeError('The execution is no longer running');
        }
        if (plan.kind === 'wait') return sleepThroughWait(this.#clock, execution, state, input as JsonObject);
        const { parameters, timeoutSeconds } = unwrapParameters(plan, input);
        if (plan.kind === 'lambda')
          return this.#functions.runTask(plan, parameters, timeoutSeconds, this.#clock);
        return this.#tasks.run({
          execution,
          state,
          parameters,
          timeoutSeconds,
          functions: this.#functions,
          report: (type, detail) => this.#emit(execution, type, state, detail),
        });
      };
    }
    return overrides;
  }

  #terminate(
    execution: ExecutionRecord,
    status: 'ABORTED' | 'TIMED_OUT',
    error: string | undefined,
    cause: string | undefined,
  ): void {
    if (execution.status !== 'RUNNING') return;
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    this.#close(execution, status);
    execution.controller.abort(new Error(`execution ${status}`));
    execution.abortRun();
    this.#tasks.closeAll(execution, `execution ${status}`);
  }

  #close(execution: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>): void {
    execution.status = status;
    execution.stopDate = this.#clock.now();
    execution.timeoutTimer?.cancel();
    this.#activity.stopped(execution);
  }

  async #forwardEvents(execution: ExecutionRecord, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    try {
      for await (const event of events) {
        if (!event) continue;
        const { type, timestamp: _timestamp, ...rest } = event;
        let state: string | undefined;
        let detail: Record<string, unknown> = rest;
        if ('state' in event) {
          const { state: stateData, ...others } = rest as typeof rest & {
            state: { name: string; type: string };
          };
          const name = stateData.name;
          state = name;
          // The type the definition gave the state (a Wait stays a Wait, T4).
          const originalType = this.#plans.get(name)?.originalType ?? stateData.type;
          detail = { ...stateData, type: originalType, ...others };
          if (originalType !== 'Parallel' && originalType !== 'Map') {
            if (type === 'StateEntered') bump(execution.inFlight, name, 1);
            if (type === 'StateExited') bump(execution.inFlight, name, -1);
          }
        }
        // The library reports the abort behind a LocalClock execution timeout as an abort.
        const reported =
          type === 'ExecutionAborted' && execution.status === 'TIMED_OUT' ? 'ExecutionTimedOut' : type;
        this.#emit(execution, reported, state, detail);
      }
    } catch {
      // Event logs are for logging only.
    }
  }

  #emit(execution: ExecutionRecord, type: string, state: string | undefined, detail: unknown): void {
    this.#activity.eventSeq += 1;
    try {
      this.#onEvent?.({
        executionName: execution.name,
        type,
        ...(state !== undefined ? { state } : {}),
        detail,
      });
    } catch {
      // A logger's failure never changes a run.
    }
  }
}
