import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { callbackTask, FN, START, useLocalWorkflows } from './support.ts';

describe('LocalWorkflow: callback tasks', () => {
  const { setup } = useLocalWorkflows();
  const twoApprovals = {
    StartAt: 'Partner approval',
    States: {
      'Partner approval': callbackTask({ ResultPath: '$.partner', Next: 'Ops approval' }, { who: 'partner' }),
      'Ops approval': callbackTask({ ResultPath: '$.ops', End: true }, { who: 'ops' }),
    },
  };

  it('resumes each task with its own token, the output unwrapped', async () => {
    const received: { who: string; taskToken: string }[] = [];
    const { workflow } = setup(twoApprovals, async (payload) => {
      received.push(payload as { who: string; taskToken: string });
      return { accepted: true };
    });
    const { done } = workflow.start('chg-1', { changeId: 'chg-1' });

    await workflow.idle();
    expect(received).toHaveLength(1);
    workflow.sendTaskSuccess(received[0]!.taskToken, { decision: 'APPROVE' });
    await workflow.idle();
    expect(received).toHaveLength(2);
    workflow.sendTaskSuccess(received[1]!.taskToken, { decision: 'APPROVE', by: 'ops' });

    await expect(done).resolves.toEqual({
      changeId: 'chg-1',
      partner: { decision: 'APPROVE' },
      ops: { decision: 'APPROVE', by: 'ops' },
    });
    expect(received.map((payload) => payload.who)).toEqual(['partner', 'ops']);
    expect(received[0]!.taskToken).not.toBe(received[1]!.taskToken);
    expect(received[0]!.taskToken).not.toContain('LOCAL-TASK-TOKEN');
    expect(received[0]!.taskToken).toMatch(/^chg-1:Partner-approval:1:/);
  });

  it('fails the task with sendTaskFailure’s error and cause, caught by that name', async () => {
    let token = '';
    const definition = {
      StartAt: 'Approval',
      States: {
        Approval: callbackTask({
          Catch: [{ ErrorEquals: ['ChangeMovedError'], ResultPath: '$.error', Next: 'Moved' }],
          End: true,
        }),
        Moved: { Type: 'Pass', End: true },
      },
    };
    const { workflow } = setup(definition, async (payload) => {
      token = (payload as { taskToken: string }).taskToken;
      return null;
    });
    const { done } = workflow.start('chg-1', {});
    await workflow.idle();

    workflow.sendTaskFailure(token, 'ChangeMovedError', 'the window moved');

    await expect(done).resolves.toEqual({
      error: { Error: 'ChangeMovedError', Cause: 'the window moved' },
    });
    expect(() => workflow.sendTaskSuccess(token, {})).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('times out at the payload’s `until` 30 days ahead only once the clock passes it', async () => {
    let token = '';
    const until = DateTime.fromISO(START).plus({ days: 30 }).toISO()!;
    const definition = {
      StartAt: 'Park',
      States: {
        Park: callbackTask(
          {
            TimeoutSecondsPath: '$.seconds',
            HeartbeatSeconds: 60,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Task failed' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Moment arrived' },
            ],
            End: true,
          },
          { 'until.$': '$.until' },
        ),
        'Task failed': { Type: 'Fail', Error: 'WrongCatcher' },
        'Moment arrived': { Type: 'Pass', End: true },
      },
    };
    const { workflow, clock } = setup(definition, async (payload) => {
      token = (payload as { taskToken: string }).taskToken;
      return null;
    });
    const { done } = workflow.start('chg-1', { until, seconds: 30 * 86_400 });
    await workflow.idle();

    clock.advance({ days: 29 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(workflow.describe('chg-1')?.status).toBe('RUNNING');

    clock.advance({ days: 2 });

    await expect(done).resolves.toMatchObject({ error: { Error: 'States.Timeout' } });
    expect(() => workflow.sendTaskSuccess(token, { late: true })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('times out after the state’s TimeoutSecondsPath, read from the state input, in local seconds', async () => {
    const definition = {
      StartAt: 'Park',
      States: {
        Park: {
          ...callbackTask({ TimeoutSecondsPath: '$.wait.seconds', End: true }),
          Parameters: {
            FunctionName: FN,
            Payload: { 'taskToken.$': '$$.Task.Token', 'changeId.$': '$.changeId' },
          },
        },
      },
    };
    const payloads: unknown[] = [];
    const { workflow, clock } = setup(definition, async (payload) => {
      payloads.push(payload);
      return null;
    });
    const { done } = workflow.start('chg-1', { changeId: 'chg-1', wait: { seconds: 7200 } });
    await workflow.idle();

    clock.advance({ hours: 1 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(workflow.describe('chg-1')?.status).toBe('RUNNING');
    clock.advance({ hours: 1 });

    await expect(done).rejects.toMatchObject({ name: 'States.Timeout', status: 'FAILED' });
    expect(payloads).toEqual([{ taskToken: expect.any(String), changeId: 'chg-1' }]);
  });

  it('times out after a static TimeoutSeconds in local seconds, and a Retry on States.ALL gets a new token', async () => {
    const tokens: string[] = [];
    const definition = {
      StartAt: 'Park',
      States: {
        Park: callbackTask({
          TimeoutSeconds: 3600,
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }],
          End: true,
        }),
      },
    };
    const { workflow, clock } = setup(
      definition,
      async (payload) => {
        tokens.push((payload as { taskToken: string }).taskToken);
        return null;
      },
      { retryScale: 0 },
    );
    const { done } = workflow.start('chg-1', {});
    await workflow.idle();

    clock.advance({ hours: 1 });
    await workflow.idle();
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    workflow.sendTaskSuccess(tokens[1]!, { second: true });

    await expect(done).resolves.toEqual({ second: true });
  });

  it('refuses an unknown token', () => {
    const { workflow } = setup(twoApprovals, async () => null);

    expect(() => workflow.sendTaskSuccess('nope', {})).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(() => workflow.sendTaskFailure('nope', 'X')).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });
});
