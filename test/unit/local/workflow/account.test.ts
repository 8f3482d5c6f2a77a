import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '#local/clock.ts';
import {
  LocalStepFunctions,
  type LocalStepFunctionsEvent,
  type LocalTaskHandler,
} from '#local/workflow/index.ts';
import { callbackTask, FN, lambdaTask, START } from './support.ts';

/** A review that parks on one approval, as a change-request review would. */
const review = {
  StartAt: 'Approval',
  States: { Approval: callbackTask({ ResultPath: '$.decision', End: true }, { 'changeId.$': '$.changeId' }) },
};

describe('LocalStepFunctions: several state machines in one account', () => {
  const accounts: LocalStepFunctions[] = [];
  const clocks: LocalClock[] = [];
  afterEach(() => {
    for (const account of accounts.splice(0)) account.stopAll();
    for (const clock of clocks.splice(0)) clock.stop();
  });

  function setup() {
    const clock = new LocalClock({ start: START, speed: 0 });
    clocks.push(clock);
    const events: LocalStepFunctionsEvent[] = [];
    const account = new LocalStepFunctions({ clock, onEvent: (event) => events.push(event) });
    accounts.push(account);
    return { clock, account, events };
  }

  /** The review's Lambda: keeps each token it is handed, by change. */
  function tokenKeeper() {
    const tokens = new Map<string, string>();
    const handler: LocalTaskHandler = async (payload) => {
      const { changeId, taskToken } = payload as { changeId: string; taskToken: string };
      tokens.set(changeId, taskToken);
      return null;
    };
    return { tokens, handler };
  }

  it('runs executions of the same name in two state machines apart, each resumed by its own token', async () => {
    const { account, events } = setup();
    const partner = tokenKeeper();
    const ops = tokenKeeper();
    const partnerReview = account.create('PartnerReview', {
      definition: review,
      lambdaHandlers: { [FN]: partner.handler },
    });
    const opsReview = account.create('OpsReview', {
      definition: review,
      lambdaHandlers: { [FN]: ops.handler },
    });
    const partnerRun = partnerReview.start('chg-1', { changeId: 'chg-1' });
    opsReview.start('chg-1', { changeId: 'chg-1' });
    await account.idle();

    account.sendTaskSuccess(partner.tokens.get('chg-1')!, 'APPROVE');

    await expect(partnerRun.done).resolves.toEqual({ changeId: 'chg-1', decision: 'APPROVE' });
    expect(opsReview.describe('chg-1')?.status).toBe('RUNNING');
    expect(account.listExecutions().map((e) => [e.stateMachineName, e.name, e.status])).toEqual([
      ['PartnerReview', 'chg-1', 'SUCCEEDED'],
      ['OpsReview', 'chg-1', 'RUNNING'],
    ]);
    expect(events.filter((e) => e.type === 'TaskSucceeded').map((e) => e.stateMachineName)).toEqual([
      'PartnerReview',
    ]);
  });

  it('takes a token at any of its state machines, as AWS takes SendTaskSuccess without one', async () => {
    const { account } = setup();
    const keeper = tokenKeeper();
    const lifecycle = account.create('Lifecycle', {
      definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
      lambdaHandlers: {},
    });
    const reviews = account.create('Review', {
      definition: review,
      lambdaHandlers: { [FN]: keeper.handler },
    });
    const { done } = reviews.start('chg-2', { changeId: 'chg-2' });
    await account.idle();

    lifecycle.sendTaskFailure(keeper.tokens.get('chg-2')!, 'ChangeWithdrawn', 'the partner withdrew it');

    await expect(done).rejects.toMatchObject({ name: 'ChangeWithdrawn', status: 'FAILED' });
    expect(() => account.sendTaskSuccess(keeper.tokens.get('chg-2')!, {})).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('is idle only once an execution that a task of another state machine started has parked too', async () => {
    const { account } = setup();
    const keeper = tokenKeeper();
    const reviews = account.create('Review', {
      definition: review,
      lambdaHandlers: { [FN]: keeper.handler },
    });
    const nightly = account.create('Nightly', {
      definition: { StartAt: 'Open reviews', States: { 'Open reviews': lambdaTask({ End: true }) } },
      lambdaHandlers: {
        [FN]: async () => {
          // A job that takes a while in real time, then starts a review.
          await new Promise((resolve) => setTimeout(resolve, 50));
          reviews.start('chg-3', { changeId: 'chg-3' });
          return null;
        },
      },
    });

    nightly.start('night-1', {});
    await account.idle();

    expect(account.listExecutions({ status: 'RUNNING' }).map((e) => [e.stateMachineName, e.name])).toEqual([
      ['Review', 'chg-3'],
    ]);
    expect(keeper.tokens.get('chg-3')).toMatch(/^chg-3:Approval:1:/);
    expect(account.listExecutions({ stateMachineName: 'Nightly' })).toMatchObject([
      {
        stateMachineName: 'Nightly',
        name: 'night-1',
        status: 'SUCCEEDED',
        startDate: START,
        stopDate: START,
      },
    ]);
  });

  it('stops the executions of every state machine, and lists each one with its status', async () => {
    const { account, clock } = setup();
    const keeper = tokenKeeper();
    const reviews = account.create('Review', {
      definition: review,
      lambdaHandlers: { [FN]: keeper.handler },
    });
    const waits = account.create('Wait', {
      definition: {
        StartAt: 'Sleep',
        TimeoutSeconds: 3600,
        States: { Sleep: { Type: 'Wait', Seconds: 7200, End: true } },
      },
      lambdaHandlers: {},
    });
    reviews.start('chg-4', { changeId: 'chg-4' });
    const first = waits.start('w-1', {});
    waits.start('w-2', {});
    await account.idle();
    clock.advance({ hours: 1 });
    await expect(first.done).rejects.toMatchObject({ name: 'States.Timeout', status: 'TIMED_OUT' });
    const third = waits.start('w-3', {});
    waits.stopExecution('w-3', 'not needed');
    await expect(third.done).rejects.toMatchObject({ status: 'ABORTED' });

    account.stopAll('shutting down');

    expect(account.listExecutions().map((e) => [e.stateMachineName, e.name, e.status])).toEqual([
      ['Review', 'chg-4', 'ABORTED'],
      ['Wait', 'w-1', 'TIMED_OUT'],
      ['Wait', 'w-2', 'TIMED_OUT'],
      ['Wait', 'w-3', 'ABORTED'],
    ]);
    expect(account.listExecutions({ status: 'ABORTED' }).map((e) => e.cause)).toEqual([
      'shutting down',
      'not needed',
    ]);
  });

  it('refuses a second state machine of the same name, and names an unknown one', () => {
    const { account } = setup();
    account.create('Review', { definition: review, lambdaHandlers: { [FN]: async () => null } });

    expect(() =>
      account.create('Review', { definition: review, lambdaHandlers: { [FN]: async () => null } }),
    ).toThrow(expect.objectContaining({ name: 'StateMachineAlreadyExists' }));
    expect(() => account.stateMachine('Nope')).toThrow(
      expect.objectContaining({ name: 'StateMachineDoesNotExist' }),
    );
    expect(() => account.listExecutions({ stateMachineName: 'Nope' })).toThrow(
      expect.objectContaining({ name: 'StateMachineDoesNotExist' }),
    );
    expect(account.stateMachineNames()).toEqual(['Review']);
    expect(account.stateMachine('Review').stateMachineName).toBe('Review');
  });
});
