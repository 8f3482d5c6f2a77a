/** Alerts, keyed by their dedupe key: raising the same alert twice stores it once. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertStore } from '#app/ports.ts';
import type { Alert, AlertDraft } from '#core/alerts.ts';
import { alertIdOf } from '#core/ids.ts';
import type { AlertPriority, AlertStatus } from '#core/vocabulary.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';
import { queryAll, type Table } from './table.ts';

export class DynamoAlertStore implements AlertStore {
  constructor(private readonly table: Table) {}

  async put(draft: AlertDraft): Promise<{ alert: Alert; created: boolean }> {
    const alert: Alert = { ...draft, alertId: alertIdOf(draft.dedupeKey), status: 'open' };
    try {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
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
      return { alert: (await this.read(alert.alertId)) ?? alert, created: false };
    }
  }

  async read(alertId: string): Promise<Alert | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.alert(alertId), ConsistentRead: true }),
    );
    return result.Item ? withoutKeys<Alert>(result.Item) : null;
  }

  /** Newest first. */
  query(status: AlertStatus, priority?: AlertPriority): Promise<Alert[]> {
    return queryAll<Alert>(this.table, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ...(priority ? { FilterExpression: 'priority = :priority' } : {}),
      ExpressionAttributeValues: {
        ':pk': indexKeys.alertsByStatus(status, new Date(0).toISOString(), '').gsi2pk,
        ...(priority ? { ':priority': priority } : {}),
      },
      ScanIndexForward: false,
    });
  }

  async acknowledge(alertId: string, at: string): Promise<Alert | null> {
    const existing = await this.read(alertId);
    if (!existing || existing.status === 'acknowledged') return existing;
    try {
      const result = await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.alert(alertId),
          UpdateExpression: 'SET #status = :ack, acknowledgedAt = :at, gsi2pk = :pk',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':ack': 'acknowledged',
            ':open': 'open',
            ':at': at,
            ':pk': indexKeys.alertsByStatus('acknowledged', existing.raisedAt, alertId).gsi2pk,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<Alert>(result.Attributes ?? {});
    } catch (error) {
      // Acknowledged by someone else meanwhile: answer with the alert as it is.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.read(alertId)) ?? existing;
    }
  }
}
