/**
 * Backup retention and the nightly backup check (rules section 8).
 *
 * A customer application's backup history is classified as a whole, because "the latest good
 * backups" only make sense among all of them:
 * - good = `succeeded`; the `keepLatestGood` latest good backups (newest `takenAt` first, equal
 *   `takenAt` ordered by `backupId`, the larger id counting as the later one) stay in the data
 *   centre with no expiry, however old: if backups keep failing, the last good ones must survive;
 * - any other good backup is `DATA_CENTRE` while its age is under `dataCentreDays`, `EXTENDED`
 *   while under `dataCentreDays + extendedDays`, and `EXPIRED` from then on; it expires at
 *   takenAt + (dataCentreDays + extendedDays) days. An expired good backup keeps its record for
 *   audit (`dropRecord: false`); only the backup itself is gone;
 * - a failed result is a record only, never a usable backup: `EXPIRED` from the start, kept as a
 *   record until takenAt + `failedRecordDays` days and dropped from then on.
 *
 * Boundaries are half-open: at exactly takenAt + 3 days a backup is `EXTENDED`, at exactly
 * takenAt + 33 days it is `EXPIRED`, and at exactly takenAt + 7 days a failed record is dropped.
 * Days are added with luxon in UTC, where a day is always 24 hours, so a backup's expiry does not
 * move with any region's daylight-saving change.
 */
import { DateTime } from 'luxon';
import { toUtcIso } from './calendar.ts';
import type { Policy } from './policy.ts';
import type { BackupStatus, Retention } from './vocabulary.ts';

export interface BackupRecord {
  /** Unique per customer application (the store's key). */
  backupId: string;
  /** ISO instant the backup was taken; a string without an offset is read as UTC. */
  takenAt: string;
  status: BackupStatus;
}

export interface BackupClassification {
  backupId: string;
  retention: Retention;
  /** ISO UTC instant the backup (or, for a failed result, its record) expires; absent for the latest good ones. */
  expiresAt?: string;
  /** One of the `keepLatestGood` latest good backups, which never expire. */
  latestGood: boolean;
  /** The record itself may be deleted (failed results past `failedRecordDays`). */
  dropRecord: boolean;
}

/** An ISO string (read as UTC when it has no offset) or a DateTime, as a valid UTC DateTime. */
function utcInstant(value: DateTime | string, what: string): DateTime {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc', setZone: true }) : value;
  if (!dt.isValid) throw new RangeError(`${what} is not a valid instant: ${String(value)}`);
  return dt.toUTC();
}

interface ParsedRecord {
  readonly record: BackupRecord;
  readonly takenAt: DateTime;
  readonly takenMillis: number;
}

function parseRecords(records: readonly BackupRecord[]): ParsedRecord[] {
  return records.map((record) => {
    const takenAt = utcInstant(record.takenAt, `takenAt of backup ${record.backupId}`);
    return { record, takenAt, takenMillis: takenAt.toMillis() };
  });
}

/** Newest first; equal instants by backupId, the larger id first, so the order never depends on the input's. */
function newestFirst(a: ParsedRecord, b: ParsedRecord): number {
  if (a.takenMillis !== b.takenMillis) return b.takenMillis - a.takenMillis;
  if (a.record.backupId === b.record.backupId) return 0;
  return a.record.backupId < b.record.backupId ? 1 : -1;
}

/**
 * Classifies the backup records of ONE customer application at `now`: one entry per record, in
 * the input's order.
 */
export function classifyBackups(
  policy: Policy,
  records: readonly BackupRecord[],
  now: DateTime | string,
): BackupClassification[] {
  const { keepLatestGood, dataCentreDays, extendedDays, failedRecordDays } = policy.backups;
  const nowMillis = utcInstant(now, 'now').toMillis();
  const parsed = parseRecords(records);

  const latest = new Set<ParsedRecord>(
    parsed
      .filter((p) => p.record.status === 'succeeded')
      .sort(newestFirst)
      .slice(0, keepLatestGood),
  );

  return parsed.map((p): BackupClassification => {
    const { backupId } = p.record;
    if (p.record.status !== 'succeeded') {
      const recordExpiresAt = p.takenAt.plus({ days: failedRecordDays });
      return {
        backupId,
        retention: 'EXPIRED',
        expiresAt: toUtcIso(recordExpiresAt),
        latestGood: false,
        dropRecord: nowMillis >= recordExpiresAt.toMillis(),
      };
    }
    if (latest.has(p)) {
      return { backupId, retention: 'DATA_CENTRE', latestGood: true, dropRecord: false };
    }
    const dataCentreUntil = p.takenAt.plus({ days: dataCentreDays });
    const expiresAt = p.takenAt.plus({ days: dataCentreDays + extendedDays });
    const retention: Retention =
      nowMillis < dataCentreUntil.toMillis()
        ? 'DATA_CENTRE'
        : nowMillis < expiresAt.toMillis()
          ? 'EXTENDED'
          : 'EXPIRED';
    return { backupId, retention, expiresAt: toUtcIso(expiresAt), latestGood: false, dropRecord: false };
  });
}

function hasGoodBackupBetween(
  records: readonly BackupRecord[],
  fromMillis: number,
  toMillis: number,
): boolean {
  return parseRecords(records).some(
    (p) => p.record.status === 'succeeded' && p.takenMillis >= fromMillis && p.takenMillis <= toMillis,
  );
}

/** Whether a good backup was taken at or after `since` (a later `takenAt` of any age counts). */
export function hasGoodBackupSince(records: readonly BackupRecord[], since: DateTime | string): boolean {
  return hasGoodBackupBetween(records, utcInstant(since, 'since').toMillis(), Number.POSITIVE_INFINITY);
}

function checkLookback(lookbackHours: number): void {
  if (!Number.isFinite(lookbackHours) || lookbackHours <= 0) {
    throw new RangeError(`lookbackHours must be a positive number, got ${lookbackHours}`);
  }
}

/**
 * Where the night the nightly check looks at begins: `lookbackHours` before `now`, as a UTC
 * instant. Counted in elapsed hours (not local wall-clock hours), so the look-back is the same
 * length in every region on every night, daylight-saving changes included.
 */
export function lastNightStart(now: DateTime | string, lookbackHours = 24): DateTime {
  checkLookback(lookbackHours);
  return utcInstant(now, 'now').minus({ hours: lookbackHours });
}

/**
 * True when no good backup was taken in the `lookbackHours` before `now` (both ends included):
 * a night with no good backup for the customer application, which raises a P2 alert. A backup
 * stamped after `now` does not count: the check is about the night that has just passed.
 */
export function nightlyGap(
  records: readonly BackupRecord[],
  now: DateTime | string,
  lookbackHours = 24,
): boolean {
  const to = utcInstant(now, 'now');
  const from = lastNightStart(to, lookbackHours);
  return !hasGoodBackupBetween(records, from.toMillis(), to.toMillis());
}
