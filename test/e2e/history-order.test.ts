/**
 * The history lists what happened in the order it happened, also when several things happen within
 * the same second (history instants have second precision; here the clock is frozen, so everything
 * between two clock moves shares one instant).
 *
 * History is read in commit order: by the change's version each entry was committed at (a notice
 * sent is appended at the version it was decided on), then by instant, then by write order
 * (functions/adapters/dynamodb/keys.ts, `history`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmergency } from './support/changes.ts';
import { readChange } from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

describe('history order within one second', () => {
  it('lists the emergency notice before a completion recorded after it in the same second', async () => {
    // Prepare: the emergency is announced (NOTICE_SENT) before the create call returns.
    const created = await createEmergency(system, {
      customerId: 'globex',
      partnerId: 'acme-voice',
      reason: 'reduce-outage-impact',
      customerImpact: 'Calls to the contact centre queue drop after 30 seconds.',
      title: 'Fail over the contact centre',
      when: 'now',
    });
    const id = created.changeId;
    const announced = await readChange(system, id);
    expect(announced.history.map((e) => e.event)).toEqual(['SCHEDULED', 'STARTED', 'NOTICE_SENT']);

    // Act: ops records the outcome in the same second (the clock has not moved).
    const done = await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });
    expect(done.status).toBe(200);

    // Assess: what happened, in that order.
    const change = await readChange(system, id);
    expect(change.history.map((e) => [e.event, e.detail.notice ?? null])).toEqual([
      ['SCHEDULED', null],
      ['STARTED', null],
      ['NOTICE_SENT', 'emergency'],
      ['COMPLETED', null],
      ['NOTICE_SENT', 'outcome'],
    ]);
  });
});
