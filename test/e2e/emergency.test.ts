/**
 * Emergency changes (rules section 5): no notice period and no reply; the communications list (every
 * partner contact and the customer's contacts) gets an e-mail naming the customer impact at once.
 * - `now`: in progress at once, no separate "started" notice, the outcome after ops completes;
 * - `next-window`: the next window of the region, weekend included; started at that window's start.
 * Clock: Saturday 2026-11-28 15:00 UTC (10:00 in New York), so the next window is a Saturday one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmergency } from './support/changes.ts';
import {
  ADDRESSES,
  type ChangeView,
  entriesOf,
  eventsOf,
  expectNotice,
  mailsOf,
  oneMail,
  readChange,
  shift,
  subjectsOf,
} from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-28T15:00:00Z');
});
afterAll(async () => system?.stop());

/** The communications list of an acme-voice customer: every acme contact, the customer in copy. */
const ACME_ALL = [ADDRESSES.acmeNoc, ADDRESSES.acmeBilling];

describe('emergency now', () => {
  let change: ChangeView;
  let id: string;

  it('is in progress at once and the communications list is told the impact and the reason', async () => {
    // Act
    change = await createEmergency(system, {
      customerId: 'globex',
      partnerId: 'acme-voice',
      reason: 'restore-service',
      customerImpact: 'Inbound PSTN calls to the main number fail until the SBC is restarted.',
      title: 'Restart the session border controller',
      when: 'now',
    });
    id = change.changeId;

    // Assess
    expect(change).toMatchObject({ status: 'IN_PROGRESS', emergency: true, reschedulesRemaining: 0 });
    expect(change.window.start).toBe('2026-11-28T15:00:00Z');
    const stored = await readChange(system, id);
    expect(eventsOf(stored)).toEqual(['SCHEDULED', 'STARTED', 'NOTICE_SENT']);
    expect(entriesOf(stored, 'NOTICE_SENT')[0]).toMatchObject({
      at: '2026-11-28T15:00:00Z',
      detail: { notice: 'emergency' },
    });

    const mails = await mailsOf(system, id);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expectNotice(mail, {
      changeId: id,
      subject: 'EMERGENCY maintenance: Restart the session border controller',
      to: ACME_ALL,
      cc: [ADDRESSES.globexIt],
      window: change.window,
      ics: { status: 'CONFIRMED' },
    });
    expect(mail.text).toContain(
      'Expected customer impact: Inbound PSTN calls to the main number fail until the SBC is restarted.',
    );
    expect(mail.text).toContain('Reason: restore service.');
    expect(mail.text).toContain('The work has started now.');
    expect(mail.text).toContain('Saturday 28 November 2026 10:00 UTC-05:00');
    expect(mail.text).toContain('(America/New_York)');
    expect(mail.text).toContain('2026-11-28 15:00 UTC');
  });

  it('cannot be rescheduled', async () => {
    const answer = await system.call('POST', `/changes/${id}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: '2026-12-15T02:00:00Z', reason: 'Not now please' },
    });

    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('NOT_RESCHEDULABLE');
  });

  it('sends no "started" notice, and the outcome once ops completes it', async () => {
    await system.advance('PT1H');

    const done = await system.call('POST', `/changes/${id}/complete`, {
      body: { outcome: 'succeeded', notes: 'SBC restarted; inbound calls verified.' },
    });

    expect(done.status).toBe(200);
    const mails = await mailsOf(system, id);
    expect(subjectsOf(mails, id)).toEqual([
      'EMERGENCY maintenance: Restart the session border controller',
      'Maintenance completed: Restart the session border controller',
    ]);
    const outcome = mails[1]!;
    // The outcome is a planned-style notice: the partner's maintenance subscribers and the customer.
    expectNotice(outcome, {
      changeId: id,
      subject: 'Maintenance completed: Restart the session border controller',
      to: [ADDRESSES.acmeNoc],
      cc: [ADDRESSES.globexIt],
    });
    expect(outcome.text).toContain('SBC restarted; inbound calls verified.');
    const stored = await readChange(system, id);
    expect(eventsOf(stored)).toEqual(['SCHEDULED', 'STARTED', 'NOTICE_SENT', 'COMPLETED', 'NOTICE_SENT']);
    expect(system.runtime.workflow.describe(id)?.status).toBe('SUCCEEDED');
  });
});

describe('emergency in the next window', () => {
  let change: ChangeView;
  let id: string;

  it('is placed in the next window, a Saturday one, and the e-mail goes out at once', async () => {
    // Prepare: it is Saturday 11:00 in New York.
    await system.set('2026-11-28T16:00:00Z');

    // Act
    change = await createEmergency(system, {
      customerId: 'globex',
      partnerId: 'acme-voice',
      reason: 'security-vulnerability',
      customerImpact: 'Calling may drop for up to 15 minutes while each node restarts.',
      title: 'Apply the security fix',
      type: 'patch',
      when: 'next-window',
    });
    id = change.changeId;

    // Assess
    expect(change).toMatchObject({ status: 'CONFIRMED', emergency: true, reschedulesRemaining: 0 });
    expect(change.window).toEqual({
      start: '2026-11-29T02:00:00Z',
      end: '2026-11-29T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-11-28T21:00:00-05:00',
      localEnd: '2026-11-29T06:00:00-05:00',
    });
    const mails = await mailsOf(system, id);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expectNotice(mail, {
      changeId: id,
      subject: 'EMERGENCY maintenance: Apply the security fix',
      to: ACME_ALL,
      cc: [ADDRESSES.globexIt],
      window: change.window,
      ics: { status: 'CONFIRMED' },
    });
    expect(mail.text).toContain('Expected customer impact: Calling may drop for up to 15 minutes');
    expect(mail.text).toContain('Reason: security vulnerability.');
    expect(mail.text).toContain('The work will run in the next maintenance window.');
    expect(mail.text).toContain('Saturday 28 November 2026 21:00 UTC-05:00');
    const stored = await readChange(system, id);
    expect(eventsOf(stored)).toEqual(['SCHEDULED', 'CONFIRMED', 'NOTICE_SENT']);
  });

  it('starts at the window start and sends the "started" notice', async () => {
    await system.set(shift(change.window.start, { seconds: -1 }));
    expect((await readChange(system, id)).status).toBe('CONFIRMED');

    await system.set(change.window.start);

    const stored = await readChange(system, id);
    expect(stored.status).toBe('IN_PROGRESS');
    expect(entriesOf(stored, 'STARTED')).toEqual([
      expect.objectContaining({ at: change.window.start, actor: 'system' }),
    ]);
    const started = oneMail(await mailsOf(system, id), id, 'Maintenance started:');
    expectNotice(started, {
      changeId: id,
      subject: 'Maintenance started: Apply the security fix',
      to: [ADDRESSES.acmeNoc],
      cc: [ADDRESSES.globexIt],
      window: change.window,
    });
  });

  it('completes with the outcome notice', async () => {
    await system.advance('PT2H');

    const done = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });

    expect(done.status).toBe(200);
    expect(subjectsOf(await mailsOf(system, id), id)).toEqual([
      'EMERGENCY maintenance: Apply the security fix',
      'Maintenance started: Apply the security fix',
      'Maintenance completed: Apply the security fix',
    ]);
    expect(system.runtime.workflow.describe(id)?.status).toBe('SUCCEEDED');
  });
});
