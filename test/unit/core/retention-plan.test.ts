/**
 * The retention job's plan for one customer (core/retention.ts `planRetention`): only what differs from
 * the stored class is written, and the applications without a good backup last night are named.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { planRetention, type StoredBackup } from '#core/retention.ts';

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

describe('planRetention', () => {
  it('plans nothing for records whose stored class is current', () => {
    // Prepare
    const records = ['2026-11-21', '2026-11-22', '2026-11-23'].map((day) =>
      backup(`${day}T07:00:00Z`, { retention: 'DATA_CENTRE' }),
    );

    // Act
    const plan = planRetention(
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
    const { actions, missingNights } = planRetention(DEFAULT_POLICY, records, AT);

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
