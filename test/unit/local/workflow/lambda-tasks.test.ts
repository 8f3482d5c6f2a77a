import { describe, expect, it } from 'vitest';
import { LocalWorkflow } from '#local/workflow/index.ts';
import { FN, lambdaTask, START, useLocalWorkflows } from './support.ts';

class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';
}

describe('LocalWorkflow: Lambda tasks', () => {
  const { setup, frozenClock } = useLocalWorkflows();
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
    const clock = frozenClock();
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
    const clock = frozenClock();
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
