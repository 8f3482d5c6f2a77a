import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#core/policy.ts';
import {
  type BackupClassification,
  type BackupRecord,
  classifyBackups,
  hasGoodBackupSince,
  lastNightStart,
  nightlyGap,
} from '#core/retention.ts';

const policy = DEFAULT_POLICY;

const good = (backupId: string, takenAt: string): BackupRecord => ({
  backupId,
  takenAt,
  status: 'succeeded',
});
const failed = (backupId: string, takenAt: string): BackupRecord => ({ backupId, takenAt, status: 'failed' });

function byId(result: BackupClassification[]): Map<string, BackupClassification> {
  return new Map(result.map((c) => [c.backupId, c]));
}

/** Three good backups newer than anything a boundary test looks at, so they hold the "latest" slots. */
const newest = [
  good('new-1', '2026-01-12T02:00:00Z'),
  good('new-2', '2026-01-12T03:00:00Z'),
  good('new-3', '2026-01-12T04:00:00Z'),
];

describe('classifyBackups', () => {
  it('returns nothing for an empty history', () => {
    expect(classifyBackups(policy, [], '2026-03-10T12:00:00Z')).toEqual([]);
  });

  it('keeps the 3 latest of a normal nightly history in the data centre and the older ones extended', () => {
    // Prepare: ten successful nights, 1 to 10 March 2026 at 02:00 UTC.
    const records = Array.from({ length: 10 }, (_, i) =>
      good(`bk-${String(i + 1).padStart(2, '0')}`, `2026-03-${String(i + 1).padStart(2, '0')}T02:00:00Z`),
    );

    // Act
    const result = classifyBackups(policy, records, '2026-03-10T12:00:00Z');

    // Assess
    expect(result.map((c) => c.backupId)).toEqual(records.map((r) => r.backupId));
    const got = byId(result);
    for (const id of ['bk-08', 'bk-09', 'bk-10']) {
      expect(got.get(id)).toEqual({
        backupId: id,
        retention: 'DATA_CENTRE',
        latestGood: true,
        dropRecord: false,
      });
    }
    // 7 March 02:00 is 3 days 10 hours old: past the data-centre days, within the 30 more.
    expect(got.get('bk-07')).toEqual({
      backupId: 'bk-07',
      retention: 'EXTENDED',
      expiresAt: '2026-04-09T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    expect(got.get('bk-01')).toEqual({
      backupId: 'bk-01',
      retention: 'EXTENDED',
      expiresAt: '2026-04-03T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    expect(result.filter((c) => c.retention === 'EXTENDED')).toHaveLength(7);
  });

  it('keeps a good non-latest backup in the data centre until it is exactly 3 days old', () => {
    const records = [good('old', '2026-01-10T02:00:00Z'), ...newest];

    const justBefore = byId(classifyBackups(policy, records, '2026-01-13T01:59:59.999Z')).get('old');
    const exactly = byId(classifyBackups(policy, records, '2026-01-13T02:00:00Z')).get('old');

    expect(justBefore?.retention).toBe('DATA_CENTRE');
    expect(justBefore?.expiresAt).toBe('2026-02-12T02:00:00Z');
    expect(exactly?.retention).toBe('EXTENDED');
  });

  it('expires a good non-latest backup at exactly 33 days and keeps its record', () => {
    const records = [good('old', '2026-01-10T02:00:00Z'), ...newest];

    const justBefore = byId(classifyBackups(policy, records, '2026-02-12T01:59:59.999Z')).get('old');
    const exactly = byId(classifyBackups(policy, records, '2026-02-12T02:00:00Z')).get('old');

    expect(justBefore).toEqual({
      backupId: 'old',
      retention: 'EXTENDED',
      expiresAt: '2026-02-12T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    expect(exactly).toEqual({
      backupId: 'old',
      retention: 'EXPIRED',
      expiresAt: '2026-02-12T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
  });

  it('counts retention days as 24-hour UTC days even across a daylight-saving change', () => {
    // 27 March 2026 01:30 in Berlin (+01:00) is 00:30 UTC; Berlin springs forward on 29 March.
    const records = [
      good('berlin', '2026-03-27T01:30:00+01:00'),
      ...newest.map((r) => ({ ...r, takenAt: '2026-04-01T00:00:00Z' })),
    ];

    const beforeThreeDays = byId(classifyBackups(policy, records, '2026-03-30T00:29:59Z')).get('berlin');
    const atThreeDays = byId(classifyBackups(policy, records, '2026-03-30T00:30:00Z')).get('berlin');

    expect(beforeThreeDays?.retention).toBe('DATA_CENTRE');
    expect(atThreeDays?.retention).toBe('EXTENDED');
    expect(atThreeDays?.expiresAt).toBe('2026-04-29T00:30:00Z');
  });

  it('reads a takenAt without an offset as UTC', () => {
    const records = [good('plain', '2026-01-10T02:00:00'), ...newest];

    expect(byId(classifyBackups(policy, records, '2026-01-20T00:00:00Z')).get('plain')?.expiresAt).toBe(
      '2026-02-12T02:00:00Z',
    );
  });

  it('keeps the last 3 good backups forever when 40 nights failed after 5 good ones', () => {
    // Prepare: good on 1-5 January 2026, failed every night from 6 January to 14 February.
    const goodOnes = [1, 2, 3, 4, 5].map((d) => good(`good-${d}`, `2026-01-0${d}T02:00:00Z`));
    const failedOnes = Array.from({ length: 40 }, (_, i) => {
      const day = 6 + i; // 6 January + i
      const date =
        day <= 31
          ? `2026-01-${String(day).padStart(2, '0')}`
          : `2026-02-${String(day - 31).padStart(2, '0')}`;
      return failed(`fail-${String(i + 1).padStart(2, '0')}`, `${date}T02:00:00Z`);
    });

    // Act
    const result = classifyBackups(policy, [...goodOnes, ...failedOnes], '2026-02-14T12:00:00Z');

    // Assess
    const got = byId(result);
    for (const id of ['good-3', 'good-4', 'good-5']) {
      expect(got.get(id)).toEqual({
        backupId: id,
        retention: 'DATA_CENTRE',
        latestGood: true,
        dropRecord: false,
      });
    }
    expect(got.get('good-1')).toEqual({
      backupId: 'good-1',
      retention: 'EXPIRED',
      expiresAt: '2026-02-03T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    expect(got.get('good-2')).toEqual({
      backupId: 'good-2',
      retention: 'EXPIRED',
      expiresAt: '2026-02-04T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    // fail-33 is 7 February 02:00: its record expired 14 February 02:00, before now.
    expect(got.get('fail-33')).toEqual({
      backupId: 'fail-33',
      retention: 'EXPIRED',
      expiresAt: '2026-02-14T02:00:00Z',
      latestGood: false,
      dropRecord: true,
    });
    // fail-34 is 8 February 02:00: kept until 15 February 02:00.
    expect(got.get('fail-34')).toEqual({
      backupId: 'fail-34',
      retention: 'EXPIRED',
      expiresAt: '2026-02-15T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    const dropped = result.filter((c) => c.dropRecord).map((c) => c.backupId);
    expect(dropped).toHaveLength(33);
    expect(dropped[0]).toBe('fail-01');
    expect(dropped[32]).toBe('fail-33');
    expect(result.filter((c) => c.latestGood)).toHaveLength(3);
  });

  it('keeps the latest good backups however old they are', () => {
    const records = [good('a', '2020-01-01T02:00:00Z'), good('b', '2020-01-02T02:00:00Z')];

    const result = classifyBackups(policy, records, '2026-01-01T00:00:00Z');

    expect(result).toEqual([
      { backupId: 'a', retention: 'DATA_CENTRE', latestGood: true, dropRecord: false },
      { backupId: 'b', retention: 'DATA_CENTRE', latestGood: true, dropRecord: false },
    ]);
  });

  it('treats a failed result as a record only, even when it is the newest', () => {
    const records = [good('g', '2026-01-10T02:00:00Z'), failed('f', '2026-01-11T02:00:00Z')];

    const result = byId(classifyBackups(policy, records, '2026-01-11T02:00:00Z'));

    expect(result.get('f')).toEqual({
      backupId: 'f',
      retention: 'EXPIRED',
      expiresAt: '2026-01-18T02:00:00Z',
      latestGood: false,
      dropRecord: false,
    });
    expect(result.get('g')?.latestGood).toBe(true);
  });

  it('drops a failed record at exactly 7 days', () => {
    const records = [failed('f', '2026-01-11T02:00:00Z')];

    expect(classifyBackups(policy, records, '2026-01-18T01:59:59.999Z')[0]?.dropRecord).toBe(false);
    expect(classifyBackups(policy, records, '2026-01-18T02:00:00Z')[0]?.dropRecord).toBe(true);
  });

  it('breaks a tie in takenAt by backupId, the larger id counting as the later backup', () => {
    // Prepare: one backup at 03:00 and three at 02:00; only two of the three tied ones fit.
    const records = [
      good('bk-b', '2026-01-10T02:00:00Z'),
      good('bk-a', '2026-01-10T02:00:00Z'),
      good('later', '2026-01-10T03:00:00Z'),
      good('bk-c', '2026-01-10T02:00:00Z'),
    ];

    const forward = byId(classifyBackups(policy, records, '2026-01-10T12:00:00Z'));
    const backward = byId(classifyBackups(policy, [...records].reverse(), '2026-01-10T12:00:00Z'));

    for (const got of [forward, backward]) {
      expect(got.get('later')?.latestGood).toBe(true);
      expect(got.get('bk-c')?.latestGood).toBe(true);
      expect(got.get('bk-b')?.latestGood).toBe(true);
      expect(got.get('bk-a')).toEqual({
        backupId: 'bk-a',
        retention: 'DATA_CENTRE',
        expiresAt: '2026-02-12T02:00:00Z',
        latestGood: false,
        dropRecord: false,
      });
    }
  });

  it('compares instants, not strings, when takenAt carry different offsets', () => {
    // 2026-01-10T05:00+09:00 is 2026-01-09T20:00Z, older than the other three.
    const records = [
      good('tokyo', '2026-01-10T05:00:00+09:00'),
      good('utc-1', '2026-01-09T21:00:00Z'),
      good('utc-2', '2026-01-09T22:00:00Z'),
      good('utc-3', '2026-01-09T23:00:00Z'),
    ];

    const got = byId(classifyBackups(policy, records, '2026-01-10T00:00:00Z'));

    expect(got.get('tokyo')?.latestGood).toBe(false);
    expect(got.get('tokyo')?.expiresAt).toBe('2026-02-11T20:00:00Z');
  });

  it('follows the policy numbers', () => {
    const records = [good('a', '2026-01-01T00:00:00Z'), good('b', '2026-01-02T00:00:00Z')];
    const custom = {
      ...policy,
      backups: { ...policy.backups, keepLatestGood: 1, dataCentreDays: 1, extendedDays: 2 },
    };

    expect(classifyBackups(custom, records, '2026-01-03T12:00:00Z')).toEqual([
      {
        backupId: 'a',
        retention: 'EXTENDED',
        expiresAt: '2026-01-04T00:00:00Z',
        latestGood: false,
        dropRecord: false,
      },
      { backupId: 'b', retention: 'DATA_CENTRE', latestGood: true, dropRecord: false },
    ]);
  });

  it('refuses a record whose takenAt is not an instant', () => {
    expect(() => classifyBackups(policy, [good('x', 'yesterday')], '2026-01-01T00:00:00Z')).toThrow(
      RangeError,
    );
  });

  it('accepts now as a luxon DateTime', () => {
    const records = [good('old', '2026-01-10T02:00:00Z'), ...newest];
    const now = DateTime.fromISO('2026-02-12T03:00:00+01:00', { setZone: true });

    expect(byId(classifyBackups(policy, records, now)).get('old')?.retention).toBe('EXPIRED');
  });
});

describe('hasGoodBackupSince', () => {
  it('finds a good backup taken at or after the instant', () => {
    const records = [good('g', '2026-03-09T12:00:00Z')];

    expect(hasGoodBackupSince(records, '2026-03-09T12:00:00Z')).toBe(true);
    expect(hasGoodBackupSince(records, '2026-03-09T12:00:00.001Z')).toBe(false);
  });

  it('ignores failed results', () => {
    expect(hasGoodBackupSince([failed('f', '2026-03-10T02:00:00Z')], '2026-03-09T00:00:00Z')).toBe(false);
  });

  it('is false for an empty history', () => {
    expect(hasGoodBackupSince([], '2026-03-09T00:00:00Z')).toBe(false);
  });
});

describe('lastNightStart', () => {
  it('is 24 hours before now, in UTC', () => {
    expect(lastNightStart('2026-03-10T12:00:00Z').toISO()).toBe('2026-03-09T12:00:00.000Z');
  });

  it('counts elapsed hours across a daylight-saving change', () => {
    // Noon in Berlin on 29 March 2026 (+02:00, after the spring-forward night) is 10:00 UTC.
    expect(lastNightStart('2026-03-29T12:00:00+02:00').toISO()).toBe('2026-03-28T10:00:00.000Z');
  });

  it('takes another look-back', () => {
    expect(lastNightStart('2026-03-10T12:00:00Z', 36).toISO()).toBe('2026-03-09T00:00:00.000Z');
  });

  it('refuses a look-back that is not positive', () => {
    expect(() => lastNightStart('2026-03-10T12:00:00Z', 0)).toThrow(RangeError);
  });
});

describe('nightlyGap', () => {
  const now = '2026-03-10T12:00:00Z';

  it('is false after a night with a good backup', () => {
    expect(nightlyGap([good('g', '2026-03-10T02:00:00Z')], now)).toBe(false);
  });

  it('is true when the only good backup of the night failed', () => {
    const records = [good('g', '2026-03-09T02:00:00Z'), failed('f', '2026-03-10T02:00:00Z')];

    expect(nightlyGap(records, now)).toBe(true);
  });

  it('includes a good backup taken exactly 24 hours ago and not one a second older', () => {
    expect(nightlyGap([good('g', '2026-03-09T12:00:00Z')], now)).toBe(false);
    expect(nightlyGap([good('g', '2026-03-09T11:59:59Z')], now)).toBe(true);
  });

  it('does not count a backup stamped after now', () => {
    expect(nightlyGap([good('g', '2026-03-10T12:00:01Z')], now)).toBe(true);
  });

  it('is true for an application with no backups at all', () => {
    expect(nightlyGap([], now)).toBe(true);
  });

  it('looks back as many hours as asked', () => {
    const records = [good('g', '2026-03-09T02:00:00Z')];

    expect(nightlyGap(records, now, 24)).toBe(true);
    expect(nightlyGap(records, now, 48)).toBe(false);
  });
});
