/**
 * Backup results: one partition per customer, sorted by application then time, so one query answers
 * "this customer's backups" and a key prefix narrows it to one application.
 *
 * Each record also carries its stored retention class (`retention`, `expiresAt`), written when it is
 * recorded and kept current by the nightly backup-retention job, which writes only what changed,
 * conditionally on the values it read (a repeated or concurrent run changes nothing twice). A good
 * backup the job expired carries `expiredAt` (its data is gone; the record stays for audit). Readers
 * that must be right between nightly runs (GET /v1/backups) still compute the class on read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';
import type { BackupStatus, Retention, UcApplication } from '#core/vocabulary.ts';
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

/** The retention class as stored on a record. */
export interface StoredRetention {
  retention: Retention;
  /** Absent for the latest good backups, which never expire. */
  expiresAt?: string;
}

/** A record as stored: the result, and its retention class when one was written (older records may have none). */
export interface StoredBackup extends BackupResult, Partial<StoredRetention> {
  /** When the nightly job expired this good backup's data. */
  expiredAt?: string;
}

/** The item `putBackup` writes (exported so bulk loaders write exactly the same shape). */
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

/** Records a new backup result with its initial retention class. */
export async function putBackup(backup: BackupResult, retention: StoredRetention): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: backupItem(backup, retention),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** What classifying a record needs (and its stored class): what the retention job reads. */
export type RetentionRecord = Pick<
  StoredBackup,
  'backupId' | 'customerId' | 'application' | 'takenAt' | 'status' | 'retention' | 'expiresAt' | 'expiredAt'
>;

async function queryPartition<T>(
  input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) items.push(withoutKeys<T>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A customer's backup records, oldest first per application; one application if named. */
export async function queryBackups(customerId: string, application?: UcApplication): Promise<StoredBackup[]> {
  return queryPartition<StoredBackup>({
    KeyConditionExpression: application ? 'pk = :pk AND begins_with(sk, :app)' : 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': `BACKUPS#${customerId}`,
      ...(application ? { ':app': `${application}#` } : {}),
    },
  });
}

/** A customer's backup records with only what classification needs (no size, no bookkeeping). */
export async function queryRetentionRecords(customerId: string): Promise<RetentionRecord[]> {
  return queryPartition<RetentionRecord>({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `BACKUPS#${customerId}` },
    ProjectionExpression:
      'backupId, customerId, application, takenAt, #status, #retention, expiresAt, expiredAt',
    ExpressionAttributeNames: { '#status': 'status', '#retention': 'retention' },
  });
}

/** What a conditional write did: changed the record, or found it already changed by someone else. */
export type WriteOutcome = 'written' | 'skipped';

type RecordRef = Pick<BackupResult, 'customerId' | 'application' | 'takenAt' | 'backupId'>;

const keyOf = (record: RecordRef) =>
  keys.backup(record.customerId, record.application, record.takenAt, record.backupId);

async function conditionally(write: () => Promise<unknown>): Promise<WriteOutcome> {
  try {
    await write();
    return 'written';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'skipped';
    throw error;
  }
}

/**
 * Replaces a record's stored retention class, on condition that the record still exists and still
 * holds `previous` (what the caller read): when another run got there first, nothing is written
 * and the outcome is 'skipped'. `expiredAt` (a good backup's data expired) is set only where none is
 * stored, and is never removed.
 */
export async function updateBackupRetention(
  record: RecordRef,
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
  return conditionally(() =>
    documents.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(record),
        UpdateExpression: update,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/** Deletes a failed result's record, on condition that it is still there and still a failed result. */
export async function deleteFailedBackup(record: RecordRef): Promise<WriteOutcome> {
  return conditionally(() =>
    documents.send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keyOf(record),
        ConditionExpression: 'attribute_exists(pk) AND #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed' },
      }),
    ),
  );
}
