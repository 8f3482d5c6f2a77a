/**
 * Backup results: one partition per customer, sorted by application then time, so one query answers
 * "this customer's backups" and a key prefix narrows it to one application.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { UcApplication } from '../../core/policy.ts';
import type { BackupStatus } from '../../core/retention.ts';
import { documents, tableName } from '../clients.ts';
import { keys, withoutKeys } from './keys.ts';

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
