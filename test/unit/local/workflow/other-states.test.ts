import { describe, expect, it } from 'vitest';
import { callbackTask, lambdaTask, useLocalWorkflows } from './support.ts';

describe('LocalWorkflow: other states', () => {
  const { setup } = useLocalWorkflows();
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

  it('runs a Map over pages in its ItemProcessor form, with ItemSelector and the item from the context', async () => {
    const definition = {
      StartAt: 'Pages',
      States: {
        Pages: {
          Type: 'Map',
          ItemsPath: '$.pages',
          MaxConcurrency: 2,
          ItemSelector: { 'page.$': '$$.Map.Item.Value', 'night.$': '$.night' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Page',
            States: {
              Page: lambdaTask(
                { OutputPath: '$.Payload', End: true },
                { 'page.$': '$.page', 'night.$': '$.night' },
              ),
            },
          },
          End: true,
        },
      },
    };
    const { workflow } = setup(definition, async (payload) => {
      const { page, night } = payload as { page: string; night: string };
      return `${night}/${page}`;
    });

    await expect(
      workflow.start('night-1', { pages: ['a', 'b', 'c'], night: '2026-03-01' }).done,
    ).resolves.toEqual(['2026-03-01/a', '2026-03-01/b', '2026-03-01/c']);
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
