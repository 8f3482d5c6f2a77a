import { describe, expect, it } from 'vitest';
import { callbackTask, lambdaTask, START, useLocalWorkflows } from './support.ts';

describe('LocalWorkflow: executions', () => {
  const { setup } = useLocalWorkflows();
  const parked = {
    StartAt: 'Approval',
    States: { Approval: callbackTask({ End: true }) },
  };

  it('refuses a second start with a running or a finished name', async () => {
    const { workflow } = setup(parked, async () => null);
    workflow.start('chg-1', {});

    expect(() => workflow.start('chg-1', {})).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    workflow.stopExecution('chg-1');
    expect(() => workflow.start('chg-1', {})).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    expect(workflow.list()).toEqual(['chg-1']);
  });

  it('refuses a name AWS would refuse', () => {
    const { workflow } = setup(parked, async () => null);

    expect(() => workflow.start('has space', {})).toThrow(expect.objectContaining({ name: 'InvalidName' }));
    expect(() => workflow.start('x'.repeat(81), {})).toThrow(
      expect.objectContaining({ name: 'InvalidName' }),
    );
  });

  it('aborts with stopExecution: ABORTED, done rejects, the token is void', async () => {
    let token = '';
    const { workflow } = setup(parked, async (payload) => {
      token = (payload as { taskToken: string }).taskToken;
      return null;
    });
    const { done } = workflow.start('chg-1', {});
    await workflow.idle();

    workflow.stopExecution('chg-1', 'withdrawn');

    await expect(done).rejects.toMatchObject({ name: 'ExecutionAborted', status: 'ABORTED' });
    expect(workflow.describe('chg-1')).toMatchObject({ status: 'ABORTED', cause: 'withdrawn' });
    expect(() => workflow.sendTaskSuccess(token, {})).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(() => workflow.stopExecution('unknown')).toThrow(
      expect.objectContaining({ name: 'ExecutionDoesNotExist' }),
    );
  });

  it('times the whole execution out by its TimeoutSeconds on the local clock (30 days)', async () => {
    const { workflow, clock } = setup({ ...parked, TimeoutSeconds: 30 * 86_400 }, async () => null);
    const { done } = workflow.start('chg-1', {});
    await workflow.idle();

    clock.advance({ days: 29 });
    expect(workflow.describe('chg-1')?.status).toBe('RUNNING');
    clock.advance({ days: 1 });

    await expect(done).rejects.toMatchObject({ name: 'States.Timeout', status: 'TIMED_OUT' });
    expect(workflow.describe('chg-1')).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('gives the context object the execution’s name and its local start time', async () => {
    const definition = {
      StartAt: 'Who',
      States: {
        Who: {
          Type: 'Pass',
          Parameters: { 'name.$': '$$.Execution.Name', 'started.$': '$$.Execution.StartTime' },
          End: true,
        },
      },
    };
    const { workflow } = setup(definition, async () => null);

    await expect(workflow.start('chg-1', {}).done).resolves.toEqual({ name: 'chg-1', started: START });
  });

  it('reports events with the state names and the original state types', async () => {
    const definition = {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 0, Next: 'Call' }, Call: lambdaTask({ End: true }) },
    };
    const { workflow, events } = setup(definition, async () => ({}));

    await workflow.start('chg-1', {}).done;
    await workflow.idle();

    expect(events.map((event) => [event.type, event.state])).toEqual([
      ['ExecutionStarted', undefined],
      ['StateEntered', 'Pause'],
      ['StateExited', 'Pause'],
      ['StateEntered', 'Call'],
      ['StateExited', 'Call'],
      ['ExecutionSucceeded', undefined],
    ]);
    expect(events[1]).toMatchObject({ executionName: 'chg-1', detail: { type: 'Wait' } });
  });
});
