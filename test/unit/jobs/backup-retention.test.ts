/**
 * The retention job's pure parts: what it plans to write for one customer (only what differs from
 * the stored class) and the bounded concurrency it processes customers with.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { StoredBackup } from '#adapters/store/backup-store.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { forEachBounded, planCustomer, walkPages } from '#jobs/backup-retention.ts';

const AT = DateTime.fromISO('2026-11-23T11:30:00Z', { zone: 'utc' });

function backup(takenAt: string, extra: Partial<StoredBackup> = {}): StoredBackup {
  return {
    backupId: `bkp_${takenAt}`,
    customerId: 'c1',
    application: 'CUCM',
    takenAt,
    status: 'succeeded',
    recordedAt: takenAt,
    ...extra,
  };
}

describe('planCustomer', () => {
  it('plans nothing for records whose stored class is current', () => {
    // Prepare
    const records = ['2026-11-21', '2026-11-22', '2026-11-23'].map((day) =>
      backup(`${day}T07:00:00Z`, { retention: 'DATA_CENTRE' }),
    );

    // Act
    const plan = planCustomer(
      { ...DEFAULT_POLICY, backups: { ...DEFAULT_POLICY.backups, applications: ['CUCM'] } },
      records,
      AT,
    );

    // Assess
    expect(plan).toEqual({ actions: [], missingNights: [] });
  });

  it('reclassifies, expires and drops, each only where needed', () => {
    // Prepare
    const records = [
      backup('2026-10-01T07:00:00Z', { retention: 'EXTENDED', expiresAt: '2026-11-03T07:00:00Z' }),
      backup('2026-09-30T07:00:00Z', {
        retention: 'EXPIRED',
        expiresAt: '2026-11-02T07:00:00Z',
        expiredAt: '2026-11-02T11:30:00Z',
      }),
      backup('2026-11-10T07:00:00Z', {
        status: 'failed',
        retention: 'EXPIRED',
        expiresAt: '2026-11-17T07:00:00Z',
      }),
      backup('2026-11-19T07:00:00Z', { retention: 'DATA_CENTRE' }),
      ...['2026-11-20', '2026-11-21', '2026-11-22'].map((day) =>
        backup(`${day}T07:00:00Z`, { retention: 'DATA_CENTRE' }),
      ),
    ];

    // Act
    const { actions, missingNights } = planCustomer(DEFAULT_POLICY, records, AT);

    // Assess
    expect(
      actions.map((a) =>
        a.kind === 'drop' ? ['drop', a.record.takenAt] : ['update', a.record.takenAt, a.next],
      ),
    ).toEqual([
      [
        'update',
        '2026-10-01T07:00:00Z',
        { retention: 'EXPIRED', expiresAt: '2026-11-03T07:00:00Z', expiredAt: '2026-11-23T11:30:00Z' },
      ],
      ['drop', '2026-11-10T07:00:00Z'],
      ['update', '2026-11-19T07:00:00Z', { retention: 'EXTENDED', expiresAt: '2026-12-22T07:00:00Z' }],
    ]);
    // No good CUCM backup since 2026-11-22T11:30Z; the other four applications have none at all.
    expect(missingNights).toEqual([
      { application: 'CUCM', lastGoodTakenAt: '2026-11-22T07:00:00Z' },
      { application: 'UNITY_CONNECTION' },
      { application: 'IM_AND_PRESENCE' },
      { application: 'CER' },
      { application: 'EXPRESSWAY' },
    ]);
  });
});

describe('forEachBounded', () => {
  it('never runs more than the limit at once', async () => {
    // Prepare
    let running = 0;
    let peak = 0;

    // Act
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((done) => setTimeout(done, 1));
        running--;
      },
    );

    // Assess
    expect(peak).toBe(4);
  });

  it('starts nothing new after a failure, waits for the work in flight, then throws the first error', async () => {
    // Prepare
    const started: number[] = [];
    const finished: number[] = [];

    // Act
    const outcome = forEachBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        started.push(i);
        if (i === 1) throw new Error('boom');
        await new Promise((done) => setTimeout(done, 5));
        finished.push(i);
      },
    );

    // Assess
    await expect(outcome).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([0, 2]);
  });
});

describe('walkPages', () => {
  /** A listing of `count` items in pages of `size`; the key is the index the next page starts at. */
  const listing = (count: number, size: number) => async (start: number | undefined) => {
    const from = start ?? 0;
    const items = Array.from({ length: Math.min(size, count - from) }, (_, i) => from + i);
    const next = from + items.length;
    return next < count ? { items, nextKey: next } : { items };
  };
  const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

  it('reports pages in order with their counts, and keeps working across page ends', async () => {
    // Prepare: page 0's first item is slow; the rest are quick.
    const reports: [Record<string, number>, number | undefined][] = [];
    let running = 0;
    let peak = 0;

    // Act
    await walkPages({
      start: undefined,
      fetchPage: listing(10, 3),
      concurrency: 4,
      async work(item, tally) {
        running++;
        peak = Math.max(peak, running);
        await sleep(item === 0 ? 30 : 2);
        running--;
        tally('records', item);
        tally('customers');
      },
      async pageDone(counts, nextKey) {
        reports.push([Object.fromEntries(counts), nextKey]);
      },
    });

    // Assess
    expect(reports).toEqual([
      [{ records: 0 + 1 + 2, customers: 3 }, 3],
      [{ records: 3 + 4 + 5, customers: 3 }, 6],
      [{ records: 6 + 7 + 8, customers: 3 }, 9],
      [{ records: 9, customers: 1 }, undefined],
    ]);
    // While item 0 was slow, the other workers went on into the next pages.
    expect(peak).toBe(4);
  });

  it('resumes from a start key', async () => {
    const seen: number[] = [];
    await walkPages({
      start: 6,
      fetchPage: listing(10, 3),
      concurrency: 2,
      async work(item) {
        seen.push(item);
      },
      async pageDone() {},
    });
    expect(seen.sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
  });

  it('after a failure reports only the pages finished before it, starts nothing new, and throws', async () => {
    // Prepare
    const reported: (number | undefined)[] = [];
    const started: number[] = [];

    // Act
    const outcome = walkPages({
      start: undefined,
      fetchPage: listing(30, 3),
      concurrency: 2,
      async work(item) {
        started.push(item);
        await sleep(1);
        if (item === 4) throw new Error('boom');
      },
      async pageDone(_counts, nextKey) {
        reported.push(nextKey);
      },
    });

    // Assess
    await expect(outcome).rejects.toThrow('boom');
    expect(reported).toEqual([3]);
    expect(Math.max(...started)).toBeLessThanOrEqual(5);
  });
});
