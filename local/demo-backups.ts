/**
 * The demo's backup system: what each customer application's nightly backup (02:00 UTC) reported, as a
 * pure function of the demo data, the night and the demo epoch, so a restart, a catch-up after a clock
 * jump, or a second run of the same night writes the very same records (the ids derive from the night).
 *
 * - Nights up to the epoch are the seeded history (`backups.nights` of them): all good, except the
 *   applications in `backups.failing`, which failed their last `nights` nights before the epoch (the
 *   first retention run raises one P2 alert for each, on purpose).
 * - Nights after the epoch are reported as the local clock passes them: good, except with probability
 *   `backups.failureRate` per backup (a seeded draw from `backups.seed`, the customer, the application
 *   and the date: the same every run), and except a failure asked for through
 *   `POST /local/backups/fail` (the next night of that application fails).
 * - Sizes vary by a seeded ±10 % around 250 MB.
 */
import { DateTime } from 'luxon';
import { toUtcIso } from '#core/calendar.ts';
import { UC_APPLICATIONS, type UcApplication } from '#core/vocabulary.ts';

/** One night's report of one application, as the backup records store it. */
export interface BackupResult {
  backupId: string;
  customerId: string;
  application: UcApplication;
  takenAt: string;
  status: 'succeeded' | 'failed';
  sizeBytes: number;
  recordedAt: string;
}

export interface DemoBackupConfig {
  /** Nights of history seeded up to the epoch. */
  nights: number;
  seed: string;
  /** Chance that one backup after the epoch fails, 0..1. */
  failureRate: number;
  failing: readonly { customerId: string; application: UcApplication; nights: number }[];
}

/** The hour (UTC) the demo's backups run. */
export const BACKUP_HOUR_UTC = 2;
/** The same, as the local scheduler reads it. */
export const BACKUP_CRON = `cron(0 ${BACKUP_HOUR_UTC} * * ? *)`;

/** A stable number in [0, 1) for a text: FNV-1a, then one round of a 32-bit mix. */
export function unitDraw(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The backup night (02:00 UTC) at or before an instant. */
export function nightAtOrBefore(instant: DateTime): DateTime {
  const today = instant.toUTC().startOf('day').set({ hour: BACKUP_HOUR_UTC });
  return today > instant ? today.minus({ days: 1 }) : today;
}

/**
 * Every application's report for one night. `forcedFailures` (customerId/application) fail whatever
 * the draw says.
 */
export function demoBackupNight(
  config: DemoBackupConfig,
  customerIds: readonly string[],
  night: DateTime,
  epoch: DateTime,
  forcedFailures: ReadonlySet<string> = new Set(),
): BackupResult[] {
  const takenAt = toUtcIso(night);
  const date = takenAt.slice(0, 10);
  const epochNight = nightAtOrBefore(epoch);
  const nightsBeforeEpoch = Math.round(epochNight.diff(night.toUTC(), 'days').days);
  return customerIds.flatMap((customerId) =>
    UC_APPLICATIONS.map((application): BackupResult => {
      const key = `${config.seed}|${customerId}|${application}|${date}`;
      const failing = config.failing.find(
        (f) => f.customerId === customerId && f.application === application,
      );
      const failed =
        nightsBeforeEpoch >= 0
          ? failing !== undefined && nightsBeforeEpoch < failing.nights
          : forcedFailures.has(`${customerId}/${application}`) ||
            unitDraw(`${key}|status`) < config.failureRate;
      return {
        backupId: `bkp_demo_${customerId}_${application}_${date}`,
        customerId,
        application,
        takenAt,
        status: failed ? 'failed' : 'succeeded',
        sizeBytes: Math.round(250_000_000 * (0.9 + 0.2 * unitDraw(`${key}|size`))),
        recordedAt: toUtcIso(night.plus({ minutes: 20 })),
      };
    }),
  );
}

/** The seeded history: the `config.nights` nights up to the epoch, oldest first. */
export function demoBackupHistory(
  config: DemoBackupConfig,
  customerIds: readonly string[],
  epoch: DateTime,
): BackupResult[] {
  const last = nightAtOrBefore(epoch);
  return Array.from({ length: config.nights }, (_, i) => last.minus({ days: config.nights - 1 - i })).flatMap(
    (night) => demoBackupNight(config, customerIds, night, epoch),
  );
}

export const parseNight = (time: string) => nightAtOrBefore(DateTime.fromISO(time, { zone: 'utc' }));
