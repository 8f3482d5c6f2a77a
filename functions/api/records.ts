/**
 * Lambda for the bookkeeping routes: COP upload requests (partners ask, a nightly job uploads),
 * backup results (ops only: partners have no access to backups) and the system's alerts.
 */
import type { Ports } from '#app/ports.ts';
import { acknowledgeAlert, listAlerts } from '#app/records/alerts.ts';
import { listBackups, recordBackup } from '#app/records/backups.ts';
import { getCopRequest, listCopRequests, requestCopFile } from '#app/records/cop-requests.ts';
import { apiHandler } from '#commons/http/api-handler.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb, rules } from '#wiring/aws.ts';

export type RecordsApiPorts = Pick<
  Ports,
  'policy' | 'clock' | 'ids' | 'directory' | 'copRequests' | 'backups' | 'alerts' | 'idempotency'
>;

export function recordsApi(ports: RecordsApiPorts) {
  return apiHandler('records', ports, {
    createCopRequest: ({ body, principal }) => requestCopFile(ports, { ...body, principal }),
    listCopRequests: ({ query, principal }) => listCopRequests(ports, { ...query, principal }),
    getCopRequest: ({ params, principal }) =>
      getCopRequest(ports, { requestId: params.requestId as string, principal }),
    recordBackup: ({ body }) => recordBackup(ports, body),
    listBackups: ({ query }) => listBackups(ports, query),
    listAlerts: ({ query }) => listAlerts(ports, query),
    acknowledgeAlert: ({ params }) => acknowledgeAlert(ports, params.alertId as string),
  });
}

export const handler = onFirstCall(() => recordsApi(awsPorts('records-api', rules, dynamoDb)));
