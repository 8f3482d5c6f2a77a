/**
 * The workflow port: how handlers hand a change to its lifecycle and wake it up.
 * - In AWS: one Step Functions execution per change, named after the change, so a duplicate start
 *   (a retried request) is refused by Step Functions itself and ignored here; a parked lifecycle is
 *   woken with SendTaskSuccess on the token it stored.
 * - The local runtime installs a port that runs the same definition locally.
 * - With neither configured (unit tests), starts are only recorded.
 */
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { readWaitToken } from '#adapters/store/lifecycle-store.ts';
import { logger } from '#commons/logger.ts';
import type { ChangeRecord } from '#core/change.ts';

export interface WorkflowPort {
  startLifecycle(change: ChangeRecord): Promise<void>;
  /** Resumes a parked task; a token that is no longer waiting is ignored (the lifecycle moved on). */
  resume(token: string, output: Record<string, unknown>): Promise<void>;
}

const stateMachineArn = process.env.STATE_MACHINE_ARN;
const sfn = new SFNClient({ maxAttempts: 5 });

export const stepFunctionsWorkflow: WorkflowPort = {
  async startLifecycle(change) {
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: change.changeId,
          input: JSON.stringify({ changeId: change.changeId }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  },
  async resume(token, output) {
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    } catch (error) {
      if (
        !(error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken)
      ) {
        throw error;
      }
    }
  },
};

/** Records starts in memory: what a handler started, for tests and for runs with no workflow. */
export class RecordingWorkflow implements WorkflowPort {
  readonly started: string[] = [];
  readonly resumed: string[] = [];
  async startLifecycle(change: ChangeRecord) {
    this.started.push(change.changeId);
    logger.info('lifecycle start recorded', { changeId: change.changeId });
  }
  async resume(token: string) {
    this.resumed.push(token);
  }
}

let port: WorkflowPort = stateMachineArn ? stepFunctionsWorkflow : new RecordingWorkflow();

export function workflow(): WorkflowPort {
  return port;
}

/** Local runtime and tests only. */
export function installWorkflow(next: WorkflowPort): void {
  port = next;
}

/**
 * Wakes the change's parked lifecycle after a decision (acknowledge, reschedule, cancel, outcome).
 * The token is read after the decision was written: if the lifecycle parks later, it parks on the
 * new version and sees the decision itself; if it parked before, this token is the live one.
 */
export async function wakeLifecycle(changeId: string, signal: string): Promise<void> {
  const wait = await readWaitToken(changeId);
  if (wait) await workflow().resume(wait.token, { signal, changeId });
}
