/**
 * SES failures. The workflow retries a notice three more times (1 s, 2 s, 4 s, scaled down here):
 * - SES failing twice then recovering: the notice goes out exactly once and the history says so once;
 * - SES failing for good: the notice is recorded as NOTIFICATION_FAILED with a P2 alert for ops, and
 *   the lifecycle still goes on to the end (once SES recovers, the outcome notice is delivered).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import {
  type ChangeView,
  entriesOf,
  eventsOf,
  expectNotice,
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

describe('SES failing for good', () => {
  let change: ChangeView;

  it('records the scheduled notice as failed and raises a P2 alert for ops', async () => {
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
      detail: { notice: 'scheduled' },
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

  it('still confirms at reply-by and starts at the window while SES is down', async () => {
    system.runtime.mail.faults.failAlways();

    await system.set(change.replyBy as string);
    await system.set(shift(change.window.start, { hours: -24 }));
    await system.set(change.window.start);

    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('IN_PROGRESS');
    expect(entriesOf(stored, 'CONFIRMED')).toHaveLength(1);
    expect(entriesOf(stored, 'STARTED')).toHaveLength(1);
    // Reminder and started notice failed as well, each recorded once.
    expect(entriesOf(stored, 'NOTIFICATION_FAILED').map((e) => e.detail.notice)).toEqual([
      'scheduled',
      `reminder-24h@${change.window.start}`,
      'started',
    ]);
    expect(await mailsOf(system, change.changeId)).toEqual([]);
  });

  it('completes once SES is back, and the outcome notice is delivered', async () => {
    system.runtime.mail.faults.heal();
    await system.advance('PT3H');

    const done = await system.call('POST', `/changes/${change.changeId}/complete`, {
      body: { outcome: 'rolled-back', notes: 'Rolled back after a failed health check.' },
    });

    expect(done.status).toBe(200);
    const mails = await mailsOf(system, change.changeId);
    expect(subjectsOf(mails, change.changeId)).toEqual([
      'Maintenance rolled back: Notice that cannot be delivered',
    ]);
    expectNotice(mails[0]!, {
      changeId: change.changeId,
      subject: 'Maintenance rolled back: Notice that cannot be delivered',
      ...GLOBEX_PLANNED,
    });
    expect(mails[0]!.text).toContain('Rolled back after a failed health check.');
    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('ROLLED_BACK');
    expect(eventsOf(stored).slice(-2)).toEqual(['ROLLED_BACK', 'NOTICE_SENT']);
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('SUCCEEDED');
  });
});
