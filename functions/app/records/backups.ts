/**
 * Backup results (ops only): recorded with their retention class, and listed with the class as of the
 * request. The class is computed per application from its whole history (core/retention.ts), the same
 * classification the nightly job stores; what is stored may be a day old, so it is not what is shown.
 */
import { DateTime } from 'luxon';
import { notFound } from '#app/changes/new-change.ts';
import type { Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import { type BackupResult, classifyCustomerBackups, type StoredBackup } from '#core/retention.ts';
import type { BackupStatus, Retention, UcApplication } from '#core/vocabulary.ts';

export interface BackupView extends Omit<BackupResult, 'recordedAt'> {
  retention: Retention;
  expiresAt?: string;
}

/** The records as the API shows them at `now`: a failed result past its days is gone even before the job deletes it. */
function withRetention(ports: Pick<Ports, 'policy'>, results: StoredBackup[], now: DateTime): BackupView[] {
  const classes = classifyCustomerBackups(ports.policy, results, now);
  return results
    .filter((result) => !classes.get(result.backupId)?.dropRecord)
    .map((result) => {
      const c = classes.get(result.backupId);
      const {
        recordedAt: _recordedAt,
        retention: _storedRetention,
        expiresAt: _storedExpiresAt,
        expiredAt: _expiredAt,
        ...rest
      } = result;
      return {
        ...rest,
        retention: c?.retention ?? 'EXPIRED',
        ...(c?.expiresAt ? { expiresAt: c.expiresAt } : {}),
      };
    });
}

export async function recordBackup(
  ports: Pick<Ports, 'directory' | 'backups' | 'policy' | 'clock' | 'ids'>,
  request: {
    customerId: string;
    application: UcApplication;
    takenAt: string;
    status: BackupStatus;
    sizeBytes?: number;
  },
): Promise<BackupView> {
  if (!(await ports.directory.readCustomer(request.customerId)))
    throw notFound('customer', request.customerId);
  const now = ports.clock.now();
  const result: BackupResult = {
    backupId: ports.ids.newId('bkp'),
    customerId: request.customerId,
    application: request.application,
    takenAt: toUtcIso(DateTime.fromISO(request.takenAt, { setZone: true })),
    status: request.status,
    ...(request.sizeBytes !== undefined ? { sizeBytes: request.sizeBytes } : {}),
    recordedAt: toUtcIso(now),
  };
  // Stored with its class at `now` among the application's history: the nightly job then only writes
  // what changes later.
  const history = [...(await ports.backups.query(request.customerId, request.application)), result];
  const view = withRetention(ports, history, now).find((b) => b.backupId === result.backupId);
  if (!view) throw new Error(`backup ${result.backupId} missing from its own history`);
  await ports.backups.put(result, {
    retention: view.retention,
    ...(view.expiresAt ? { expiresAt: view.expiresAt } : {}),
  });
  return view;
}

export async function listBackups(
  ports: Pick<Ports, 'directory' | 'backups' | 'policy' | 'clock'>,
  request: { customerId: string; application?: UcApplication },
): Promise<{ items: BackupView[] }> {
  if (!(await ports.directory.readCustomer(request.customerId)))
    throw notFound('customer', request.customerId);
  const results = await ports.backups.query(request.customerId, request.application);
  return { items: withRetention(ports, results, ports.clock.now()) };
}
