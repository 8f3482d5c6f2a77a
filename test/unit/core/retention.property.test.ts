import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { type BackupRecord, classifyBackups } from '#core/retention.ts';

const policy = DEFAULT_POLICY;
const NOW = DateTime.fromISO('2026-06-01T00:00:00Z', { zone: 'utc' });
const DAY_MS = 86_400_000;

/**
 * Ages in milliseconds: anything up to 60 days, whole days (so backups tie), a handful of recent
 * nights (so ties often straddle the third latest good backup), and the boundaries themselves
 * (3, 7 and 33 days, and a millisecond either side of 3 and 33).
 */
const age = fc.oneof(
  fc.integer({ min: 0, max: 60 * DAY_MS }),
  fc.integer({ min: 0, max: 60 }).map((days) => days * DAY_MS),
  fc.integer({ min: 0, max: 3 }).map((days) => days * DAY_MS),
  fc.constantFrom(3 * DAY_MS - 1, 3 * DAY_MS, 33 * DAY_MS - 1, 33 * DAY_MS, 33 * DAY_MS + 1, 7 * DAY_MS),
);

interface Generated {
  record: BackupRecord;
  ageMs: number;
}

const history = fc
  .uniqueArray(
    fc.record({
      backupId: fc.string({ minLength: 1, maxLength: 6 }),
      status: fc.constantFrom('succeeded' as const, 'failed' as const),
      ageMs: age,
    }),
    { selector: (r) => r.backupId, maxLength: 40 },
  )
  .map((items): Generated[] =>
    items.map(({ backupId, status, ageMs }) => ({
      record: { backupId, status, takenAt: NOW.minus({ milliseconds: ageMs }).toISO() as string },
      ageMs,
    })),
  );

function classify(items: Generated[]) {
  return classifyBackups(
    policy,
    items.map((i) => i.record),
    NOW,
  );
}

describe('classifyBackups on random histories', () => {
  it('never expires the latest good backups and gives them no expiry', () => {
    fc.assert(
      fc.property(history, (items) => {
        for (const c of classify(items)) {
          if (c.latestGood) {
            expect(c.retention).toBe('DATA_CENTRE');
            expect(c.expiresAt).toBeUndefined();
          }
        }
      }),
    );
  });

  it('marks exactly min(3, good count) backups as latest, all good and none older than a non-latest good one', () => {
    fc.assert(
      fc.property(history, (items) => {
        const result = classify(items);
        const goodCount = items.filter((i) => i.record.status === 'succeeded').length;
        const latestAges: number[] = [];
        const otherGoodAges: number[] = [];
        result.forEach((c, index) => {
          const item = items[index] as Generated;
          if (c.latestGood) latestAges.push(item.ageMs);
          else if (item.record.status === 'succeeded') otherGoodAges.push(item.ageMs);
          if (c.latestGood) expect(item.record.status).toBe('succeeded');
        });
        expect(latestAges).toHaveLength(Math.min(3, goodCount));
        if (latestAges.length > 0 && otherGoodAges.length > 0) {
          expect(Math.max(...latestAges)).toBeLessThanOrEqual(Math.min(...otherGoodAges));
        }
      }),
    );
  });

  it('expires a good non-latest backup exactly when it is 33 days old or more', () => {
    fc.assert(
      fc.property(history, (items) => {
        classify(items).forEach((c, index) => {
          const item = items[index] as Generated;
          if (item.record.status !== 'succeeded' || c.latestGood) return;
          expect(c.retention === 'EXPIRED').toBe(item.ageMs >= 33 * DAY_MS);
          expect(c.retention === 'DATA_CENTRE').toBe(item.ageMs < 3 * DAY_MS);
          expect(c.dropRecord).toBe(false);
        });
      }),
    );
  });

  it('keeps a failed result as an expired record for 7 days, then drops it', () => {
    fc.assert(
      fc.property(history, (items) => {
        classify(items).forEach((c, index) => {
          const item = items[index] as Generated;
          if (item.record.status !== 'failed') return;
          expect(c.retention).toBe('EXPIRED');
          expect(c.latestGood).toBe(false);
          expect(c.dropRecord).toBe(item.ageMs >= 7 * DAY_MS);
        });
      }),
    );
  });

  it('answers one entry per record, in the input order', () => {
    fc.assert(
      fc.property(history, (items) => {
        expect(classify(items).map((c) => c.backupId)).toEqual(items.map((i) => i.record.backupId));
      }),
    );
  });

  it('classifies a record the same whatever the order of the input', () => {
    fc.assert(
      fc.property(
        history.chain((items) =>
          fc.tuple(
            fc.constant(items),
            fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
          ),
        ),
        ([items, shuffled]) => {
          const byId = (list: ReturnType<typeof classify>) =>
            Object.fromEntries(list.map((c) => [c.backupId, c]));
          expect(byId(classify(shuffled))).toEqual(byId(classify(items)));
        },
      ),
    );
  });
});
