/**
 * Decisions that arrive too late or in the wrong state are refused with 409 INVALID_STATE, never a 5xx,
 * and change nothing; concurrent decisions on one change: exactly one wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import { type ChangeView, entriesOf, eventsOf, mailsOf, readChange } from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

async function expectRefusedWithoutEffect(
  changeId: string,
  act: () => Promise<{ status: number; body: Record<string, unknown> }>,
  code = 'INVALID_STATE',
): Promise<void> {
  const before = await readChange(system, changeId);
  const mailsBefore = (await mailsOf(system, changeId)).length;

  const answer = await act();

  expect(answer.status).toBe(409);
  expect(answer.body.error).toBe(code);
  const after = await readChange(system, changeId);
  expect(after.version).toBe(before.version);
  expect(after.history).toEqual(before.history);
  expect(await mailsOf(system, changeId)).toHaveLength(mailsBefore);
}

describe('stale decisions', () => {
  let change: ChangeView;

  it('refuses to complete a change that has not started (SCHEDULED)', async () => {
    change = await createPlanned(system, { title: 'Stale acknowledgement' });

    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/complete`, { body: { outcome: 'succeeded' } }),
    );
  });

  it('refuses an acknowledgement after reply-by confirmed the change', async () => {
    await system.set(change.replyBy as string);
    const confirmed = await readChange(system, change.changeId);
    expect(confirmed.status).toBe('CONFIRMED');
    expect(entriesOf(confirmed, 'CONFIRMED')[0]?.actor).toBe('system');

    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/acknowledge`, { key: system.keys.acme, body: {} }),
    );
  });

  it('refuses to complete a CONFIRMED change', async () => {
    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/complete`, { body: { outcome: 'failed' } }),
    );
  });

  it('refuses to cancel a change in progress, and to acknowledge or reschedule it', async () => {
    await system.set(change.window.start);
    expect((await readChange(system, change.changeId)).status).toBe('IN_PROGRESS');

    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/cancel`, { body: { reason: 'too late' } }),
    );
    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/acknowledge`, { key: system.keys.acme, body: {} }),
    );
    const answer = await system.call('POST', `/changes/${change.changeId}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: '2027-01-06T02:00:00Z', reason: 'too late' },
    });
    expect(answer.status).toBe(409);
    expect(answer.status).toBeLessThan(500);
  });

  it('refuses a second completion', async () => {
    await system.advance('PT1H');
    const first = await system.call('POST', `/changes/${change.changeId}/complete`, {
      body: { outcome: 'succeeded' },
    });
    expect(first.status).toBe(200);

    await expectRefusedWithoutEffect(change.changeId, () =>
      system.call('POST', `/changes/${change.changeId}/complete`, { body: { outcome: 'failed' } }),
    );
    expect((await readChange(system, change.changeId)).status).toBe('COMPLETED');
  });
});

describe('concurrent decisions', () => {
  it('lets exactly one of five simultaneous completions win; the others get 409, none a 5xx', async () => {
    // Prepare: a change in progress.
    const created = await createPlanned(system, { title: 'Concurrent completions' });
    await system.set(created.window.start);
    await system.advance('PT1H');

    // Act
    const answers = await Promise.all(
      ['succeeded', 'failed', 'rolled-back', 'succeeded', 'failed'].map((outcome) =>
        system.call('POST', `/changes/${created.changeId}/complete`, { body: { outcome } }),
      ),
    );

    // Assess
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const change = await readChange(system, created.changeId);
    const outcomes = change.history.filter((e) => ['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(e.event));
    expect(outcomes).toHaveLength(1);
    const outcomeMails = (await mailsOf(system, created.changeId)).filter((m) =>
      /Maintenance (completed|failed|rolled back)/.test(m.subject),
    );
    expect(outcomeMails).toHaveLength(1);
  });

  it('refuses the late one of two simultaneous acknowledgements', async () => {
    // Prepare: a fresh change, still SCHEDULED.
    const created = await createPlanned(system, { title: 'Concurrent acknowledgements' });

    // Act
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        system.call('POST', `/changes/${created.changeId}/acknowledge`, { key: system.keys.acme, body: {} }),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const change = await readChange(system, created.changeId);
    expect(eventsOf(change).filter((e) => e === 'ACKNOWLEDGED')).toHaveLength(1);
    expect(eventsOf(change).filter((e) => e === 'CONFIRMED')).toHaveLength(1);
  });
});
