/**
 * The partner reschedules a planned change once, into a weekend window it picked from
 * GET /maintenance-windows: an updated notice with the new window and a calendar update (same UID,
 * higher SEQUENCE); a second request is refused; the reminder and the start follow the new window
 * and nothing happens at the old one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMail } from '#local/mail-store.ts';
import { createPlanned, localWeekday, windowsFrom } from './support/changes.ts';
import {
  entriesOf,
  eventsOf,
  expectNotice,
  GLOBEX_PLANNED,
  icsOf,
  mailsOf,
  oneMail,
  readChange,
  shift,
  subjectsOf,
  type WindowView,
} from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

describe('reschedule once', () => {
  let created: Awaited<ReturnType<typeof createPlanned>>;
  let id: string;
  let newWindow: WindowView;
  let mailsAfterReschedule: StoredMail[];

  it('moves the change to the weekend window the partner picked and sends the updated notice', async () => {
    // Prepare: the change, and a day later the partner looks for a weekend window after the current one.
    created = await createPlanned(system, { title: 'Voicemail cluster move' });
    id = created.changeId;
    await system.advance('P1D');
    const now = '2026-11-24T15:00:00Z';
    const candidates = await windowsFrom(system, {
      region: 'AMER',
      from: shift(created.window.start, { hours: 1 }),
      kind: 'infrastructure',
    });
    const weekend = candidates.find((w) => localWeekday(w) >= 6);
    expect(weekend).toBeDefined();
    newWindow = weekend as WindowView;
    // The rules: >= 7 days after the request, <= 60 days after the original window start.
    expect(Date.parse(newWindow.start)).toBeGreaterThanOrEqual(Date.parse(shift(now, { days: 7 })));
    expect(Date.parse(newWindow.start)).toBeLessThanOrEqual(
      Date.parse(shift(created.window.start, { days: 60 })),
    );
    expect(newWindow.localStart).toBe('2026-12-12T21:00:00-05:00'); // a Saturday

    // Act
    const answer = await system.call('POST', `/changes/${id}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: newWindow.start, reason: 'Customer has a trade show that week' },
    });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ window: newWindow, reschedulesRemaining: 0, status: 'CONFIRMED' });
    expect(answer.body.rescheduleCutoff).toBe(shift(newWindow.start, { days: -7 }));
    const change = await readChange(system, id);
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT', 'RESCHEDULED', 'CONFIRMED', 'NOTICE_SENT']);
    expect(entriesOf(change, 'RESCHEDULED')[0]).toMatchObject({
      at: now,
      actor: 'partner:acme-voice',
      detail: { from: created.window, to: newWindow, reason: 'Customer has a trade show that week' },
    });

    mailsAfterReschedule = await mailsOf(system, id);
    expect(subjectsOf(mailsAfterReschedule, id)).toEqual([
      'Scheduled maintenance: Voicemail cluster move',
      'Maintenance rescheduled: Voicemail cluster move',
    ]);
    const [scheduled, rescheduled] = mailsAfterReschedule as [StoredMail, StoredMail];
    const first = expectNotice(scheduled, {
      changeId: id,
      subject: 'Scheduled maintenance: Voicemail cluster move',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'TENTATIVE' },
    });
    const update = expectNotice(rescheduled, {
      changeId: id,
      subject: 'Maintenance rescheduled: Voicemail cluster move',
      ...GLOBEX_PLANNED,
      window: newWindow,
      ics: { status: 'CONFIRMED' },
    });
    expect(rescheduled.text).toContain(
      'Window (local time): Saturday 12 December 2026 21:00 UTC-05:00 to Sunday 13 December 2026 06:00 UTC-05:00 (America/New_York)',
    );
    expect(rescheduled.text).toContain('Window (UTC): 2026-12-13 02:00 UTC to 2026-12-13 11:00 UTC');
    expect(rescheduled.text).not.toContain('8 December 2026');
    // A calendar client moves the event it already has: same UID, higher SEQUENCE.
    expect(update?.UID).toBe(first?.UID);
    expect(Number(update?.SEQUENCE)).toBeGreaterThan(Number(first?.SEQUENCE));
    expect(icsOf(rescheduled).events).toHaveLength(1);
  });

  it('refuses a second reschedule with 409 RESCHEDULE_LIMIT_REACHED and changes nothing', async () => {
    const before = await readChange(system, id);
    const later = (
      await windowsFrom(system, {
        region: 'AMER',
        from: shift(newWindow.start, { days: 1 }),
        kind: 'infrastructure',
      })
    )[0] as WindowView;

    const again = await system.call('POST', `/changes/${id}/reschedule`, {
      key: system.keys.acme,
      body: { requestedStart: later.start, reason: 'Once more' },
    });

    expect(again.status).toBe(409);
    expect(again.body.error).toBe('RESCHEDULE_LIMIT_REACHED');
    const after = await readChange(system, id);
    expect(after.version).toBe(before.version);
    expect(after.window).toEqual(newWindow);
    expect(after.history).toEqual(before.history);
    expect(await mailsOf(system, id)).toHaveLength(2);
  });

  it('does nothing at reply-by, at the old reminder time or at the old window start', async () => {
    await system.set(created.replyBy as string);
    await system.set(shift(created.window.start, { hours: -24 }));
    await system.set(created.window.start);
    await system.advance('PT12H');

    const change = await readChange(system, id);
    expect(change.status).toBe('CONFIRMED');
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT', 'RESCHEDULED', 'CONFIRMED', 'NOTICE_SENT']);
    expect(await mailsOf(system, id)).toHaveLength(2);
  });

  it('sends the reminder 24 hours before the new window and starts at the new window', async () => {
    const reminderAt = shift(newWindow.start, { hours: -24 });
    await system.set(reminderAt);
    const reminder = oneMail(await mailsOf(system, id), id, 'Reminder:');
    expectNotice(reminder, {
      changeId: id,
      subject: 'Reminder: maintenance Voicemail cluster move',
      ...GLOBEX_PLANNED,
      window: newWindow,
      ics: { status: 'CONFIRMED' },
    });

    await system.set(newWindow.start);

    const change = await readChange(system, id);
    expect(change.status).toBe('IN_PROGRESS');
    expect(entriesOf(change, 'REMINDER_SENT')).toEqual([expect.objectContaining({ at: reminderAt })]);
    expect(entriesOf(change, 'STARTED')).toEqual([expect.objectContaining({ at: newWindow.start })]);
    const started = oneMail(await mailsOf(system, id), id, 'Maintenance started:');
    expectNotice(started, {
      changeId: id,
      subject: 'Maintenance started: Voicemail cluster move',
      ...GLOBEX_PLANNED,
      window: newWindow,
    });
  });

  it('completes and the partner gets the outcome', async () => {
    await system.advance('PT4H');

    const done = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });

    expect(done.status).toBe(200);
    expect(subjectsOf(await mailsOf(system, id), id)).toEqual([
      'Scheduled maintenance: Voicemail cluster move',
      'Maintenance rescheduled: Voicemail cluster move',
      'Reminder: maintenance Voicemail cluster move',
      'Maintenance started: Voicemail cluster move',
      'Maintenance completed: Voicemail cluster move',
    ]);
    expect(system.runtime.workflow.describe(id)?.status).toBe('SUCCEEDED');
  });
});
