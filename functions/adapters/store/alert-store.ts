/** Alerts, keyed by their dedupe key: raising the same alert twice stores it once. */

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';
import type { AlertDraft } from '#core/alerts.ts';
import { DomainError } from '#core/errors.ts';
import type { AlertPriority } from '#core/vocabulary.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';

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
