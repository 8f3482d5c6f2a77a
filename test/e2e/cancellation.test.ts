/**
 * Ops cancels a scheduled change: CANCELLED, a cancellation notice with the reason and a calendar
 * cancellation (STATUS:CANCELLED, same UID), the lifecycle execution ends, and nothing more happens at
 * the times the change would have been confirmed, reminded or started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
afterAll(async () => system?.stop());

describe('cancel', () => {
  let created: ChangeView;
  let id: string;

  it('cancels a scheduled change and sends the cancellation notice with the reason', async () => {
    // Prepare
    created = await createPlanned(system, { title: 'Gateway firmware' });
    id = created.changeId;
    await system.advance('PT3H');

    // Act
    const answer = await system.call('POST', `/changes/${id}/cancel`, {
      body: { reason: 'The vendor withdrew the firmware release.' },
    });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.status).toBe('CANCELLED');
    const change = await readChange(system, id);
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT', 'CANCELLED', 'NOTICE_SENT']);
    expect(entriesOf(change, 'CANCELLED')[0]).toMatchObject({
      at: '2026-11-23T18:00:00Z',
      actor: 'ops',
      detail: { reason: 'The vendor withdrew the firmware release.' },
    });
    const mails = await mailsOf(system, id);
    expect(subjectsOf(mails, id)).toEqual([
      'Scheduled maintenance: Gateway firmware',
      'Maintenance cancelled: Gateway firmware',
    ]);
    const notice = mails[1]!;
    const event = expectNotice(notice, {
      changeId: id,
      subject: 'Maintenance cancelled: Gateway firmware',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'CANCELLED' },
    });
    expect(notice.text).toContain('Reason: The vendor withdrew the firmware release.');
    expect(notice.text).toContain('has been cancelled and will not take place');
    // The cancellation replaces the event a calendar client already holds.
    const scheduledEvent = expectNotice(mails[0]!, {
      changeId: id,
      subject: 'Scheduled maintenance: Gateway firmware',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'TENTATIVE' },
    });
    expect(Number(event?.SEQUENCE)).toBeGreaterThan(Number(scheduledEvent?.SEQUENCE));
  });

  it('ends the lifecycle execution', async () => {
    expect(system.runtime.workflow.describe(id)?.status).toBe('SUCCEEDED');
  });

  it('refuses a second cancellation and a completion with 409 INVALID_STATE', async () => {
    const again = await system.call('POST', `/changes/${id}/cancel`, { body: { reason: 'again' } });
    const complete = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });

    expect(again.status).toBe(409);
    expect(again.body.error).toBe('INVALID_STATE');
    expect(complete.status).toBe(409);
    expect(complete.body.error).toBe('INVALID_STATE');
  });

  it('does nothing at the old reply-by, reminder and window times', async () => {
    const before = await readChange(system, id);

    await system.set(created.replyBy as string);
    await system.set(shift(created.window.start, { hours: -24 }));
    await system.set(created.window.start);
    await system.set(shift(created.window.end, { hours: 30 }));

    const after = await readChange(system, id);
    expect(after).toEqual(before);
    expect(after.status).toBe('CANCELLED');
    expect(await mailsOf(system, id)).toHaveLength(2);
    const alerts = await system.call<{ items: { detail: Record<string, unknown> }[] }>('GET', '/alerts');
    expect(alerts.body.items.filter((alert) => alert.detail.changeId === id)).toEqual([]);
  });

  it('leaves the change out of the partner calendar feed', async () => {
    const feed = await system.call('GET', '/partners/acme-voice/calendar.ics', { key: system.keys.acme });

    expect(feed.status).toBe(200);
    expect(feed.text).not.toContain(id);
  });
});
