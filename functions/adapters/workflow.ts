/**
 * The workflow port: how a handler hands a change to its lifecycle. In AWS it starts one Step
 * Functions execution per change, named after the change, so a duplicate start (a retried request)
 * is refused by Step Functions itself and ignored here. The local runtime installs its own port that
 * runs the same definition; with neither configured the start is only recorded (unit tests).
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ChangeRecord } from '../core/change.ts';
import { logger } from '../http/logger.ts';

export interface WorkflowPort {
  startLifecycle(change: ChangeRecord): Promise<void>;
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
};

/** Records starts in memory: what a handler started, for tests and for runs with no workflow. */
export class RecordingWorkflow implements WorkflowPort {
  readonly started: string[] = [];
  async startLifecycle(change: ChangeRecord) {
    this.started.push(change.changeId);
    logger.info('lifecycle start recorded', { changeId: change.changeId });
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
