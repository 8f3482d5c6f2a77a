/**
 * The workflow's bookkeeping beside each change: the notice ledger (a notice is claimed before it
 * is sent and settled after, so a retried step never sends it twice) and the task token of the
 * parked workflow (kept in its own item, so writing the change never overwrites a fresher token).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import { documents, tableName } from '#adapters/clients.ts';
import { keys } from './keys.ts';

/** A claim left SENDING this long belongs to a crashed attempt: the next attempt may send again. */
const CLAIM_SECONDS = 300;

/** The change moved after the workflow looked at it; the workflow looks again. */
export class ChangeMovedError extends Error {
  override readonly name = 'ChangeMovedError';
}

export type NoticeClaim = 'claimed' | 'settled';

export async function claimNotice(changeId: string, noticeKey: string, now: DateTime): Promise<NoticeClaim> {
  const nowSeconds = Math.floor(now.toSeconds());
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.notice(changeId, noticeKey),
          entity: 'notice',
          changeId,
          noticeKey,
          state: 'SENDING',
          claimedUntil: nowSeconds + CLAIM_SECONDS,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #state = :retry OR (#state = :sending AND claimedUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retry': 'RETRY', ':sending': 'SENDING', ':now': nowSeconds },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'settled';
    throw error;
  }
}

export async function settleNotice(
  changeId: string,
  noticeKey: string,
  outcome: { state: 'SENT'; messageId: string; at: string } | { state: 'FAILED'; reason: string; at: string },
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.notice(changeId, noticeKey),
      UpdateExpression:
        'SET #state = :state, settledAt = :at, messageId = :messageId, reason = :reason REMOVE claimedUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': outcome.state,
        ':at': outcome.at,
        ':messageId': outcome.state === 'SENT' ? outcome.messageId : null,
        ':reason': outcome.state === 'FAILED' ? outcome.reason : null,
      },
    }),
  );
}

/** The send failed: release the claim so the workflow's retry may send it. */
export async function releaseNotice(changeId: string, noticeKey: string): Promise<void> {
  await documents
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.notice(changeId, noticeKey),
        UpdateExpression: 'SET #state = :retry REMOVE claimedUntil',
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retry': 'RETRY', ':sending': 'SENDING' },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/**
 * Parks the workflow: stores its task token, on the condition that the change is still at the
 * version the workflow decided on. Throws ChangeMovedError otherwise (the workflow re-decides).
 */
export async function storeWaitToken(
  changeId: string,
  expectedVersion: number,
  wait: { token: string; phase: string; until: string },
): Promise<void> {
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.change(changeId),
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.waitToken(changeId),
                entity: 'wait',
                changeId,
                version: expectedVersion,
                ...wait,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      throw new ChangeMovedError(`change ${changeId} moved past version ${expectedVersion}`);
    }
    throw error;
  }
}

export async function readWaitToken(changeId: string): Promise<{ token: string; phase: string } | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.waitToken(changeId), ConsistentRead: true }),
  );
  const item = result.Item;
  return item && typeof item.token === 'string' ? { token: item.token, phase: String(item.phase) } : null;
}
