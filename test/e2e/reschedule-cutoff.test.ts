/**
 * The reschedule cutoff: a request must arrive no later than 7 days (168 hours) before the window
 * starts. Exactly at the cutoff is still in time; one second after it the request is refused with
 * 409 RESCHEDULE_CUTOFF_PASSED and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned, windowsFrom } from './support/changes.ts';
import { type ChangeView, eventsOf, mailsOf, readChange, shift, type WindowView } from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

describe('reschedule after the cutoff', () => {
  let inTime: ChangeView;
  let tooLate: ChangeView;
  let target: WindowView;

  it('places both changes in the same window, with the cutoff 7 days before its start', async () => {
    inTime = await createPlanned(system, { title: 'Reschedule at the cutoff' });
    tooLate = await createPlanned(system, { title: 'Reschedule after the cutoff' });

    expect(tooLate.window).toEqual(inTime.window);
    expect(inTime.rescheduleCutoff).toBe(shift(inTime.window.start, { days: -7 }));
    // A target the rules would otherwise accept: >= 7 days after the cutoff instant, <= 60 days after the window.
    target = (
      await windowsFrom(system, {
        region: 'AMER',
        from: shift(inTime.window.start, { days: 2 }),
        kind: 'customer',
      })
    )[0] as WindowView;
  });

  it('accepts a request exactly at the cutoff', async () => {
    await system.set(inTime.rescheduleCutoff as string);

    const answer = await system.call('POST', `/changes/${inTime.changeId}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: target.start, reason: 'Just in time' },
    });

    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.window).toEqual(target);
  });

  it('refuses a request one second after the cutoff with 409 RESCHEDULE_CUTOFF_PASSED, changing nothing', async () => {
    await system.set(shift(tooLate.rescheduleCutoff as string, { seconds: 1 }));
    const before = await readChange(system, tooLate.changeId);
    const mailsBefore = await mailsOf(system, tooLate.changeId);
    expect(before.status).toBe('CONFIRMED');

    const answer = await system.call('POST', `/changes/${tooLate.changeId}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: target.start, reason: 'Too late' },
    });

    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('RESCHEDULE_CUTOFF_PASSED');
    expect(typeof answer.body.message).toBe('string');
    const after = await readChange(system, tooLate.changeId);
    expect(after).toEqual(before);
    expect(after.reschedulesRemaining).toBe(1);
    expect(eventsOf(after)).not.toContain('RESCHEDULED');
    expect(await mailsOf(system, tooLate.changeId)).toEqual(mailsBefore);
  });

  it('still starts the refused change in its original window', async () => {
    await system.set(tooLate.window.start);

    const change = await readChange(system, tooLate.changeId);
    expect(change.status).toBe('IN_PROGRESS');
    expect(change.window).toEqual(tooLate.window);
  });
});
