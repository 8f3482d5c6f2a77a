/**
 * The lifecycle workflow in AWS: one Step Functions execution per change, named after the change, so
 * a duplicate start (a retried request, a re-run job) is refused by Step Functions itself and ignored
 * here; a parked lifecycle is resumed with SendTaskSuccess on the token it stored.
 */
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { LifecycleWorkflow } from '#app/ports.ts';
import type { ChangeRecord } from '#core/change.ts';

export class StepFunctionsWorkflow implements LifecycleWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(change: ChangeRecord): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: change.changeId,
          input: JSON.stringify({ changeId: change.changeId }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async resume(token: string, output: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    } catch (error) {
      // The task no longer waits: the lifecycle moved on (it sees the decision on its own next look).
      if (
        !(error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken)
      ) {
        throw error;
      }
    }
  }
}
