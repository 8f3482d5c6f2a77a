/**
 * Idempotency records for POST routes (`Idempotency-Key`): the first response is kept 24 hours and
 * replayed for a retry with the same key and body; another body under the same key is refused.
 *
 * Written here rather than with Powertools' idempotency utility because the contract needs
 * per-caller scoping, a 409 with its own code on a body mismatch, and the stored HTTP response
 * replayed verbatim (status included); all of it is one conditional put in the same table.
 */

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import canonicalize from 'canonicalize';
import type { DateTime } from 'luxon';
import { documents, tableName } from '#adapters/clients.ts';
import { DomainError } from '#core/errors.ts';
import { keys } from './keys.ts';

const RETENTION_HOURS = 24;
/** An IN_PROGRESS record older than this belongs to a crashed attempt and may be taken over. */
const LOCK_SECONDS = 60;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyStart = { kind: 'first' } | { kind: 'replay'; response: StoredResponse };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The hash of a request's parts as canonical JSON (RFC 8785: object keys sorted at every depth, one
 * number and string form): the same body with its keys in another order is the same request.
 * RFC 8785 has no form for a lone surrogate or a number JSON.parse made infinite (`1e400`); the
 * validated bodies of today hold neither, but a request must never fail here, so such parts are
 * hashed as plain JSON text instead (still the same hash for the same request).
 */
export function requestFingerprint(parts: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(parts);
  } catch {
    text = JSON.stringify(parts);
  }
  return sha256(text ?? '');
}

export async function beginIdempotentRequest(
  scope: string,
  key: string,
  fingerprint: string,
  now: DateTime,
): Promise<IdempotencyStart> {
  const itemKey = keys.idempotency(scope, sha256(key));
  const nowSeconds = Math.floor(now.toSeconds());
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName(),
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
    );
    return { kind: 'first' };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const existing = (
    await documents.send(new GetCommand({ TableName: tableName(), Key: itemKey, ConsistentRead: true }))
  ).Item;
  if (existing && existing.fingerprint !== fingerprint) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      409,
      'this Idempotency-Key was used with another request body; use a new key for a new request',
    );
  }
  if (existing?.state === 'COMPLETED' && existing.response) {
    return { kind: 'replay', response: existing.response as StoredResponse };
  }
  throw new DomainError(
    'IDEMPOTENCY_IN_PROGRESS',
    409,
    'a request with this Idempotency-Key is still being processed; retry in a moment',
  );
}

export async function completeIdempotentRequest(scope: string, key: string, response: StoredResponse) {
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.idempotency(scope, sha256(key)),
      UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockUntil',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: { ':done': 'COMPLETED', ':response': response },
    }),
  );
}

/** The attempt failed without an answer worth keeping: a retry with the same key starts afresh. */
export async function abandonIdempotentRequest(scope: string, key: string) {
  await documents.send(
    new DeleteCommand({ TableName: tableName(), Key: keys.idempotency(scope, sha256(key)) }),
  );
}
