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
 *
 * One classification serves the nightly job (which stores each record's class and expires what is due,
 * `planRetention`) and the API (which shows the class as of the request, `classifyCustomerBackups`).
 */
import { DateTime } from 'luxon';
import { toUtcIso } from './calendar.ts';
import type { Policy } from './policy.ts';
import type { BackupStatus, Retention, UcApplication } from './vocabulary.ts';

/** A nightly backup result of one customer application, as the API records it. */
export interface BackupResult {
  backupId: string;
  customerId: string;
  application: UcApplication;
  takenAt: string;
  status: BackupStatus;
  sizeBytes?: number;
  recordedAt: string;
}

/** The retention class as stored on a record (kept current by the nightly job). */
export interface StoredRetention {
  retention: Retention;
  /** Absent for the latest good backups, which never expire. */
  expiresAt?: string;
}

/** A record as stored: the result, and its class when one was written (older records may have none). */
export interface StoredBackup extends BackupResult, Partial<StoredRetention> {
  /** When the nightly job expired this good backup's data. */
  expiredAt?: string;
}

/** What classifying a record needs, with its stored class: what the retention job reads. */
export type RetentionRecord = Pick<
  StoredBackup,
  'backupId' | 'customerId' | 'application' | 'takenAt' | 'status' | 'retention' | 'expiresAt' | 'expiredAt'
>;

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

/**
 * Classifies a customer's records at `now`, each application's history as a whole (the latest good
 * backups are the latest of their application): the class of every record, by backup id.
 */
export function classifyCustomerBackups(
  policy: Policy,
  records: readonly (BackupRecord & { application: UcApplication })[],
  now: DateTime | string,
): Map<string, BackupClassification> {
  const classes = new Map<string, BackupClassification>();
  for (const history of Map.groupBy(records, (record) => record.application).values()) {
    for (const c of classifyBackups(policy, history, now)) classes.set(c.backupId, c);
  }
  return classes;
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

// ------------------------------------------------------------------------------------------------
// The nightly job's plan for one customer

export type RetentionAction =
  | {
      kind: 'update';
      record: RetentionRecord;
      next: StoredRetention & { expiredAt?: string };
      /** The stored class or expiry changes. */
      reclassified: boolean;
      /** A good backup's data expires now. */
      expires: boolean;
    }
  | { kind: 'drop'; record: RetentionRecord };

export interface MissingNight {
  application: UcApplication;
  /** takenAt of the latest good backup at or before the run's instant, if there is one. */
  lastGoodTakenAt?: string;
}

export interface RetentionPlan {
  actions: RetentionAction[];
  missingNights: MissingNight[];
}

/**
 * What the nightly job does for one customer at `at`: the writes that bring its records' stored classes
 * up to date (only what differs; good backups that expire now get `expiredAt`; failed records past
 * `failedRecordDays` are dropped), and its applications without a good backup in the night before.
 */
export function planRetention(
  policy: Policy,
  records: readonly RetentionRecord[],
  at: DateTime,
): RetentionPlan {
  const byApplication = Map.groupBy(records, (record) => record.application);
  const actions: RetentionAction[] = [];
  const expiredAt = toUtcIso(at);
  for (const group of byApplication.values()) {
    const classes = classifyBackups(policy, group, at);
    group.forEach((record, index) => {
      const c = classes[index];
      if (!c) throw new Error(`no class for backup ${record.backupId}`);
      if (c.dropRecord) {
        actions.push({ kind: 'drop', record });
        return;
      }
      const reclassified = record.retention !== c.retention || record.expiresAt !== c.expiresAt;
      const expires = record.status === 'succeeded' && c.retention === 'EXPIRED' && !record.expiredAt;
      if (!reclassified && !expires) return;
      actions.push({
        kind: 'update',
        record,
        next: {
          retention: c.retention,
          ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
          ...(expires ? { expiredAt } : {}),
        },
        reclassified,
        expires,
      });
    });
  }

  const missingNights: MissingNight[] = [];
  const atMillis = at.toMillis();
  for (const application of policy.backups.applications) {
    const history = byApplication.get(application) ?? [];
    if (!nightlyGap(history, at)) continue;
    let lastGood: { takenAt: string; millis: number } | undefined;
    for (const record of history) {
      const millis = Date.parse(record.takenAt);
      if (record.status === 'succeeded' && millis <= atMillis && (!lastGood || millis > lastGood.millis)) {
        lastGood = { takenAt: record.takenAt, millis };
      }
    }
    missingNights.push({ application, ...(lastGood ? { lastGoodTakenAt: lastGood.takenAt } : {}) });
  }
  return { actions, missingNights };
}
