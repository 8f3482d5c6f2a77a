/**
 * The partner acknowledges a planned change: it is confirmed at once, reply-by then passes without a
 * second confirmation, and the lifecycle goes on to the reminder and the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import {
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

describe('acknowledge', () => {
  let created: Awaited<ReturnType<typeof createPlanned>>;
  let id: string;

  it('confirms the change at once, recorded as the partner acknowledging it', async () => {
    // Prepare
    created = await createPlanned(system, { title: 'SIP trunk migration' });
    id = created.changeId;
    await system.advance('PT2H');

    // Act
    const answer = await system.call('POST', `/changes/${id}/acknowledge`, {
      key: system.keys.acme,
      body: {},
    });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.status).toBe('CONFIRMED');
    const change = await readChange(system, id);
    expect(change.status).toBe('CONFIRMED');
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT', 'ACKNOWLEDGED', 'CONFIRMED']);
    const at = '2026-11-23T17:00:00Z';
    expect(entriesOf(change, 'ACKNOWLEDGED')).toEqual([
      expect.objectContaining({ at, actor: 'partner:acme-voice' }),
    ]);
    expect(entriesOf(change, 'CONFIRMED')).toEqual([
      expect.objectContaining({ at, actor: 'partner:acme-voice' }),
    ]);
  });

  it('refuses a second acknowledgement with 409 INVALID_STATE and changes nothing', async () => {
    const before = await readChange(system, id);

    const again = await system.call('POST', `/changes/${id}/acknowledge`, {
      key: system.keys.acme,
      body: {},
    });

    expect(again.status).toBe(409);
    expect(again.body.error).toBe('INVALID_STATE');
    const after = await readChange(system, id);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
  });

  it('is not confirmed a second time when reply-by passes', async () => {
    await system.set(shift(created.replyBy as string, { hours: 1 }));

    const change = await readChange(system, id);
    expect(change.status).toBe('CONFIRMED');
    expect(entriesOf(change, 'CONFIRMED')).toHaveLength(1);
    expect(eventsOf(change)).toEqual(['SCHEDULED', 'NOTICE_SENT', 'ACKNOWLEDGED', 'CONFIRMED']);
  });

  it('goes on to the reminder 24 hours before the window and the start at the window', async () => {
    const reminderAt = shift(created.window.start, { hours: -24 });
    await system.set(reminderAt);
    expect(entriesOf(await readChange(system, id), 'REMINDER_SENT')).toEqual([
      expect.objectContaining({ at: reminderAt }),
    ]);

    await system.set(created.window.start);

    const change = await readChange(system, id);
    expect(change.status).toBe('IN_PROGRESS');
    expect(eventsOf(change)).toEqual([
      'SCHEDULED',
      'NOTICE_SENT',
      'ACKNOWLEDGED',
      'CONFIRMED',
      'REMINDER_SENT',
      'STARTED',
      'NOTICE_SENT',
    ]);
    const mails = await mailsOf(system, id);
    expect(subjectsOf(mails, id)).toEqual([
      'Scheduled maintenance: SIP trunk migration',
      'Reminder: maintenance SIP trunk migration',
      'Maintenance started: SIP trunk migration',
    ]);
    expectNotice(mails[1]!, {
      changeId: id,
      subject: 'Reminder: maintenance SIP trunk migration',
      ...GLOBEX_PLANNED,
      window: created.window,
      ics: { status: 'CONFIRMED' },
    });
  });
});
