/**
 * A planned change nobody answers: notice, confirmation by silence at reply-by, the reminder 24 hours
 * before the window, the start at the window and the outcome ops records; and the upgrade completion
 * notice of an upgrade. Clock: Monday 2026-11-23 15:00 UTC (10:00 in New York).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import {
  ADDRESSES,
  entriesOf,
  eventsOf,
  expectNotice,
  GLOBEX_PLANNED,
  mailsOf,
  oneMail,
  readChange,
  shift,
  subjectsOf,
} from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

describe('a planned change nobody answers', () => {
  let id: string;
  let created: Awaited<ReturnType<typeof createPlanned>>;

  it('is scheduled into the earliest window with 10 business days of notice, and the notice goes out', async () => {
    // Act
    created = await createPlanned(system, { title: 'Dial plan update' });
    id = created.changeId;

    // Assess: 10 business days after Mon 23 Nov (Thanksgiving, 26 Nov, does not count) is Tue 8 Dec.
    expect(created.status).toBe('SCHEDULED');
    expect(created.window).toEqual({
      start: '2026-12-09T02:00:00Z',
      end: '2026-12-09T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-12-08T21:00:00-05:00',
      localEnd: '2026-12-09T06:00:00-05:00',
    });
    expect(created.replyBy).toBe('2026-11-27T15:00:00Z');
    const change = await readChange(system, id);
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT']);
    expect(entriesOf(change, 'NOTICE_SENT')[0]).toMatchObject({
      at: '2026-11-23T15:00:00Z',
      actor: 'system',
      detail: { notice: 'scheduled' },
    });

    const mails = await mailsOf(system, id);
    expect(mails).toHaveLength(1);
    const notice = mails[0]!;
    const event = expectNotice(notice, {
      changeId: id,
      subject: 'Scheduled maintenance: Dial plan update',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'TENTATIVE' },
    });
    // Local time with the weekday, the offset and the zone name; UTC beside it.
    expect(notice.text).toContain(
      'Window (local time): Tuesday 8 December 2026 21:00 UTC-05:00 to Wednesday 9 December 2026 06:00 UTC-05:00 (America/New_York)',
    );
    expect(notice.text).toContain('Window (UTC): 2026-12-09 02:00 UTC to 2026-12-09 11:00 UTC');
    expect(notice.text).toContain('please answer by 2026-11-27 15:00 UTC');
    expect(event?.DTSTART).toBe('20261209T020000Z');
    expect(event?.DTEND).toBe('20261209T110000Z');
  });

  it('is still waiting for the partner one minute before reply-by', async () => {
    await system.set(shift(created.replyBy as string, { minutes: -1 }));

    const change = await readChange(system, id);
    expect(change.status).toBe('SCHEDULED');
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT']);
  });

  it('is confirmed by the system when reply-by passes with no answer', async () => {
    await system.set(created.replyBy as string);

    const change = await readChange(system, id);
    expect(change.status).toBe('CONFIRMED');
    expect(entriesOf(change, 'CONFIRMED')).toEqual([
      expect.objectContaining({ at: created.replyBy, actor: 'system' }),
    ]);
    // Confirmation sends no mail of its own.
    expect(await mailsOf(system, id)).toHaveLength(1);
  });

  it('sends the reminder exactly 24 hours before the window', async () => {
    const reminderAt = shift(created.window.start, { hours: -24 });
    await system.set(shift(reminderAt, { minutes: -1 }));
    expect(eventsOf(await readChange(system, id))).not.toContain('REMINDER_SENT');

    await system.set(reminderAt);

    const change = await readChange(system, id);
    expect(entriesOf(change, 'REMINDER_SENT')).toEqual([
      expect.objectContaining({ at: reminderAt, actor: 'system' }),
    ]);
    const reminder = oneMail(await mailsOf(system, id), id, 'Reminder:');
    expectNotice(reminder, {
      changeId: id,
      subject: 'Reminder: maintenance Dial plan update',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'CONFIRMED' },
    });
  });

  it('starts at the window start and tells the partner', async () => {
    await system.set(shift(created.window.start, { seconds: -1 }));
    expect((await readChange(system, id)).status).toBe('CONFIRMED');

    await system.set(created.window.start);

    const change = await readChange(system, id);
    expect(change.status).toBe('IN_PROGRESS');
    expect(entriesOf(change, 'STARTED')).toEqual([
      expect.objectContaining({ at: created.window.start, actor: 'system' }),
    ]);
    const started = oneMail(await mailsOf(system, id), id, 'Maintenance started:');
    expectNotice(started, {
      changeId: id,
      subject: 'Maintenance started: Dial plan update',
      ...GLOBEX_PLANNED,
      window: created.window,
    });
  });

  it('completes when ops records the outcome, and the partner gets the completion notice', async () => {
    await system.advance('PT5H');

    const done = await system.call('POST', `/changes/${id}/complete`, {
      body: { outcome: 'succeeded', notes: 'Dial plan deployed on all clusters.' },
    });

    expect(done.status).toBe(200);
    expect(done.body.status).toBe('COMPLETED');
    const change = await readChange(system, id);
    expect(eventsOf(change)).toEqual([
      'SCHEDULED',
      'NOTICE_SENT',
      'CONFIRMED',
      'REMINDER_SENT',
      'STARTED',
      'NOTICE_SENT',
      'COMPLETED',
      'NOTICE_SENT',
    ]);
    expect(entriesOf(change, 'COMPLETED')[0]?.actor).toBe('ops');
    const mails = await mailsOf(system, id);
    expect(subjectsOf(mails, id)).toEqual([
      'Scheduled maintenance: Dial plan update',
      'Reminder: maintenance Dial plan update',
      'Maintenance started: Dial plan update',
      'Maintenance completed: Dial plan update',
    ]);
    const outcome = mails[3]!;
    expectNotice(outcome, {
      changeId: id,
      subject: 'Maintenance completed: Dial plan update',
      ...GLOBEX_PLANNED,
    });
    expect(outcome.text).toContain('has been completed successfully');
    expect(outcome.text).toContain('Dial plan deployed on all clusters.');
    expect(system.runtime.workflow.describe(id)?.status).toBe('SUCCEEDED');
  });

  it('never mails the partner contact that is not subscribed to maintenance notices', async () => {
    const billing = await system.mails({ changeId: id, to: ADDRESSES.acmeBilling });
    expect(billing).toEqual([]);
  });
});

describe('an upgrade nobody answers', () => {
  it('ends with the upgrade completion notice naming the target version', async () => {
    // Prepare
    const created = await createPlanned(system, {
      type: 'upgrade',
      trigger: 'below-n-1',
      targetVersion: '15.0 SU2',
      title: 'Upgrade to 15.0 SU2',
    });
    const id = created.changeId;
    expect(created).toMatchObject({ type: 'upgrade', trigger: 'below-n-1', targetVersion: '15.0 SU2' });

    // Act: silence through reply-by, the reminder and the window start; then ops completes it.
    await system.set(created.replyBy as string);
    await system.set(shift(created.window.start, { hours: -24 }));
    await system.set(created.window.start);
    await system.advance('PT3H');
    const done = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });

    // Assess
    expect(done.status).toBe(200);
    const mails = await mailsOf(system, id);
    expect(subjectsOf(mails, id)).toEqual([
      'Scheduled maintenance: Upgrade to 15.0 SU2',
      'Reminder: maintenance Upgrade to 15.0 SU2',
      'Maintenance started: Upgrade to 15.0 SU2',
      'Upgrade completed: Upgrade to 15.0 SU2',
    ]);
    const outcome = mails[3]!;
    expectNotice(outcome, {
      changeId: id,
      subject: 'Upgrade completed: Upgrade to 15.0 SU2',
      ...GLOBEX_PLANNED,
    });
    expect(outcome.text).toContain('Upgrade completion notice');
    expect(outcome.text).toMatch(/Upgrade completion notice: the upgrade of .* to 15\.0 SU2/);
    const change = await readChange(system, id);
    expect(eventsOf(change)).toEqual([
      'SCHEDULED',
      'NOTICE_SENT',
      'CONFIRMED',
      'REMINDER_SENT',
      'STARTED',
      'NOTICE_SENT',
      'COMPLETED',
      'NOTICE_SENT',
    ]);
    expect(await system.mails({ changeId: id, to: ADDRESSES.acmeBilling })).toEqual([]);
  });
});
