/**
 * A local Step Functions account: several named state machines on one LocalClock (the lifecycle today;
 * later a review workflow, nightly jobs), as one AWS account and region hold them. What the machines
 * share is what AWS shares across them: task tokens (SendTaskSuccess names no state machine), the clock,
 * and, for tests, one notion of idle (a task of one machine may start or resume an execution of another).
 * Execution names are per state machine, as in AWS.
 */
import type { LocalClock } from '../clock.ts';
import { StateMachineAlreadyExists, StateMachineDoesNotExist } from './errors.ts';
import { Activity, type ExecutionStatus, type ExecutionSummary } from './executions.ts';
import { LocalWorkflow, type LocalWorkflowEvent, type LocalWorkflowOptions } from './local-workflow.ts';
import { TaskTokens } from './task-tokens.ts';

/** An execution event, with the state machine it belongs to. */
export interface LocalStepFunctionsEvent extends LocalWorkflowEvent {
  stateMachineName: string;
}

export interface LocalStepFunctionsOptions {
  clock: LocalClock;
  /** Called with every execution event of every state machine (for logging). Exceptions thrown here are ignored. */
  onEvent?: (event: LocalStepFunctionsEvent) => void;
  /** The default `retryScale` of the state machines created here. @default 1 */
  retryScale?: number;
}

/** CreateStateMachine's input: a definition and the handlers of its Lambda tasks. */
export type StateMachineOptions = Omit<LocalWorkflowOptions, 'clock' | 'stateMachineName'>;

/** One line of ListExecutions across the account. */
export interface AccountExecutionSummary extends ExecutionSummary {
  stateMachineName: string;
}

export class LocalStepFunctions {
  readonly #options: LocalStepFunctionsOptions;
  readonly #tasks: TaskTokens;
  readonly #activity = new Activity();
  readonly #machines = new Map<string, LocalWorkflow>();

  constructor(options: LocalStepFunctionsOptions) {
    this.#options = options;
    this.#tasks = new TaskTokens(options.clock);
  }

  /** CreateStateMachine: a named definition, its Tasks bound to local handlers. Names are unique. */
  create(name: string, options: StateMachineOptions): LocalWorkflow {
    if (this.#machines.has(name)) {
      throw new StateMachineAlreadyExists(`State machine already exists: '${name}'`);
    }
    const { onEvent } = this.#options;
    const machine = new LocalWorkflow(
      {
        retryScale: this.#options.retryScale ?? 1,
        ...options,
        clock: this.#options.clock,
        stateMachineName: name,
        onEvent: (event) => {
          options.onEvent?.(event);
          onEvent?.({ ...event, stateMachineName: name });
        },
      },
      { clock: this.#options.clock, tasks: this.#tasks, activity: this.#activity },
    );
    this.#machines.set(name, machine);
    return machine;
  }

  stateMachine(name: string): LocalWorkflow {
    const machine = this.#machines.get(name);
    if (!machine) throw new StateMachineDoesNotExist(`State machine does not exist: '${name}'`);
    return machine;
  }

  /** The state machines' names, in creation order. */
  stateMachineNames(): string[] {
    return [...this.#machines.keys()];
  }

  /** SendTaskSuccess, for a task of any state machine of the account. */
  sendTaskSuccess(token: string, output: unknown): void {
    this.#tasks.succeed(token, output);
  }

  /** SendTaskFailure, for a task of any state machine of the account. */
  sendTaskFailure(token: string, error: string, cause?: string): void {
    this.#tasks.fail(token, error, cause);
  }

  /** ListExecutions across the account (or of one state machine, or one status), machine by machine in start order. */
  listExecutions(
    filter: { stateMachineName?: string; status?: ExecutionStatus } = {},
  ): AccountExecutionSummary[] {
    const machines =
      filter.stateMachineName === undefined
        ? [...this.#machines.values()]
        : [this.stateMachine(filter.stateMachineName)];
    return machines.flatMap((machine) =>
      machine
        .executions(filter.status === undefined ? {} : { status: filter.status })
        .map((execution) => ({ stateMachineName: machine.stateMachineName, ...execution })),
    );
  }

  /** Resolves when every running execution of every state machine waits on a token or the clock. */
  idle(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#activity.idle(options);
  }

  /** Stops every running execution of every state machine (the local runtime's shutdown). */
  stopAll(cause = 'local runtime stopped'): void {
    for (const machine of this.#machines.values()) machine.stopAll(cause);
  }
}
