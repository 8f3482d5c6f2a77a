/**
 * Executions as Step Functions keeps them: a record per execution name with its status, output or error,
 * and its local-clock start and stop instants, described the way DescribeExecution answers. Also what
 * `idle()` watches across every state machine of a local account (Activity): tests and benches move the
 * LocalClock only once every running execution waits on something from outside, never while a handler
 * still runs.
 */
import type { DateTime } from 'luxon';
import type { LocalTimer } from '../clock.ts';
import { ExecutionNotSucceeded, InvalidName } from './errors.ts';

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

/** One line of ListExecutions: the execution's name, and its description. */
export interface ExecutionSummary extends ExecutionDescription {
  name: string;
}

export interface ExecutionRecord {
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
  /** The callback tasks' tokens still open (task-tokens.ts). */
  tokens: Set<string>;
  timeoutTimer?: LocalTimer;
  /** Callback task invocations so far: part of each token, so a retry gets a new one. */
  taskCount: number;
  /** For idle(): states entered and not yet exited, and states waiting on a token or the clock. */
  inFlight: Map<string, number>;
  parked: Map<string, number>;
}

export function newExecution(name: string, startDate: DateTime): ExecutionRecord {
  return {
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
}

export function describeExecution(execution: ExecutionRecord): ExecutionDescription {
  return {
    status: execution.status,
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    startDate: execution.startDate.toISO()!,
    ...(execution.stopDate ? { stopDate: execution.stopDate.toISO()! } : {}),
  };
}

export function notSucceeded(execution: ExecutionRecord): ExecutionNotSucceeded {
  const status = execution.status as Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>;
  return new ExecutionNotSucceeded(
    execution.name,
    status,
    execution.error ?? (status === 'ABORTED' ? 'ExecutionAborted' : 'States.Runtime'),
    execution.cause,
  );
}

/** AWS's rule for execution names: 1-80 characters, none of whitespace, brackets, wildcards, specials or controls. */
export function checkExecutionName(name: string): void {
  const refused = [...name].some((char) => {
    const code = char.codePointAt(0)!;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(char);
  });
  if (name.length < 1 || name.length > 80 || refused) {
    throw new InvalidName(`Invalid execution name: '${name}'`);
  }
}

export function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

/**
 * What one local account is busy with, across all its state machines: handlers running, events passed
 * on, and the running executions. One account's machines are idle together or not at all (a task of one
 * may start or resume an execution of another).
 */
export class Activity {
  activeHandlers = 0;
  eventSeq = 0;
  readonly #running = new Set<ExecutionRecord>();

  started(execution: ExecutionRecord): void {
    this.#running.add(execution);
  }

  stopped(execution: ExecutionRecord): void {
    this.#running.delete(execution);
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
      const quiet = this.#isQuiet() && this.eventSeq === lastSeq;
      quietChecks = quiet ? quietChecks + 1 : 0;
      lastSeq = this.eventSeq;
    }
  }

  #isQuiet(): boolean {
    if (this.activeHandlers > 0) return false;
    for (const execution of this.#running) {
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
}
