import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type DemoBackupConfig, demoBackupHistory, demoBackupNight, unitDraw } from '#local/demo-backups.ts';

const CONFIG: DemoBackupConfig = {
  nights: 5,
  seed: 'demo',
  failureRate: 0.02,
  failing: [{ customerId: 'umbrella-jp', application: 'CER', nights: 2 }],
};
const CUSTOMERS = ['globex', 'initech', 'umbrella-jp', 'wayne-au'];
const EPOCH = DateTime.fromISO('2026-11-23T15:00:00Z', { zone: 'utc' });
const night = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });
const failed = (results: { status: string; customerId: string; application: string; takenAt: string }[]) =>
  results.filter((r) => r.status === 'failed').map((r) => `${r.customerId}/${r.application} ${r.takenAt}`);

describe('the demo backup system', () => {
  it('seeds the nights up to the epoch, with the failing application failing its last nights', () => {
    const history = demoBackupHistory(CONFIG, CUSTOMERS, EPOCH);
    expect(history).toHaveLength(5 * 4 * 5);
    expect(history[0]?.takenAt).toBe('2026-11-19T02:00:00Z');
    expect(history.at(-1)?.takenAt).toBe('2026-11-23T02:00:00Z');
    expect(failed(history)).toEqual([
      'umbrella-jp/CER 2026-11-22T02:00:00Z',
      'umbrella-jp/CER 2026-11-23T02:00:00Z',
    ]);
  });

  it('reports the same night the same way every time: ids, statuses and sizes', () => {
    const first = demoBackupNight(CONFIG, CUSTOMERS, night('2026-11-30T02:00:00Z'), EPOCH);
    const again = demoBackupNight(CONFIG, CUSTOMERS, night('2026-11-30T02:00:00Z'), EPOCH);
    expect(again).toEqual(first);
    expect(first[0]?.backupId).toBe('bkp_demo_globex_CUCM_2026-11-30');
    for (const r of first) expect(r.sizeBytes).toBeGreaterThanOrEqual(225_000_000);
    for (const r of first) expect(r.sizeBytes).toBeLessThanOrEqual(275_000_000);
  });

  it('after the epoch, the failing application recovers and failures are rare draws', () => {
    const nights = Array.from({ length: 100 }, (_, i) => night('2026-11-24T02:00:00Z').plus({ days: i }));
    const all = nights.flatMap((n) => demoBackupNight(CONFIG, CUSTOMERS, n, EPOCH));
    const failures = failed(all);
    // 2,000 backups at 2 %: about 40, and never all of one night.
    expect(failures.length).toBeGreaterThan(20);
    expect(failures.length).toBeLessThan(70);
    expect(
      demoBackupNight({ ...CONFIG, failureRate: 0 }, CUSTOMERS, nights[3] as DateTime, EPOCH).every(
        (r) => r.status === 'succeeded',
      ),
    ).toBe(true);
  });

  it('fails the application asked for, that night only', () => {
    const n = night('2026-11-25T02:00:00Z');
    const quiet = { ...CONFIG, failureRate: 0 };
    expect(
      failed(demoBackupNight(quiet, CUSTOMERS, n, EPOCH, new Set(['initech/UNITY_CONNECTION']))),
    ).toEqual(['initech/UNITY_CONNECTION 2026-11-25T02:00:00Z']);
  });

  it('draws evenly enough over [0, 1)', () => {
    const draws = Array.from({ length: 10_000 }, (_, i) => unitDraw(`x${i}`));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const low = draws.filter((d) => d < 0.1).length;
    expect(low).toBeGreaterThan(900);
    expect(low).toBeLessThan(1100);
  });
});
