/**
 * Backup results, COP upload requests and alerts.
 * - Backups live in one partition per customer, sorted by application then time, so one query
 *   answers "this customer's backups" and a key prefix narrows it to one application.
 * - A COP request sits in the sparse "pending" listing until the nightly job settles it.
 * - Alerts are keyed by a dedupe key, so raising the same alert twice stores it once.
 */

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertDraft } from '../../core/alerts.ts';
import { DomainError } from '../../core/errors.ts';
import type { AlertPriority, UcApplication } from '../../core/policy.ts';
import type { BackupStatus } from '../../core/retention.ts';
import { documents, tableName } from '../clients.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';

export interface BackupResult {
  backupId: string;
  customerId: string;
  application: UcApplication;
  takenAt: string;
  status: BackupStatus;
  sizeBytes?: number;
  recordedAt: string;
}

export async function putBackup(backup: BackupResult): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.backup(backup.customerId, backup.application, backup.takenAt, backup.backupId),
        entity: 'backup',
        ...backup,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** A customer's backup results, oldest first per application; one application if named. */
export async function queryBackups(customerId: string, application?: UcApplication): Promise<BackupResult[]> {
  const items: BackupResult[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: application ? 'pk = :pk AND begins_with(sk, :app)' : 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': `BACKUPS#${customerId}`,
          ...(application ? { ':app': `${application}#` } : {}),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) items.push(withoutKeys<BackupResult>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export type CopStatus = 'PENDING' | 'UPLOADED' | 'REJECTED';

export interface CopRequest {
  requestId: string;
  partnerId: string;
  customerId: string;
  copFile: string;
  reason?: string;
  status: CopStatus;
  sftpPath?: string;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

export async function putCopRequest(request: CopRequest): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.copRequest(request.requestId),
        ...indexKeys.partnerCopRequests(request.partnerId, request.createdAt, request.requestId),
        ...(request.status === 'PENDING'
          ? indexKeys.pendingCopRequests(request.createdAt, request.requestId)
          : {}),
        entity: 'copRequest',
        ...request,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function readCopRequest(requestId: string): Promise<CopRequest | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.copRequest(requestId), ConsistentRead: true }),
  );
  return result.Item ? withoutKeys<CopRequest>(result.Item) : null;
}

export interface Alert extends Omit<AlertDraft, 'dedupeKey'> {
  alertId: string;
  dedupeKey: string;
  status: 'open' | 'acknowledged';
  acknowledgedAt?: string;
}

/** The alert id is derived from the dedupe key: raising the same alert again finds the first one. */
export function alertIdOf(dedupeKey: string): string {
  return `alr_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}

/** Stores the alert unless it was raised already; true when it is new. */
export async function putAlert(draft: AlertDraft): Promise<{ alert: Alert; created: boolean }> {
  const alert: Alert = { ...draft, alertId: alertIdOf(draft.dedupeKey), status: 'open' };
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.alert(alert.alertId),
          ...indexKeys.alertsByStatus('open', alert.raisedAt, alert.alertId),
          entity: 'alert',
          ...alert,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { alert, created: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await readAlert(alert.alertId);
    return { alert: existing ?? alert, created: false };
  }
}

export async function readAlert(alertId: string): Promise<Alert | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.alert(alertId), ConsistentRead: true }),
  );
  return result.Item ? withoutKeys<Alert>(result.Item) : null;
}

export async function queryAlerts(
  status: 'open' | 'acknowledged',
  priority?: AlertPriority,
): Promise<Alert[]> {
  const items: Alert[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ...(priority ? { FilterExpression: 'priority = :priority' } : {}),
        ExpressionAttributeValues: {
          ':pk': `ALERTS#${status}`,
          ...(priority ? { ':priority': priority } : {}),
        },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) items.push(withoutKeys<Alert>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Open -> acknowledged, once; acknowledging again answers with the alert as it is. */
export async function acknowledgeAlert(alertId: string, at: string): Promise<Alert> {
  const existing = await readAlert(alertId);
  if (!existing) throw new DomainError('NOT_FOUND', 404, `alert ${alertId} was not found`);
  if (existing.status === 'acknowledged') return existing;
  try {
    const result = await documents.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.alert(alertId),
        UpdateExpression: 'SET #status = :ack, acknowledgedAt = :at, gsi2pk = :pk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ack': 'acknowledged',
          ':open': 'open',
          ':at': at,
          ':pk': 'ALERTS#acknowledged',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return withoutKeys<Alert>(result.Attributes ?? {});
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (await readAlert(alertId)) ?? existing;
  }
}
