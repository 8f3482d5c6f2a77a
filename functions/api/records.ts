/**
 * Lambda for the bookkeeping routes: COP upload requests (partners ask, a nightly job uploads),
 * backup results (ops only: partners have no access to backups) and the system's alerts.
 */
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { newId } from '#adapters/ids.ts';
import { policy } from '#adapters/policy-source.ts';
import { type Alert, acknowledgeAlert, queryAlerts } from '#adapters/store/alert-store.ts';
import {
  type BackupResult,
  putBackup,
  queryBackups,
  type StoredBackup,
} from '#adapters/store/backup-store.ts';
import { type CopRequest, putCopRequest, readCopRequest } from '#adapters/store/cop-store.ts';
import { readCustomer } from '#adapters/store/directory-store.ts';
import { createApiHandler, type RouteContext } from '#commons/http/api-handler.ts';
import type { alertsQuery, backupBody, backupsQuery, copRequestBody } from '#contract/schemas.ts';
import { toUtcIso } from '#core/calendar.ts';
import { DomainError } from '#core/errors.ts';
import { classifyBackups } from '#core/retention.ts';
import { canSee } from '#core/visibility.ts';
import type { Retention } from '#core/vocabulary.ts';

const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', 404, `${what} ${id} was not found`);

async function createCopRequest({ body, principal, now }: RouteContext<z.output<typeof copRequestBody>>) {
  const customer = await readCustomer(body.customerId);
  if (!customer || principal.role !== 'partner' || customer.partnerId !== principal.partnerId) {
    throw notFound('customer', body.customerId);
  }
  const at = toUtcIso(now);
  const request: CopRequest = {
    requestId: newId('cop'),
    partnerId: customer.partnerId,
    customerId: customer.customerId,
    copFile: body.copFile,
    ...(body.reason ? { reason: body.reason } : {}),
    status: 'PENDING',
    createdAt: at,
    updatedAt: at,
  };
  await putCopRequest(request);
  return request;
}

async function getCopRequest({ params, principal }: RouteContext) {
  const requestId = params.requestId as string;
  const request = await readCopRequest(requestId);
  if (!request || !canSee(principal, request.partnerId)) {
    throw notFound('COP request', requestId);
  }
  return request;
}

/**
 * Backup results with their retention class, computed per application from its whole history at
 * `now`: the class stored on a record is the nightly job's and may be a day old, so it is not shown.
 */
function withRetention(results: StoredBackup[], now: RouteContext['now']) {
  const byApplication = Map.groupBy(results, (result) => result.application);
  const classes = new Map<string, { retention: Retention; expiresAt?: string; dropRecord: boolean }>();
  for (const group of byApplication.values()) {
    for (const c of classifyBackups(policy, group, now)) classes.set(c.backupId, c);
  }
  // A failed result past its 7 days is gone for the caller, even before the nightly job deletes it.
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
        retention: c?.retention ?? ('EXPIRED' as Retention),
        ...(c?.expiresAt ? { expiresAt: c.expiresAt } : {}),
      };
    });
}

async function recordBackup({ body, now }: RouteContext<z.output<typeof backupBody>>) {
  if (!(await readCustomer(body.customerId))) throw notFound('customer', body.customerId);
  const result: BackupResult = {
    backupId: newId('bkp'),
    customerId: body.customerId,
    application: body.application,
    takenAt: toUtcIso(DateTime.fromISO(body.takenAt, { setZone: true })),
    status: body.status,
    ...(body.sizeBytes !== undefined ? { sizeBytes: body.sizeBytes } : {}),
    recordedAt: toUtcIso(now),
  };
  // The record is stored with its class at `now` among the application's history, so the nightly
  // job only writes what changes later.
  const history = [...(await queryBackups(body.customerId, body.application)), result];
  const view = withRetention(history, now).find((b) => b.backupId === result.backupId);
  if (!view) throw new Error(`backup ${result.backupId} missing from its own history`);
  await putBackup(result, {
    retention: view.retention,
    ...(view.expiresAt ? { expiresAt: view.expiresAt } : {}),
  });
  return view;
}

async function listBackups({ query, now }: RouteContext<unknown, z.output<typeof backupsQuery>>) {
  if (!(await readCustomer(query.customerId))) throw notFound('customer', query.customerId);
  const results = await queryBackups(query.customerId, query.application);
  return { items: withRetention(results, now) };
}

function alertView(alert: Alert) {
  const { alertId, event, priority, raisedAt, respondBy, subject, detail, acknowledgedAt } = alert;
  return {
    alertId,
    event,
    priority,
    raisedAt,
    respondBy,
    subject,
    detail,
    ...(acknowledgedAt ? { acknowledgedAt } : {}),
  };
}

async function listAlerts({ query }: RouteContext<unknown, z.output<typeof alertsQuery>>) {
  const alerts = await queryAlerts(query.status, query.priority);
  return { items: alerts.map(alertView) };
}

async function acknowledgeAlertRoute({ params, now }: RouteContext) {
  return alertView(await acknowledgeAlert(params.alertId as string, toUtcIso(now)));
}

export const handler = createApiHandler('records', {
  createCopRequest,
  getCopRequest,
  recordBackup,
  listBackups,
  listAlerts,
  acknowledgeAlert: acknowledgeAlertRoute,
});
