/**
 * SES failures. The workflow retries a notice three more times (1 s, 2 s, 4 s, scaled down here):
 * - SES failing twice then recovering: the notice goes out exactly once and the history says so once;
 * - SES failing for a long time: the notice stays owed (NOTIFICATION_FAILED once, one P2 alert), is
 *   retried with growing back-off, holds the change (no confirmation by silence while the partner has
 *   not been told), and is delivered once SES heals; the change then counts its notice from that delivery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import {
  type ChangeView,
  entriesOf,
  eventsOf,
  expectNotice,
  expectWindowStated,
  GLOBEX_PLANNED,
  mailsOf,
  readChange,
  shift,
  subjectsOf,
} from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterEach(() => system?.runtime.mail.faults.heal());
afterAll(async () => system?.stop());

interface AlertView {
  alertId: string;
  event: string;
  priority: string;
  raisedAt: string;
  respondBy: string;
  subject: string;
  detail: Record<string, unknown>;
}

async function alertsFor(changeId: string): Promise<AlertView[]> {
  const response = await system.call<{ items: AlertView[] }>('GET', '/alerts');
  expect(response.status).toBe(200);
  return response.body.items.filter((alert) => alert.detail.changeId === changeId);
}

describe('SES failing twice, then recovering', () => {
  it('delivers the scheduled notice exactly once, recorded once, with no failure', async () => {
    // Prepare
    const faults = system.runtime.mail.faults;
    const failuresBefore = faults.failures;
    faults.failNext(2);

    // Act
    const change = await createPlanned(system, { title: 'Retry after SES hiccups' });

    // Assess
    expect(faults.failures - failuresBefore).toBe(2);
    const mails = await mailsOf(system, change.changeId);
    expect(mails).toHaveLength(1);
    expectNotice(mails[0]!, {
      changeId: change.changeId,
      subject: 'Scheduled maintenance: Retry after SES hiccups',
      ...GLOBEX_PLANNED,
      window: change.window,
      ics: { status: 'TENTATIVE' },
    });
    const stored = await readChange(system, change.changeId);
    expect(eventsOf(stored)).toEqual(['SCHEDULED', 'NOTICE_SENT']);
    expect(entriesOf(stored, 'NOTIFICATION_FAILED')).toEqual([]);
    expect(await alertsFor(change.changeId)).toEqual([]);
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('RUNNING');
  });
});

describe('SES failing for a long time (an outage), then healing', () => {
  let change: ChangeView;

  it('keeps the scheduled notice owed: recorded once, one P2 alert for ops, nothing sent', async () => {
    // Prepare
    system.runtime.mail.faults.failAlways();

    // Act
    change = await createPlanned(system, { title: 'Notice that cannot be delivered' });

    // Assess
    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('SCHEDULED');
    // Both entries share one instant and their order is arbitrary (see history-order.test.ts).
    expect(eventsOf(stored).sort()).toEqual(['ALERT_RAISED', 'NOTIFICATION_FAILED', 'SCHEDULED']);
    expect(entriesOf(stored, 'NOTIFICATION_FAILED')[0]).toMatchObject({
      actor: 'system',
      detail: {
        notice: 'scheduled',
        owed: true,
        nextAttemptAt: shift(change.createdAt as string, { minutes: 5 }),
      },
    });
    expect(await mailsOf(system, change.changeId)).toEqual([]);
    const alerts = await alertsFor(change.changeId);
    expect(alerts).toEqual([
      expect.objectContaining({
        event: 'NOTIFICATION_FAILED',
        priority: 'P2',
        detail: expect.objectContaining({ notice: 'scheduled' }),
      }),
    ]);
    const alert = alerts[0]!;
    expect(Date.parse(alert.respondBy) - Date.parse(alert.raisedAt)).toBe(2 * 3600_000);
    expect(entriesOf(stored, 'ALERT_RAISED')[0]?.detail).toMatchObject({
      event: 'NOTIFICATION_FAILED',
      alertId: alert.alertId,
    });
    // Partners never see alerts.
    const asPartner = await system.call('GET', '/alerts', { key: system.keys.acme });
    expect(asPartner.status).toBe(403);
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('RUNNING');
  });

  it('while the partner has not been told, does not confirm the change at reply-by; retries, alerting once', async () => {
    const faults = system.runtime.mail.faults;
    faults.failAlways();
    const failuresBefore = faults.failures;

    await system.set(change.replyBy as string);

    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('SCHEDULED');
    expect(entriesOf(stored, 'CONFIRMED')).toEqual([]);
    // Tried again with back-off meanwhile (each round: one try and three fast retries) ...
    expect(faults.failures - failuresBefore).toBeGreaterThanOrEqual(4);
    // ... but recorded, and alerted, once for the notice.
    expect(entriesOf(stored, 'NOTIFICATION_FAILED')).toHaveLength(1);
    const alerts = await alertsFor(change.changeId);
    expect(alerts.filter((a) => a.event === 'NOTIFICATION_FAILED')).toHaveLength(1);
    expect(await mailsOf(system, change.changeId)).toEqual([]);
  });

  it('sends the notice once SES is back, moved to a window its delivery gives notice for', async () => {
    // The original failure (issue 9): a notice given up during an SES outage was never sent after SES
    // healed, and the change went on as if the partner had been told.
    system.runtime.mail.faults.heal();

    await system.advance('PT6H');

    const mails = await mailsOf(system, change.changeId);
    expect(subjectsOf(mails, change.changeId)).toEqual([
      'Scheduled maintenance: Notice that cannot be delivered',
    ]);
    const stored = await readChange(system, change.changeId);
    const sent = entriesOf(stored, 'NOTICE_SENT');
    expect(sent).toHaveLength(1);
    // Notice counts from delivery: 10 business days from Fri 27 Nov reach Fri 11 Dec, past the window of
    // Tue 8 Dec, so the change was moved (by the system, the partner's reschedule untouched) before the
    // notice went out, and the notice announces the new window.
    expect(stored.noticeSentAt).toBe(sent[0]?.at);
    expect(entriesOf(stored, 'RESCHEDULED')).toEqual([
      expect.objectContaining({
        actor: 'system',
        detail: expect.objectContaining({ reason: 'late-notice' }),
      }),
    ]);
    expect(stored.window.start > change.window.start).toBe(true);
    expect(stored.reschedulesRemaining).toBe(change.reschedulesRemaining);
    expectWindowStated(mails[0]!, stored.window);
    const late = (await alertsFor(change.changeId)).filter((a) => a.event === 'NOTICE_LATE');
    expect(late).toEqual([expect.objectContaining({ priority: 'P2' })]);
    expect(stored.status).toBe('SCHEDULED');
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('RUNNING');
  });
});
