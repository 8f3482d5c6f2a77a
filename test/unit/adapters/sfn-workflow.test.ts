/**
 * The lifecycle workflow in AWS: one Step Functions execution per change, named after it; a duplicate
 * start is no error; a parked lifecycle is resumed with its task token, and a token that no longer
 * waits is ignored.
 */
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { sfnClient } from '#adapters/aws-clients.ts';
import { StepFunctionsWorkflow } from '#adapters/sfn-workflow.ts';
import { plannedChangeRecord } from '../support/change-fixtures.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ChangeLifecycle';
const workflow = new StepFunctionsWorkflow(sfnClient(), ARN);
const change = plannedChangeRecord({ changeId: 'chg_0042' });

afterEach(() => {
  sfn.reset();
});

describe('StepFunctionsWorkflow.start', () => {
  it('starts one execution named after the change, with the change id as input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:chg_0042` });

    // Act
    await workflow.start(change);

    // Assess
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: ARN,
      name: 'chg_0042',
      input: JSON.stringify({ changeId: 'chg_0042' }),
    });
  });

  it('takes an execution that exists already as started (a retried request)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(workflow.start(change)).resolves.toBeUndefined();
  });

  it('passes any other Step Functions error on', async () => {
    const denied = new SFNServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: {},
      message: 'no',
    });
    sfn.on(StartExecutionCommand).rejects(denied);
    await expect(workflow.start(change)).rejects.toBe(denied);
  });
});

describe('StepFunctionsWorkflow.resume', () => {
  it('sends the task success with the output as JSON', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await workflow.resume('token-1', { signal: 'rescheduled', changeId: 'chg_0042' });

    // Assess
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-1',
      output: JSON.stringify({ signal: 'rescheduled', changeId: 'chg_0042' }),
    });
  });

  it.each([
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
    ['TaskTimedOut', new TaskTimedOut({ message: 'timed out', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'invalid', $metadata: {} })],
  ])('ignores a token that no longer waits (%s): the lifecycle moved on', async (_name, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);
    await expect(workflow.resume('token-1', {})).resolves.toBeUndefined();
  });

  it('passes a throttling error on, for the caller to retry', async () => {
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: {},
      message: 'slow down',
    });
    sfn.on(SendTaskSuccessCommand).rejects(throttled);
    await expect(workflow.resume('token-1', {})).rejects.toBe(throttled);
  });
});
