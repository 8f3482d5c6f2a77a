import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '#local/clock.ts';
import {
  type LocalTaskHandler,
  LocalWorkflow,
  type LocalWorkflowEvent,
  type LocalWorkflowOptions,
} from '#local/workflow-runner.ts';

const START = '2026-03-01T09:00:00.000Z';
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:lifecycle';
const INVOKE = 'arn:aws:states:::lambda:invoke';
const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A Task as CDK's LambdaInvoke writes it (payloadResponseOnly false). */
function lambdaTask(fields: Record<string, unknown>, payload: unknown = { 'input.$': '$' }) {
  return { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: payload }, ...fields };
}

function callbackTask(fields: Record<string, unknown>, payload: Record<string, unknown> = {}) {
  return {
    Type: 'Task',
    Resource: CALLBACK,
    Parameters: { FunctionName: FN, Payload: { 'taskToken.$': '$$.Task.Token', ...payload } },
    ...fields,
  };
}

class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';
}

describe('LocalWorkflow', () => {
  const clocks: LocalClock[] = [];
  const workflows: LocalWorkflow[] = [];
  afterEach(() => {
    for (const workflow of workflows.splice(0)) workflow.stopAll();
    for (const clock of clocks.splice(0)) clock.stop();
  });

  function setup(
    definition: Record<string, unknown>,
    handler: LocalTaskHandler,
    options: Partial<LocalWorkflowOptions> = {},
  ) {
    const clock = new LocalClock({ start: START, speed: 0 });
    clocks.push(clock);
    const events: LocalWorkflowEvent[] = [];
    const workflow = new LocalWorkflow({
      definition,
      lambdaHandlers: { [FN]: handler },
      clock,
      onEvent: (event) => events.push(event),
      ...options,
    });
    workflows.push(workflow);
    return { clock, workflow, events };
  }

  describe('Lambda tasks', () => {
    it('returns the lambda:invoke shape, so ResultSelector, ResultPath and OutputPath work as deployed', async () => {
      const payloads: unknown[] = [];
      const definition = {
        StartAt: 'Plan',
        States: {
          Plan: lambdaTask(
            {
              ResultSelector: {
                'step.$': '$.Payload.step',
                'status.$': '$.StatusCode',
                'version.$': '$.ExecutedVersion',
              },
              ResultPath: '$.next',
              Next: 'Notify',
            },
            { 'changeId.$': '$.changeId', action: 'plan' },
          ),
          Notify: lambdaTask(
            { OutputPath: '$.Payload', End: true },
            { 'step.$': '$.next.step', action: 'notify' },
          ),
        },
      };
      const { workflow } = setup(definition, async (payload) => {
        payloads.push(payload);
        const { action } = payload as { action: string };
        return action === 'plan' ? { step: 'NOTIFY' } : { sent: true, at: new Date(START) };
      });

      const { done } = workflow.start('chg-1', { changeId: 'chg-1' });

      await expect(done).resolves.toEqual({ sent: true, at: START });
      expect(payloads).toEqual([
        { changeId: 'chg-1', action: 'plan' },
        { step: 'NOTIFY', action: 'notify' },
      ]);
      expect(workflow.describe('chg-1')).toMatchObject({
        status: 'SUCCEEDED',
        output: { sent: true, at: START },
      });
    });

    it('keeps the whole invoke result under ResultPath, as AWS returns it', async () => {
      const definition = {
        StartAt: 'Call',
        States: { Call: lambdaTask({ ResultPath: '$.result', End: true }) },
      };
      const { workflow } = setup(definition, async () => ({ ok: 1 }));

      const output = (await workflow.start('chg-1', { a: 1 }).done) as {
        a: number;
        result: Record<string, unknown>;
      };

      expect(output.a).toBe(1);
      expect(output.result).toMatchObject({
        ExecutedVersion: '$LATEST',
        Payload: { ok: 1 },
        StatusCode: 200,
        SdkHttpMetadata: { HttpStatusCode: 200 },
      });
    });

    it('finds a handler by the bare function name too, and passes a Resource-ARN task its input as is', async () => {
      const definition = {
        StartAt: 'Legacy',
        States: { Legacy: { Type: 'Task', Resource: `${FN}:live`, End: true } },
      };
      const clock = new LocalClock({ start: START, speed: 0 });
      clocks.push(clock);
      const workflow = new LocalWorkflow({
        definition,
        lambdaHandlers: { lifecycle: async (payload) => ({ echoed: payload }) },
        clock,
      });

      await expect(workflow.start('chg-1', { x: 1 }).done).resolves.toEqual({ echoed: { x: 1 } });
    });

    it('retries an error by its name with the attempts the Retry allows', async () => {
      let attempts = 0;
      const definition = {
        StartAt: 'Send',
        States: {
          Send: lambdaTask({
            Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1 }],
            OutputPath: '$.Payload',
            End: true,
          }),
        },
      };
      const { workflow, events } = setup(
        definition,
        async () => {
          attempts += 1;
          if (attempts <= 2) throw Object.assign(new Error('not yet'), { name: 'Boom' });
          return { attempts };
        },
        { retryScale: 0.02 },
      );

      await expect(workflow.start('chg-1', {}).done).resolves.toEqual({ attempts: 3 });
      expect(attempts).toBe(3);
      expect(events.filter((event) => event.type === 'StateRetried')).toHaveLength(2);
    });

    it('waits the real IntervalSeconds between attempts by default', async () => {
      let attempts = 0;
      const definition = {
        StartAt: 'Send',
        States: {
          Send: lambdaTask({
            Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 1 }],
            End: true,
          }),
        },
      };
      const { workflow } = setup(definition, async () => {
        attempts += 1;
        if (attempts === 1) throw Object.assign(new Error('not yet'), { name: 'Boom' });
        return {};
      });
      const started = performance.now();

      await workflow.start('chg-1', {}).done;

      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('fails the execution with the error once the attempts are used up', async () => {
      const definition = {
        StartAt: 'Send',
        States: {
          Send: lambdaTask({
            Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 2 }],
            End: true,
          }),
        },
      };
      let attempts = 0;
      const { workflow } = setup(
        definition,
        async () => {
          attempts += 1;
          throw Object.assign(new Error('always'), { name: 'Boom' });
        },
        { retryScale: 0 },
      );

      await expect(workflow.start('chg-1', {}).done).rejects.toMatchObject({
        name: 'Boom',
        status: 'FAILED',
      });
      expect(attempts).toBe(3);
      expect(workflow.describe('chg-1')).toMatchObject({ status: 'FAILED', error: 'Boom' });
      expect(JSON.parse(workflow.describe('chg-1')!.cause!)).toMatchObject({
        errorType: 'Boom',
        errorMessage: 'always',
      });
    });

    it('catches a custom error by its name, with Lambda’s error payload as the Cause', async () => {
      const definition = {
        StartAt: 'Send',
        States: {
          Send: lambdaTask({
            Catch: [
              { ErrorEquals: ['NotificationDeliveryError'], ResultPath: '$.error', Next: 'Record failure' },
              { ErrorEquals: ['States.ALL'], Next: 'Give up' },
            ],
            End: true,
          }),
          'Record failure': { Type: 'Pass', End: true },
          'Give up': { Type: 'Fail', Error: 'Unexpected' },
        },
      };
      const { workflow } = setup(definition, async () => {
        throw new NotificationDeliveryError('mailbox full');
      });

      const output = (await workflow.start('chg-1', { changeId: 'chg-1' }).done) as {
        changeId: string;
        error: { Error: string; Cause: string };
      };

      expect(output.changeId).toBe('chg-1');
      expect(output.error.Error).toBe('NotificationDeliveryError');
      expect(JSON.parse(output.error.Cause)).toMatchObject({
        errorType: 'NotificationDeliveryError',
        errorMessage: 'mailbox full',
        trace: expect.any(Array),
      });
    });

    it('lets States.ALL and States.TaskFailed catch any handler error', async () => {
      const definition = {
        StartAt: 'First',
        States: {
          First: lambdaTask({ Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Second' }], End: true }),
          Second: lambdaTask({
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Done' }],
            End: true,
          }),
          Done: { Type: 'Succeed' },
        },
      };
      const { workflow } = setup(definition, async () => {
        throw new TypeError('broken');
      });

      const output = (await workflow.start('chg-1', {}).done) as { caught: { Error: string } };

      expect(output.caught.Error).toBe('TypeError');
    });

    it('times a hung handler out after the state’s TimeoutSeconds in real seconds, not as a TaskFailed', async () => {
      const definition = {
        StartAt: 'Call',
        States: {
          Call: lambdaTask({
            TimeoutSeconds: 1,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Timed out' },
            ],
            End: true,
          }),
          Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
          'Timed out': { Type: 'Pass', End: true },
        },
      };
      const { workflow } = setup(definition, () => new Promise(() => {}));

      await expect(workflow.start('chg-1', {}).done).resolves.toMatchObject({
        error: { Error: 'States.Timeout' },
      });
    });

    it('refuses at construction a task whose function has no handler, or a resource it cannot bind', () => {
      const clock = new LocalClock({ start: START, speed: 0 });
      clocks.push(clock);
      const unknownFunction = {
        StartAt: 'Call',
        States: {
          Call: { ...lambdaTask({ End: true }), Parameters: { FunctionName: 'other', 'Payload.$': '$' } },
        },
      };
      const sqs = {
        StartAt: 'Queue',
        States: {
          Queue: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage',
            Parameters: { QueueUrl: 'q', 'MessageBody.$': '$' },
            End: true,
          },
        },
      };

      expect(() => new LocalWorkflow({ definition: unknownFunction, lambdaHandlers: {}, clock })).toThrow(
        /no local handler for Lambda function other/,
      );
      expect(() => new LocalWorkflow({ definition: sqs, lambdaHandlers: {}, clock })).toThrow(
        /no local binding/,
      );
    });
  });

  describe('callback tasks', () => {
    const twoApprovals = {
      StartAt: 'Partner approval',
      States: {
        'Partner approval': callbackTask(
          { ResultPath: '$.partner', Next: 'Ops approval' },
          { who: 'partner' },
        ),
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

  describe('executions', () => {
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

  describe('other states', () => {
    it('runs Choice and Pass states', async () => {
      const definition = {
        StartAt: 'Which way?',
        States: {
          'Which way?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.kind', StringEquals: 'EMERGENCY', Next: 'Emergency' }],
            Default: 'Normal',
          },
          Emergency: { Type: 'Pass', Result: { notice: 'none' }, ResultPath: '$.plan', End: true },
          Normal: {
            Type: 'Pass',
            Parameters: { 'kind.$': '$.kind', notice: 'ten business days' },
            End: true,
          },
        },
      };
      const { workflow } = setup(definition, async () => null);

      await expect(workflow.start('chg-1', { kind: 'EMERGENCY' }).done).resolves.toEqual({
        kind: 'EMERGENCY',
        plan: { notice: 'none' },
      });
      await expect(workflow.start('chg-2', { kind: 'STANDARD' }).done).resolves.toEqual({
        kind: 'STANDARD',
        notice: 'ten business days',
      });
    });

    it('runs a Wait of 40 days on the local clock, keeping InputPath and OutputPath', async () => {
      const definition = {
        StartAt: 'Sleep',
        States: {
          Sleep: {
            Type: 'Wait',
            Seconds: 40 * 86_400,
            InputPath: '$.inner',
            OutputPath: '$.keep',
            End: true,
          },
        },
      };
      const { workflow, clock } = setup(definition, async () => null);
      const { done } = workflow.start('chg-1', { inner: { keep: 'me', drop: 1 } });
      await workflow.idle();

      clock.advance({ days: 39 });
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(workflow.describe('chg-1')?.status).toBe('RUNNING');
      clock.advance({ days: 1 });

      await expect(done).resolves.toBe('me');
    });

    it('runs a Wait until a TimestampPath on the local clock', async () => {
      const definition = {
        StartAt: 'Until',
        States: { Until: { Type: 'Wait', TimestampPath: '$.at', End: true } },
      };
      const { workflow, clock } = setup(definition, async () => null);
      const { done } = workflow.start('chg-1', { at: '2027-01-04T08:00:00Z' });
      await workflow.idle();

      clock.set('2027-01-04T08:00:00Z');

      await expect(done).resolves.toEqual({ at: '2027-01-04T08:00:00Z' });
    });

    it('binds the tasks and Waits inside Parallel branches and Map iterations', async () => {
      const tokens: string[] = [];
      const definition = {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Branch approval', States: { 'Branch approval': callbackTask({ End: true }) } },
              {
                StartAt: 'Branch pause',
                States: {
                  'Branch pause': { Type: 'Wait', Seconds: 86_400, Next: 'Each' },
                  Each: {
                    Type: 'Map',
                    ItemsPath: '$.items',
                    Iterator: {
                      StartAt: 'Item',
                      States: { Item: lambdaTask({ OutputPath: '$.Payload', End: true }) },
                    },
                    End: true,
                  },
                },
              },
            ],
            End: true,
          },
        },
      };
      const { workflow, clock } = setup(definition, async (payload) => {
        const { taskToken, input } = payload as { taskToken?: string; input?: number };
        if (taskToken) tokens.push(taskToken);
        return input === undefined ? null : input * 10;
      });
      const { done } = workflow.start('chg-1', { items: [1, 2] });
      await workflow.idle();

      clock.advance({ days: 1 });
      workflow.sendTaskSuccess(tokens[0]!, 'approved');

      await expect(done).resolves.toEqual(['approved', [10, 20]]);
    });

    it('runs a Wait by SecondsPath when the clock runs by itself', async () => {
      const definition = {
        StartAt: 'Pause',
        States: { Pause: { Type: 'Wait', SecondsPath: '$.s', End: true } },
      };
      const { workflow, clock } = setup(definition, async () => null);
      clock.setSpeed(36_000);

      await expect(workflow.start('chg-1', { s: 3600 }).done).resolves.toEqual({ s: 3600 });
    });
  });
});
