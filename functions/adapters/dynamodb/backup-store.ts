/**
 * Backup results: one partition per customer, sorted by application then time, so one query answers
 * "this customer's backups" and a key prefix narrows it to one application.
 *
 * Each record also carries its stored retention class (`retention`, `expiresAt`), written when it is
 * recorded and kept current by the nightly backup-retention job, which writes only what changed,
 * conditionally on the values it read (a repeated or concurrent run changes nothing twice). A good
 * backup the job expired carries `expiredAt` (its data is gone; the record stays for audit). Readers
 * that must be right between nightly runs (GET /v1/backups) still classify on read.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BackupRef, BackupStore, WriteOutcome } from '#app/ports.ts';
import type { BackupResult, RetentionRecord, StoredBackup, StoredRetention } from '#core/retention.ts';
import type { UcApplication } from '#core/vocabulary.ts';
import { keys } from './keys.ts';
import { queryAll, type Table, writeIf } from './table.ts';

/** The item `put` writes (exported so bulk loaders write exactly the same shape). */
export function backupItem(backup: BackupResult, retention: StoredRetention): Record<string, unknown> {
  return {
    ...keys.backup(backup.customerId, backup.application, backup.takenAt, backup.backupId),
    entity: 'backup',
    ...backup,
    retention: retention.retention,
    ...(retention.expiresAt ? { expiresAt: retention.expiresAt } : {}),
    // A failed result is only a record: DynamoDB's TTL deletes it a day after the nightly job
    // should have, should the job ever stop running. Good backups never carry a TTL (the latest
    // ones must survive however old they are).
    ...(backup.status === 'failed' && retention.expiresAt
      ? { ttl: Math.floor(Date.parse(retention.expiresAt) / 1000) + 24 * 3600 }
      : {}),
  };
}

const keyOf = (record: BackupRef) =>
  keys.backup(record.customerId, record.application, record.takenAt, record.backupId);

const outcome = (written: boolean): WriteOutcome => (written ? 'written' : 'skipped');

export class DynamoBackupStore implements BackupStore {
  constructor(private readonly table: Table) {}

  async put(backup: BackupResult, retention: StoredRetention): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: backupItem(backup, retention),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  query(customerId: string, application?: UcApplication): Promise<StoredBackup[]> {
    return queryAll<StoredBackup>(this.table, {
      KeyConditionExpression: application ? 'pk = :pk AND begins_with(sk, :app)' : 'pk = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.backups(customerId).pk,
        ...(application ? { ':app': `${application}#` } : {}),
      },
    });
  }

  retentionRecords(customerId: string): Promise<RetentionRecord[]> {
    return queryAll<RetentionRecord>(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.backups(customerId).pk },
      ProjectionExpression:
        'backupId, customerId, application, takenAt, #status, #retention, expiresAt, expiredAt',
      ExpressionAttributeNames: { '#status': 'status', '#retention': 'retention' },
    });
  }

  /**
   * Replaces a record's stored class, on condition that the record still exists and still holds
   * `previous`. `expiredAt` (a good backup's data expired) is set only where none is stored, and is
   * never removed.
   */
  async updateRetention(
    record: BackupRef,
    previous: Pick<StoredBackup, 'retention' | 'expiresAt' | 'expiredAt'>,
    next: StoredRetention & { expiredAt?: string },
  ): Promise<WriteOutcome> {
    const names: Record<string, string> = { '#retention': 'retention', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':retention': next.retention };
    const set = ['#retention = :retention'];
    const remove: string[] = [];
    if (next.expiresAt !== undefined) {
      set.push('#expiresAt = :expiresAt');
      values[':expiresAt'] = next.expiresAt;
    } else if (previous.expiresAt !== undefined) {
      remove.push('#expiresAt');
    }
    const conditions = ['attribute_exists(pk)'];
    const expect = (name: '#retention' | '#expiresAt', value: string | undefined, placeholder: string) => {
      if (value === undefined) conditions.push(`attribute_not_exists(${name})`);
      else {
        conditions.push(`${name} = ${placeholder}`);
        values[placeholder] = value;
      }
    };
    expect('#retention', previous.retention, ':previousRetention');
    expect('#expiresAt', previous.expiresAt, ':previousExpiresAt');
    if (next.expiredAt !== undefined && previous.expiredAt === undefined) {
      names['#expiredAt'] = 'expiredAt';
      set.push('#expiredAt = :expiredAt');
      values[':expiredAt'] = next.expiredAt;
      conditions.push('attribute_not_exists(#expiredAt)');
    }
    const update = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`;
    return outcome(
      await writeIf(() =>
        this.table.documents.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keyOf(record),
            UpdateExpression: update,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      ),
    );
  }

  async deleteFailed(record: BackupRef): Promise<WriteOutcome> {
    return outcome(
      await writeIf(() =>
        this.table.documents.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: keyOf(record),
            ConditionExpression: 'attribute_exists(pk) AND #status = :failed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed' },
          }),
        ),
      ),
    );
  }
}
