/**
 * Idempotency records for POST routes (`Idempotency-Key`): the first response is kept 24 hours and
 * replayed for a retry with the same key and body; another body under the same key is refused.
 *
 * Written here rather than with Powertools' idempotency utility because the contract needs
 * per-caller scoping, a 409 with its own code on a body mismatch, and the stored HTTP response
 * replayed verbatim (status included); all of it is one conditional put in the same table.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import type { IdempotencyStart, IdempotencyStore, StoredResponse } from '#commons/http/idempotency.ts';
import { keys } from './keys.ts';
import { type Table, writeIf } from './table.ts';

const RETENTION_HOURS = 24;
/** An IN_PROGRESS record older than this belongs to a crashed attempt and may be taken over. */
const LOCK_SECONDS = 60;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly table: Table) {}

  async begin(scope: string, key: string, fingerprint: string, now: DateTime): Promise<IdempotencyStart> {
    const itemKey = keys.idempotency(scope, sha256(key));
    const nowSeconds = Math.floor(now.toSeconds());
    const first = await writeIf(() =>
      this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...itemKey,
            entity: 'idempotency',
            state: 'IN_PROGRESS',
            fingerprint,
            lockUntil: nowSeconds + LOCK_SECONDS,
            ttl: Math.floor(now.plus({ hours: RETENTION_HOURS }).toSeconds()),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR #ttl < :now OR (#state = :busy AND lockUntil < :now)',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':busy': 'IN_PROGRESS' },
        }),
      ),
    );
    if (first) return { kind: 'first' };
    const existing = (
      await this.table.documents.send(
        new GetCommand({ TableName: this.table.name, Key: itemKey, ConsistentRead: true }),
      )
    ).Item;
    if (existing && existing.fingerprint !== fingerprint) return { kind: 'reused' };
    if (existing?.state === 'COMPLETED' && existing.response) {
      return { kind: 'replay', response: existing.response as StoredResponse };
    }
    return { kind: 'in-progress' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.idempotency(scope, sha256(key)),
        UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockUntil',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'COMPLETED', ':response': response },
      }),
    );
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.table.documents.send(
      new DeleteCommand({ TableName: this.table.name, Key: keys.idempotency(scope, sha256(key)) }),
    );
  }
}
