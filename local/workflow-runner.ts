/**
 * Runs the state machine the CDK app deploys (an Amazon States Language definition, JSONPath) on this
 * machine with aws-local-stepfunctions, binding every Task state to local handler code, emulating the
 * callback (.waitForTaskToken) pattern and driving task timeouts, Wait states and the execution timeout
 * by the LocalClock.
 *
 * The library runs a *transformed copy* of the definition; the original is only validated. Each transform
 * is documented beside its code (toolchain.md, "aws-local-stepfunctions 3.0.0: fidelity gaps found"):
 *   T1 callback tasks: timeouts and heartbeats stripped, enforced here on the LocalClock (gaps 1, 2, 4)
 *   T2 TimeoutSecondsPath: evaluated through Parameters against the state's input, as in AWS (gap 1)
 *   T3 every bound Task gets the largest TimeoutSeconds a Node timer can hold (gap 4: no 60 s default)
 *   T4 Wait states become local Tasks that sleep on the LocalClock (gap 2)
 *   T5 the execution's own TimeoutSeconds is enforced on the LocalClock (gap 2)
 *   T6 Retry intervals scaled by `retryScale` (default 1: real seconds, as in AWS)
 *   T7 `$$.Execution.StartTime` reads the LocalClock's start instant, not the real one
 * and at run time:
 *   R1 one placeholder `$$.Task.Token` per run, replaced by a fresh token per task invocation (gap 3)
 *   R2 Lambda results wrapped as AWS's lambda:invoke returns them; thrown errors named as Lambda names them
 *   R3 a timeout raised here is the library's own States.Timeout class, so States.TaskFailed skips it
 */
import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { DateTime } from 'luxon';
import type { LocalClock, LocalTimer } from './clock.ts';

export type LocalTaskHandler = (payload: unknown) => Promise<unknown>;

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

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionDescription {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Local-clock instants. */
  startDate: string;
  stopDate?: string;
}

export class ExecutionAlreadyExists extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}
export class ExecutionDoesNotExist extends Error {
  override readonly name = 'ExecutionDoesNotExist';
}
export class InvalidName extends Error {
  override readonly name = 'InvalidName';
}
/** Thrown by sendTaskSuccess/sendTaskFailure for a token that is unknown, already settled, timed out or stopped. */
export class TaskDoesNotExist extends Error {
  override readonly name = 'TaskDoesNotExist';
}

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

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
/** Resource of the Tasks that stand in for Wait states (T4); only this runner's override ever sees it. */
const LOCAL_WAIT = 'arn:aws:states:::local:wait';
/** R1: what `$$.Task.Token` evaluates to in the library; replaced per task invocation. */
const TOKEN_PLACEHOLDER = 'LOCAL-TASK-TOKEN';
/** Node fires a timer over 2^31-1 ms at once: the largest TimeoutSeconds the library can safely hold. */
const NODE_TIMER_MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** T7: where the LocalClock's start instant sits in the context object. */
const LOCAL_START_TIME_PATH = '$$.LocalExecution.StartTime';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type TaskOverride = (input: unknown) => Promise<unknown>;
type LibraryTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LibraryEvent = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

/** How the runner binds one (possibly transformed) state. */
type StatePlan =
  | {
      kind: 'lambda';
      originalType: 'Task';
      timeoutSeconds?: number;
      timeoutFromPath: boolean;
      resourceFunction?: string;
    }
  | { kind: 'callback'; originalType: 'Task'; timeoutSeconds?: number; timeoutFromPath: boolean }
  | { kind: 'wait'; originalType: 'Wait' };

/**
 * R3: the library tells a timeout apart from other task failures with `instanceof` on its own (not
 * exported) StatesTimeoutError: `States.TaskFailed` matches any task error except that class, as in AWS.
 * An error merely *named* 'States.Timeout' would be caught by a `States.TaskFailed` catcher placed first.
 * So the class is taken once from a 1 ms library timeout; should a later version change, a named error
 * is the fallback (right for catchers on 'States.Timeout' and 'States.ALL').
 */
const StatesTimeoutError: new () => Error = await probeStatesTimeoutError();

async function probeStatesTimeoutError(): Promise<new () => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: { Probe: { Type: 'Task', Resource: LAMBDA_INVOKE, TimeoutSeconds: 0.001, End: true } },
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
class StatesRuntimeError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

interface PendingTask {
  execution: ExecutionRecord;
  state: string;
  resolve: (output: unknown) => void;
  reject: (error: unknown) => void;
  timer?: LocalTimer;
}

interface ExecutionRecord {
  name: string;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: DateTime;
  stopDate?: DateTime;
  /** Aborts the LocalClock sleeps of this execution. */
  controller: AbortController;
  abortRun: () => void;
  tokens: Set<string>;
  timeoutTimer?: LocalTimer;
  taskCount: number;
  /** For idle(): states entered and not yet exited, and states waiting on a token or the clock. */
  inFlight: Map<string, number>;
  parked: Map<string, number>;
}

export class LocalWorkflow {
  readonly #clock: LocalClock;
  readonly #onEvent: ((event: LocalWorkflowEvent) => void) | undefined;
  readonly #machine: StateMachine;
  readonly #plans = new Map<string, StatePlan>();
  readonly #machineTimeoutSeconds: number | undefined;
  readonly #handlers: Map<string, LocalTaskHandler>;
  readonly #stateMachineName: string;
  readonly #retryScale: number;
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #pending = new Map<string, PendingTask>();
  #activeHandlers = 0;
  #eventSeq = 0;

  constructor(options: LocalWorkflowOptions) {
    this.#clock = options.clock;
    this.#onEvent = options.onEvent;
    this.#stateMachineName = options.stateMachineName ?? 'LocalStateMachine';
    this.#retryScale = options.retryScale ?? 1;
    if (!Number.isFinite(this.#retryScale) || this.#retryScale < 0) {
      throw new RangeError(`retryScale must be >= 0, got ${this.#retryScale}`);
    }
    this.#handlers = indexHandlers(options.lambdaHandlers);

    // The original is what AWS would accept or refuse: validate it, run the transformed copy unvalidated
    // (its synthetic Wait tasks and fractional retry intervals are not valid ASL, only valid input here).
    if (options.validate !== false) new StateMachine(options.definition as unknown as StateMachineDefinition);
    const transformed = structuredClone(options.definition) as JsonObject;

    // T5: the library would enforce the execution's TimeoutSeconds with one Node timer (a 30-day timeout
    // would end the run at once, gap 2). It is removed here and enforced on the LocalClock in start().
    if (typeof transformed.TimeoutSeconds === 'number') {
      this.#machineTimeoutSeconds = transformed.TimeoutSeconds;
    }
    delete transformed.TimeoutSeconds;

    this.#transformMachine(transformed);
    rewriteStartTime(transformed);
    this.#machine = new StateMachine(transformed as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
  }

  /** StartExecution: one execution per name; a second start with a known name throws ExecutionAlreadyExists. */
  start(name: string, input: unknown): { executionName: string; done: Promise<unknown> } {
    checkExecutionName(name);
    // AWS would accept a repeated start with the same input while the first is RUNNING (idempotent);
    // here every repeat is refused: the workflow port ignores ExecutionAlreadyExists either way.
    if (this.#executions.has(name)) throw new ExecutionAlreadyExists(`Execution already exists: '${name}'`);
    const jsonInput = toJson(input);
    const startDate = this.#clock.now();
    const execution: ExecutionRecord = {
      name,
      status: 'RUNNING',
      startDate,
      controller: new AbortController(),
      abortRun: () => {},
      tokens: new Set(),
      taskCount: 0,
      inFlight: new Map(),
      parked: new Map(),
    };
    this.#executions.set(name, execution);

    const executionArn = `arn:aws:states:local:000000000000:execution:${this.#stateMachineName}:${name}`;
    const run = this.#machine.run(jsonInput as never, {
      context: {
        // R1: every task of a run sees this one `$$.Task.Token` (gap 3); the callback override swaps it
        // for a token of its own. StartTime here is overwritten by the library with the real time (T7).
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISO()! },
        StateMachine: {
          Id: `arn:aws:states:local:000000000000:stateMachine:${this.#stateMachineName}`,
          Name: this.#stateMachineName,
        },
        Task: { Token: TOKEN_PLACEHOLDER },
        LocalExecution: { StartTime: startDate.toISO()! },
      },
      overrides: {
        taskResourceLocalHandlers: this.#overridesFor(execution) as unknown as LibraryTaskHandlers,
      },
    });
    execution.abortRun = run.abort;
    void this.#forwardEvents(execution, run.eventLogs);

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

  sendTaskSuccess(token: string, output: unknown): void {
    const jsonOutput = toJson(output);
    const task = this.#takePending(token);
    task.timer?.cancel();
    this.#emit(task.execution, 'TaskSucceeded', task.state, { token, output: jsonOutput });
    task.resolve(jsonOutput);
  }

  sendTaskFailure(token: string, error: string, cause?: string): void {
    const task = this.#takePending(token);
    task.timer?.cancel();
    this.#emit(task.execution, 'TaskFailed', task.state, { token, error, cause });
    task.reject(namedError(error, cause ?? ''));
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
    if (!execution) return undefined;
    return {
      status: execution.status,
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      startDate: execution.startDate.toISO()!,
      ...(execution.stopDate ? { stopDate: execution.stopDate.toISO()! } : {}),
    };
  }

  list(): string[] {
    return [...this.#executions.keys()];
  }

  /**
   * Resolves when every RUNNING execution waits on something from outside: a task token
   * (sendTaskSuccess/Failure) or a LocalClock instant (a Wait, a timeout: the clock must move), and no
   * handler is running. Checked on a short real interval until it holds twice in a row.
   */
  async idle(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let lastSeq = -1;
    let quietChecks = 0;
    while (quietChecks < 2) {
      if (Date.now() > deadline) throw new Error('LocalWorkflow.idle: still busy after the timeout');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const quiet = this.#isQuiet() && this.#eventSeq === lastSeq;
      quietChecks = quiet ? quietChecks + 1 : 0;
      lastSeq = this.#eventSeq;
    }
  }

  // ---- the definition's transforms ----

  #transformMachine(machine: JsonObject): void {
    const states = machine.States as Record<string, JsonObject>;
    for (const [name, state] of Object.entries(states)) {
      if (this.#plans.has(name)) {
        throw new Error(`State name '${name}' appears twice; ASL wants names unique in the whole machine`);
      }
      if (state.Type === 'Task') this.#plans.set(name, this.#transformTask(name, state));
      if (state.Type === 'Wait') {
        states[name] = transformWait(state);
        this.#plans.set(name, { kind: 'wait', originalType: 'Wait' });
      }
      if (state.Type === 'Parallel') {
        for (const branch of state.Branches as JsonObject[]) this.#transformMachine(branch);
      }
      if (state.Type === 'Map') this.#transformMachine((state.ItemProcessor ?? state.Iterator) as JsonObject);
      if (Array.isArray(state.Retry)) scaleRetry(state.Retry as JsonObject[], this.#retryScale);
    }
  }

  #transformTask(name: string, state: JsonObject): StatePlan {
    const resource = String(state.Resource);
    const arn = LAMBDA_ARN.exec(resource);
    if (resource !== LAMBDA_INVOKE && resource !== LAMBDA_CALLBACK && !arn) {
      throw new Error(`State '${name}': resource ${resource} has no local binding (only Lambda tasks do)`);
    }
    const staticFunction = arn ? resource : (state.Parameters as JsonObject | undefined)?.FunctionName;
    if (typeof staticFunction === 'string' && !this.#handlerFor(staticFunction)) {
      throw new Error(`State '${name}': no local handler for Lambda function ${staticFunction}`);
    }
    const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
    const timeoutPath = typeof state.TimeoutSecondsPath === 'string' ? state.TimeoutSecondsPath : undefined;
    // T1: heartbeats are not emulated (there is no SendTaskHeartbeat locally); a heartbeat timeout would
    // otherwise be read by nobody. T1 and T3: the state's timeout moves into the plan and the override
    // enforces it: on the LocalClock for a callback task (it waits for days), in real seconds for a plain
    // Lambda call (a handler runs in real time). The library keeps only a timer it can hold (gap 2), big
    // enough never to fire first, instead of its own 60 s default (gap 4).
    delete state.HeartbeatSeconds;
    delete state.HeartbeatSecondsPath;
    delete state.TimeoutSecondsPath;
    state.TimeoutSeconds = NODE_TIMER_MAX_SECONDS;
    if (timeoutPath) {
      // T2: the library reads TimeoutSecondsPath from the input *after* Parameters (gap 1); AWS reads it from
      // the state's input. Evaluating the path as one more Parameters field reads it from that input (after
      // InputPath, like Parameters), with the library's own JSONPath; the override takes it out again.
      state.Parameters = {
        ...('Parameters' in state ? { parameters: state.Parameters as Json } : { 'input.$': '$' }),
        'timeoutSeconds.$': timeoutPath,
      };
    }
    const common = {
      originalType: 'Task' as const,
      timeoutSeconds,
      timeoutFromPath: timeoutPath !== undefined,
    };
    if (resource === LAMBDA_CALLBACK) return { kind: 'callback', ...common };
    return { kind: 'lambda', ...common, ...(arn ? { resourceFunction: resource } : {}) };
  }

  // ---- run time ----

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
        if (plan.kind === 'wait') return this.#runWait(execution, state, input as JsonObject);
        const { parameters, timeoutSeconds } = unwrapParameters(plan, input);
        if (plan.kind === 'callback') return this.#runCallback(execution, state, parameters, timeoutSeconds);
        return this.#runLambda(plan, parameters, timeoutSeconds);
      };
    }
    return overrides;
  }

  async #runLambda(
    plan: Extract<StatePlan, { kind: 'lambda' }>,
    parameters: unknown,
    timeoutSeconds: number | undefined,
  ): Promise<unknown> {
    // A Task whose Resource is the function's ARN passes its input and returns the function's result as is.
    if (plan.resourceFunction) {
      return this.#withRealTimeout(this.#invoke(plan.resourceFunction, parameters), timeoutSeconds);
    }
    const request = (parameters ?? {}) as JsonObject;
    const payload = await this.#withRealTimeout(
      this.#invoke(request.FunctionName, request.Payload ?? {}),
      timeoutSeconds,
    );
    // R2: the shape of AWS's lambda:invoke result (payloadResponseOnly false), so `$.Payload...` in a
    // ResultSelector or OutputPath works as deployed.
    const requestId = randomUUID();
    const headers = {
      'Content-Type': 'application/json',
      Date: this.#clock.now().toHTTP()!,
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

  async #runCallback(
    execution: ExecutionRecord,
    state: string,
    parameters: unknown,
    timeoutSeconds: number | undefined,
  ): Promise<unknown> {
    // R1: a token of this invocation's own in place of the run's shared placeholder, wherever
    // `$$.Task.Token` was put (a retry of the state gets a new one, as in AWS).
    execution.taskCount += 1;
    const token = `${execution.name}:${slug(state)}:${execution.taskCount}:${randomUUID().slice(0, 8)}`;
    const request = replaceString(parameters, TOKEN_PLACEHOLDER, token) as JsonObject;
    const payload = request.Payload ?? {};

    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // Settled (a timeout, a stop) while the handler still runs: awaited below, not an unhandled rejection.
    promise.catch(() => {});
    const task: PendingTask = { execution, state, resolve, reject };
    this.#pending.set(token, task);
    execution.tokens.add(token);

    // The timeout, on the LocalClock: the payload's `until` (the instant the machine computed, exact at any
    // clock speed), else the state's TimeoutSeconds/TimeoutSecondsPath in local seconds from now.
    const until =
      typeof (payload as JsonObject).until === 'string' ? (payload as JsonObject).until : undefined;
    const untilInstant = until ? DateTime.fromISO(until as string, { zone: 'utc' }) : undefined;
    const deadline = untilInstant?.isValid
      ? untilInstant
      : timeoutSeconds !== undefined
        ? this.#clock.now().plus({ seconds: timeoutSeconds })
        : undefined;
    // Reported once the library's own events of this moment (StateEntered...) have been passed on.
    setImmediate(() =>
      this.#emit(execution, 'TaskSubmitted', state, {
        token,
        ...(deadline ? { deadline: deadline.toISO() } : {}),
      }),
    );
    if (deadline) {
      task.timer = this.#clock.at(deadline, () => {
        if (this.#pending.get(token) !== task) return;
        this.#forget(token);
        this.#emit(execution, 'TaskTimedOut', state, { token, deadline: deadline.toISO() });
        reject(new StatesTimeoutError());
      });
    }
    try {
      // As in AWS, a failing invocation fails the task; its result is not the task's result.
      await this.#invoke(request.FunctionName, payload);
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

  async #runWait(execution: ExecutionRecord, state: string, request: JsonObject): Promise<unknown> {
    // T4: the Wait's fields as the library evaluated them, on the LocalClock.
    let deadline: DateTime;
    if ('seconds' in request) {
      const seconds = request.seconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw new StatesRuntimeError(
          `Wait '${state}': seconds must be a non-negative integer, got ${seconds}`,
        );
      }
      deadline = this.#clock.now().plus({ seconds });
    } else {
      deadline = DateTime.fromISO(String(request.timestamp), { zone: 'utc' });
      if (!deadline.isValid) {
        throw new StatesRuntimeError(`Wait '${state}': invalid timestamp ${request.timestamp}`);
      }
    }
    bump(execution.parked, state, 1);
    try {
      await this.#clock.sleepUntil(deadline, execution.controller.signal);
    } finally {
      bump(execution.parked, state, -1);
    }
    return request.input;
  }

  /** Calls a Lambda handler as Lambda would: JSON in, JSON out, a thrown error named as Lambda names it. */
  async #invoke(functionName: unknown, payload: unknown): Promise<unknown> {
    const handler = typeof functionName === 'string' ? this.#handlerFor(functionName) : undefined;
    if (!handler) {
      throw namedError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${String(functionName)} (no local handler)`,
      );
    }
    this.#activeHandlers += 1;
    try {
      return toJson(await handler(toJson(payload)));
    } catch (error) {
      throw lambdaError(error);
    } finally {
      this.#activeHandlers -= 1;
    }
  }

  /** A plain Lambda call's TimeoutSeconds counts real seconds (the handler runs in real time). */
  async #withRealTimeout<T>(work: Promise<T>, timeoutSeconds: number | undefined): Promise<T> {
    if (timeoutSeconds === undefined || timeoutSeconds > NODE_TIMER_MAX_SECONDS) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StatesTimeoutError()), timeoutSeconds * 1000);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #handlerFor(functionName: string): LocalTaskHandler | undefined {
    return this.#handlers.get(functionName) ?? this.#handlers.get(bareFunctionName(functionName));
  }

  #takePending(token: string): PendingTask {
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
    // Parked tasks settle so the library unwinds (and clears its timers); their tokens become invalid.
    for (const token of [...execution.tokens]) {
      const task = this.#pending.get(token);
      this.#forget(token);
      task?.timer?.cancel();
      task?.reject(new StatesRuntimeError(`execution ${status}`));
    }
  }

  #close(execution: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>): void {
    execution.status = status;
    execution.stopDate = this.#clock.now();
    execution.timeoutTimer?.cancel();
  }

  #isQuiet(): boolean {
    if (this.#activeHandlers > 0) return false;
    for (const execution of this.#executions.values()) {
      if (execution.status !== 'RUNNING') continue;
      let inFlight = 0;
      for (const [state, count] of execution.inFlight) {
        inFlight += count;
        if (count > (execution.parked.get(state) ?? 0)) return false;
      }
      if (inFlight === 0) return false;
    }
    return true;
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
    this.#eventSeq += 1;
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

// ---- helpers ----

/** T4: a Wait state as a local Task (Wait has InputPath/OutputPath only; the Task keeps both). */
function transformWait(state: JsonObject): JsonObject {
  const { Type: _type, Seconds, Timestamp, SecondsPath, TimestampPath, ...kept } = state;
  const when: JsonObject =
    Seconds !== undefined
      ? { seconds: Seconds }
      : Timestamp !== undefined
        ? { timestamp: Timestamp }
        : SecondsPath !== undefined
          ? { 'seconds.$': SecondsPath }
          : { 'timestamp.$': TimestampPath ?? null };
  return {
    ...kept,
    Type: 'Task',
    Resource: LOCAL_WAIT,
    // The Wait's paths are evaluated by the library's own JSONPath, against the Wait's input.
    Parameters: { 'input.$': '$', ...when },
    TimeoutSeconds: NODE_TIMER_MAX_SECONDS,
  };
}

/** T6: shorter (or longer) Retry intervals; the back-off rate and attempt counts are kept. */
function scaleRetry(retriers: JsonObject[], scale: number): void {
  if (scale === 1) return;
  for (const retrier of retriers) {
    retrier.IntervalSeconds =
      (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale;
    if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= scale;
  }
}

/**
 * T7: the library overwrites `$$.Execution.StartTime` with the real time; paths that read it read the
 * LocalClock's start instant instead (only in path-valued fields: keys ending in `.$` or `Path`, and
 * Choice `Variable`s).
 */
function rewriteStartTime(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteStartTime(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const isPath = key.endsWith('.$') || key.endsWith('Path') || key === 'Variable';
    if (isPath && typeof value === 'string') {
      node[key] = value.replaceAll('$$.Execution.StartTime', () => LOCAL_START_TIME_PATH);
    } else {
      rewriteStartTime(value);
    }
  }
}

/** T2's counterpart: the state's real Parameters and the evaluated TimeoutSecondsPath. */
function unwrapParameters(
  plan: Extract<StatePlan, { kind: 'lambda' | 'callback' }>,
  input: unknown,
): { parameters: unknown; timeoutSeconds: number | undefined } {
  if (!plan.timeoutFromPath) return { parameters: input, timeoutSeconds: plan.timeoutSeconds };
  const envelope = input as JsonObject;
  const seconds = envelope.timeoutSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
    throw new StatesRuntimeError(
      `TimeoutSecondsPath must give a positive integer, got ${JSON.stringify(seconds)}`,
    );
  }
  return {
    parameters: 'parameters' in envelope ? envelope.parameters : envelope.input,
    timeoutSeconds: seconds,
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

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function notSucceeded(execution: ExecutionRecord): ExecutionNotSucceeded {
  const status = execution.status as Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>;
  return new ExecutionNotSucceeded(
    execution.name,
    status,
    execution.error ?? (status === 'ABORTED' ? 'ExecutionAborted' : 'States.Runtime'),
    execution.cause,
  );
}

function indexHandlers(handlers: Record<string, LocalTaskHandler>): Map<string, LocalTaskHandler> {
  const index = new Map<string, LocalTaskHandler>();
  for (const [key, handler] of Object.entries(handlers)) {
    index.set(key, handler);
    if (!index.has(bareFunctionName(key))) index.set(bareFunctionName(key), handler);
  }
  return index;
}

/** 'arn:aws:lambda:eu-west-1:1:function:name:alias' or 'name:alias' -> 'name'. */
function bareFunctionName(functionName: string): string {
  const arn = LAMBDA_ARN.exec(functionName);
  if (arn) return arn[1]!;
  return functionName.split(':')[0]!;
}

/** JSON in and out, as over the wire: undefined becomes null, dates become strings. */
function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
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

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '');
}

/** AWS's rule for execution names: 1-80 characters, none of whitespace, brackets, wildcards, specials or controls. */
function checkExecutionName(name: string): void {
  const refused = [...name].some((char) => {
    const code = char.codePointAt(0)!;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(char);
  });
  if (name.length < 1 || name.length > 80 || refused) {
    throw new InvalidName(`Invalid execution name: '${name}'`);
  }
}
