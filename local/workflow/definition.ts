/**
 * The definition transforms: how the state machine the CDK app synthesizes (an Amazon States Language
 * definition, JSONPath) becomes a copy that aws-local-stepfunctions 3.0.0 runs as AWS would. The library
 * runs the *transformed copy*; the original is only validated, so what AWS would refuse is refused here
 * too. Each transform answers a fidelity gap of the library (README, "Local fidelity transforms") and is
 * documented beside its code:
 *   T1 callback tasks: timeouts and heartbeats stripped, enforced on the LocalClock (gaps 1, 2, 4)
 *   T2 TimeoutSecondsPath: evaluated through Parameters against the state's input, as in AWS (gap 1)
 *   T3 every bound Task gets the largest TimeoutSeconds a Node timer can hold (gap 4: no 60 s default)
 *   T4 Wait states become local Tasks that sleep on the LocalClock (gap 2)
 *   T5 the execution's own TimeoutSeconds is enforced on the LocalClock (gap 2)
 *   T6 Retry intervals scaled by `retryScale` (default 1: real seconds, as in AWS)
 *   T7 `$$.Execution.StartTime` reads the LocalClock's start instant, not the real one
 * Each transform leaves a StatePlan per state: what the run-time side (local-workflow.ts, lambda.ts,
 * task-tokens.ts, timers.ts) must do when the library reaches that state.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StatesRuntimeError } from './errors.ts';
import type { Json, JsonObject } from './json.ts';
import { NODE_TIMER_MAX_SECONDS } from './timers.ts';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
export const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
/** Resource of the Tasks that stand in for Wait states (T4); only this runtime's override ever sees it. */
const LOCAL_WAIT = 'arn:aws:states:::local:wait';

/** How the runtime binds one (possibly transformed) state. */
export type StatePlan =
  | {
      kind: 'lambda';
      originalType: 'Task';
      timeoutSeconds?: number;
      timeoutFromPath: boolean;
      resourceFunction?: string;
    }
  | { kind: 'callback'; originalType: 'Task'; timeoutSeconds?: number; timeoutFromPath: boolean }
  | { kind: 'wait'; originalType: 'Wait' };

export type TaskPlan = Extract<StatePlan, { kind: 'lambda' | 'callback' }>;

export interface PreparedDefinition {
  /** The library's state machine, built from the transformed copy. */
  machine: StateMachine;
  /** Every bound state by name, nested ones (Parallel branches, Map iterations) included. */
  plans: ReadonlyMap<string, StatePlan>;
  /** T5: the execution's TimeoutSeconds, for the LocalClock. */
  timeoutSeconds: number | undefined;
}

export interface PrepareOptions {
  /** T6: multiplies every Retry interval (and MaxDelaySeconds). */
  retryScale: number;
  /** Validate the original definition with the library's ASL validator. */
  validate: boolean;
  /** Whether a Lambda function (name, ARN or qualified) has a local handler: an unbound Task is refused here. */
  hasHandler: (functionName: string) => boolean;
}

export function prepareDefinition(
  definition: Record<string, unknown>,
  options: PrepareOptions,
): PreparedDefinition {
  if (!Number.isFinite(options.retryScale) || options.retryScale < 0) {
    throw new RangeError(`retryScale must be >= 0, got ${options.retryScale}`);
  }
  // The original is what AWS would accept or refuse: validate it, run the transformed copy unvalidated
  // (its synthetic Wait tasks and fractional retry intervals are not valid ASL, only valid input here).
  if (options.validate) new StateMachine(definition as unknown as StateMachineDefinition);
  const transformed = structuredClone(definition) as JsonObject;

  // T5: the library would enforce the execution's TimeoutSeconds with one Node timer (a 30-day timeout
  // would end the run at once, gap 2). It is removed here; LocalWorkflow.start() sets a LocalClock timer.
  const timeoutSeconds =
    typeof transformed.TimeoutSeconds === 'number' ? transformed.TimeoutSeconds : undefined;
  delete transformed.TimeoutSeconds;

  const plans = new Map<string, StatePlan>();
  transformStates(transformed, plans, options);
  rewriteStartTime(transformed);
  const machine = new StateMachine(transformed as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  return { machine, plans, timeoutSeconds };
}

function transformStates(machine: JsonObject, plans: Map<string, StatePlan>, options: PrepareOptions): void {
  const states = machine.States as Record<string, JsonObject>;
  for (const [name, state] of Object.entries(states)) {
    if (plans.has(name)) {
      throw new Error(`State name '${name}' appears twice; ASL wants names unique in the whole machine`);
    }
    if (state.Type === 'Task') plans.set(name, transformTask(name, state, options.hasHandler));
    if (state.Type === 'Wait') {
      states[name] = transformWait(state);
      plans.set(name, { kind: 'wait', originalType: 'Wait' });
    }
    if (state.Type === 'Parallel') {
      for (const branch of state.Branches as JsonObject[]) transformStates(branch, plans, options);
    }
    if (state.Type === 'Map') {
      transformStates((state.ItemProcessor ?? state.Iterator) as JsonObject, plans, options);
    }
    if (Array.isArray(state.Retry)) scaleRetry(state.Retry as JsonObject[], options.retryScale);
  }
}

function transformTask(
  name: string,
  state: JsonObject,
  hasHandler: (functionName: string) => boolean,
): StatePlan {
  const resource = String(state.Resource);
  const arn = LAMBDA_ARN.exec(resource);
  if (resource !== LAMBDA_INVOKE && resource !== LAMBDA_CALLBACK && !arn) {
    throw new Error(`State '${name}': resource ${resource} has no local binding (only Lambda tasks do)`);
  }
  const staticFunction = arn ? resource : (state.Parameters as JsonObject | undefined)?.FunctionName;
  if (typeof staticFunction === 'string' && !hasHandler(staticFunction)) {
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
    // InputPath, like Parameters), with the library's own JSONPath; unwrapParameters takes it out again.
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

/** T2's counterpart at run time: the state's real Parameters and the evaluated TimeoutSecondsPath. */
export function unwrapParameters(
  plan: TaskPlan,
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
 * T4: a Wait state as a local Task (Wait has InputPath/OutputPath only; the Task keeps both). The library
 * would sleep with one Node timer (gap 2: a Wait until next year returns at once, and a sleep in real
 * milliseconds ignores a LocalClock that is moved); the Task's override sleeps on the LocalClock instead
 * (timers.ts, sleepThroughWait). The plan keeps 'Wait' as the state's type in the reported events.
 */
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

/** T7: where the LocalClock's start instant sits in the context object. */
const LOCAL_START_TIME_PATH = '$$.LocalExecution.StartTime';

/** T7, at run time: the part of the context object the rewritten paths read. */
export function localStartTimeContext(startTime: string): { LocalExecution: { StartTime: string } } {
  return { LocalExecution: { StartTime: startTime } };
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
