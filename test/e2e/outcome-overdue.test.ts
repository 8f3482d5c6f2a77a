/**
 * No outcome by the window's end plus 2 hours: ops is alerted once (OUTCOME_OVERDUE, P2; history
 * ALERT_RAISED; an e-mail to the ops alert list), and the lifecycle keeps waiting: an outcome recorded
 * later still sends the outcome notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import {
  ADDRESSES,
  type ChangeView,
  entriesOf,
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

async function overdueAlerts(changeId: string): Promise<AlertView[]> {
  const response = await system.call<{ items: AlertView[] }>('GET', '/alerts?status=open');
  expect(response.status).toBe(200);
  return response.body.items.filter((a) => a.event === 'OUTCOME_OVERDUE' && a.detail.changeId === changeId);
}

async function alertMails(changeId: string) {
  return (await system.mails({ to: ADDRESSES.opsAlerts })).filter((m) => m.text.includes(changeId));
}

describe('outcome overdue', () => {
  let change: ChangeView;
  let overdueAt: string;

  it('raises nothing until 2 hours after the window end', async () => {
    change = await createPlanned(system, { title: 'Forgotten outcome' });
    overdueAt = shift(change.window.end, { hours: 2 });
    await system.set(change.replyBy as string);
    await system.set(shift(change.window.start, { hours: -24 }));
    await system.set(change.window.start);

    await system.set(shift(overdueAt, { seconds: -1 }));

    expect(entriesOf(await readChange(system, change.changeId), 'ALERT_RAISED')).toEqual([]);
    expect(await overdueAlerts(change.changeId)).toEqual([]);
  });

  it('alerts ops once at window end + 2 h: history, GET /alerts and an e-mail to the alert list', async () => {
    await system.set(overdueAt);

    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('IN_PROGRESS');
    const raised = entriesOf(stored, 'ALERT_RAISED');
    expect(raised).toEqual([
      expect.objectContaining({
        at: overdueAt,
        actor: 'system',
        detail: expect.objectContaining({ event: 'OUTCOME_OVERDUE' }),
      }),
    ]);
    const alerts = await overdueAlerts(change.changeId);
    expect(alerts).toEqual([
      expect.objectContaining({
        priority: 'P2',
        raisedAt: overdueAt,
        respondBy: shift(overdueAt, { hours: 2 }),
      }),
    ]);
    expect(raised[0]?.detail.alertId).toBe(alerts[0]?.alertId);
    const mails = await alertMails(change.changeId);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual([ADDRESSES.opsAlerts]);
    expect(mails[0]?.subject).toMatch(/^\[P2\] /);
    expect(mails[0]?.subject).toContain(change.changeId);
  });

  it('does not alert again while it keeps waiting', async () => {
    await system.advance('P1D');
    await system.advance('P1D');
    await system.advance('PT12H');

    const stored = await readChange(system, change.changeId);
    expect(stored.status).toBe('IN_PROGRESS');
    expect(entriesOf(stored, 'ALERT_RAISED')).toHaveLength(1);
    expect(await overdueAlerts(change.changeId)).toHaveLength(1);
    expect(await alertMails(change.changeId)).toHaveLength(1);
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('RUNNING');
  });

  it('sends the outcome notice when ops finally records the outcome', async () => {
    const done = await system.call('POST', `/changes/${change.changeId}/complete`, {
      body: { outcome: 'failed', notes: 'The media resources did not come back; escalated to the vendor.' },
    });

    expect(done.status).toBe(200);
    const mails = await mailsOf(system, change.changeId);
    expect(subjectsOf(mails, change.changeId)).toEqual([
      'Scheduled maintenance: Forgotten outcome',
      'Reminder: maintenance Forgotten outcome',
      'Maintenance started: Forgotten outcome',
      'Maintenance failed: Forgotten outcome',
    ]);
    const outcome = mails[3]!;
    expectNotice(outcome, {
      changeId: change.changeId,
      subject: 'Maintenance failed: Forgotten outcome',
      ...GLOBEX_PLANNED,
    });
    expect(outcome.text).toContain('The media resources did not come back; escalated to the vendor.');
    expect((await readChange(system, change.changeId)).status).toBe('FAILED');
    expect(system.runtime.workflow.describe(change.changeId)?.status).toBe('SUCCEEDED');
  });
});
