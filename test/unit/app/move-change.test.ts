/**
 * Moving a change (functions/app/changes/move-change.ts) on an in-memory store with the real store's
 * conditions: the core decides on the record as read, the write is conditional on its version and on
 * the new window's room, a conflict is decided again, a full window is refused in the core's words.
 */
import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyMove } from '#app/changes/move-change.ts';
import { rescheduleChange } from '#app/changes/reschedule-change.ts';
import { VersionConflict } from '#app/ports.ts';
import { acknowledgeChange, rescheduleChange as decideReschedule } from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { RecordingEvents, RecordingWorkflow } from '../../support/doubles.ts';
import { InMemoryChangeStore } from '../../support/in-memory-change-store.ts';
import { plannedChangeRecord } from '../support/change-fixtures.ts';

// A change in the window of Mon 7 Dec 2026, 21:00 New York; now is Fri 20 Nov 15:00 there.
const NOW = DateTime.fromISO('2026-11-20T20:00:00Z', { zone: 'utc' });
const TUESDAY_15_DEC = '2026-12-16T02:00:00Z';
const partner = { role: 'partner', partnerId: 'ptn_acme' } as const;

let changes: InMemoryChangeStore;
let ports: Parameters<typeof rescheduleChange>[0];

beforeEach(async () => {
  changes = new InMemoryChangeStore();
  changes.used.set('AMER#2026-12-07', 1);
  await changes.write(null, { change: plannedChangeRecord(), history: [], capacity: [] });
  changes.writes.length = 0;
  ports = {
    changes,
    events: new RecordingEvents(),
    policy: DEFAULT_POLICY,
    waitTokens: { park: async () => undefined, read: async () => null },
    workflow: new RecordingWorkflow(),
    clock: { now: () => NOW },
  };
});

const reschedule = (requestedStart: string) =>
  rescheduleChange(ports, {
    changeId: 'chg_fixture0001',
    principal: partner,
    requestedStart,
    reason: 'busy',
  });

describe('rescheduling into a window', () => {
  it('takes the place when the window has one left, and gives the old one back', async () => {
    // Prepare
    changes.used.set('AMER#2026-12-15', 24);

    // Act
    const view = await reschedule(TUESDAY_15_DEC);

    // Assess
    expect(view).toMatchObject({
      status: 'CONFIRMED',
      window: { start: TUESDAY_15_DEC },
      reschedulesRemaining: 0,
    });
    expect(changes.used.get('AMER#2026-12-15')).toBe(25);
    expect(changes.used.get('AMER#2026-12-07')).toBe(0);
  });

  it('refuses a full window with WINDOW_FULL 409 in the core words, and changes nothing', async () => {
    // Prepare
    changes.used.set('AMER#2026-12-15', 25);

    // Act
    const error = await reschedule(TUESDAY_15_DEC).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'WINDOW_FULL', status: 409 });
    expect((error as Error).message).toContain('The window starting 2026-12-15 21:00 America/New_York');
    expect((error as Error).message).not.toContain('AMER#');
    expect(changes.writes).toEqual([]);
    expect((await changes.readRecord('chg_fixture0001'))?.reschedulesRemaining).toBe(1);
  });

  it('reports the date rules before capacity: a too-late full window is RESCHEDULE_TOO_LATE, nothing written', async () => {
    // Prepare: the requested window (Sat 6 Feb 2027, 21:00 New York) is full, and past the 60 days.
    changes.used.set('AMER#2027-02-06', 25);

    // Act
    const error = await reschedule('2027-02-07T02:00:00Z').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'RESCHEDULE_TOO_LATE' });
    expect(changes.writes).toEqual([]);
  });
});

describe('applyMove', () => {
  it('decides again on the fresh record when another writer got there first', async () => {
    // Prepare: the first write loses to a concurrent acknowledgement.
    const write = changes.write.bind(changes);
    let raced = false;
    changes.write = async (before, transition) => {
      if (!raced) {
        raced = true;
        const current = (await changes.readRecord('chg_fixture0001'))!;
        await write(current, acknowledgeChange(current, 'partner:ptn_acme', NOW) as never);
      }
      return write(before, transition);
    };

    // Act
    const error = await applyMove(ports, {
      changeId: 'chg_fixture0001',
      decide: (change) => acknowledgeChange(change, 'ops', NOW),
    }).catch((e: unknown) => e);

    // Assess: the second decision saw the acknowledged change and refused.
    expect(error).toMatchObject({ code: 'INVALID_STATE' });
    expect((await changes.readRecord('chg_fixture0001'))?.status).toBe('CONFIRMED');
  });

  it('answers NOT_FOUND for a change the partner may not see', async () => {
    const error = await applyMove(ports, {
      changeId: 'chg_fixture0001',
      principal: { role: 'partner', partnerId: 'ptn_other' },
      decide: (change) =>
        decideReschedule(DEFAULT_POLICY, change, { requestedStart: TUESDAY_15_DEC, reason: 'x' }, 'p', NOW),
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('gives up after 8 conflicts in a row with the conflict itself', async () => {
    changes.write = async () => {
      throw new VersionConflict('always');
    };

    const error = await applyMove(ports, {
      changeId: 'chg_fixture0001',
      decide: (change) => acknowledgeChange(change, 'ops', NOW),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VersionConflict);
  }, 20_000);
});
