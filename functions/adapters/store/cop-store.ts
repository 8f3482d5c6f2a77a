/**
 * COP upload requests: a request sits in the sparse "pending" listing until the nightly job settles it.
 *
 * Settling (PENDING -> UPLOADED or REJECTED) is one transaction: the request leaves the pending listing
 * and a notice ledger entry beside it (`COP#<requestId>` / `NOTICE#OUTCOME`) records that the partner is
 * owed an e-mail. The ledger entry stays in its own sparse listing (gsi2 `COPS#NOTIFY`) until the mail is
 * sent, so a crash or a failed delivery after settling loses neither the status nor the notice: a later
 * run finds the entry and sends it. Like the change notices' ledger (lifecycle-store.ts), a notice is
 * claimed before it is sent and settled after, so it is never sent twice by two runs.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import { documents, tableName } from '#adapters/clients.ts';
import { indexKeys, keys, sortableInstant, withoutKeys } from './keys.ts';

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

/**
 * Key shapes of the COP notice ledger (to be listed with the others in keys.ts and docs/data-model.md):
 * the entry lives in the request's partition; while a notice is owed it appears in gsi2 `COPS#NOTIFY`,
 * oldest settlement first.
 */
export const copNoticeKeys = {
  item: (requestId: string) => ({ pk: keys.copRequest(requestId).pk, sk: 'NOTICE#OUTCOME' }),
  owed: (settledAt: string, requestId: string) => ({
    gsi2pk: 'COPS#NOTIFY',
    gsi2sk: `${sortableInstant(settledAt)}#${requestId}`,
  }),
};

/** A claim left SENDING this long belongs to a crashed run: the next run may send again. */
const CLAIM_SECONDS = 300;

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

export interface CopRequestPage {
  items: CopRequest[];
  /** Where the next page starts (a DynamoDB LastEvaluatedKey); absent on the last page. */
  nextKey?: Record<string, unknown>;
}

/**
 * One page of the pending requests, oldest first. The listing is read from an index (eventually
 * consistent): a request may still show here just after it was settled; `settleCopRequest` is conditional.
 */
export async function listPendingCopRequests(options: {
  limit: number;
  startKey?: Record<string, unknown>;
}): Promise<CopRequestPage> {
  const { gsi2pk } = indexKeys.pendingCopRequests(new Date(0).toISOString(), '');
  const page = await documents.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi2pk },
      ScanIndexForward: true,
      Limit: options.limit,
      ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
    }),
  );
  return {
    items: (page.Items ?? []).map((item) => withoutKeys<CopRequest>(item)),
    ...(page.LastEvaluatedKey ? { nextKey: page.LastEvaluatedKey } : {}),
  };
}

export type CopSettlement =
  | { status: 'UPLOADED'; sftpPath: string }
  | { status: 'REJECTED'; rejectionReason: string };

/**
 * PENDING -> UPLOADED (with where) or REJECTED (with why), out of the pending listing, with the
 * partner's notice owed, in one transaction. 'already-settled' when the request is no longer PENDING
 * (another run settled it first, or it does not exist): nothing is written.
 */
export async function settleCopRequest(
  requestId: string,
  settlement: CopSettlement,
  at: string,
): Promise<'settled' | 'already-settled'> {
  const detail =
    settlement.status === 'UPLOADED'
      ? { name: 'sftpPath', value: settlement.sftpPath }
      : { name: 'rejectionReason', value: settlement.rejectionReason };
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.copRequest(requestId),
              UpdateExpression:
                'SET #status = :status, #detail = :detail, updatedAt = :at REMOVE gsi2pk, gsi2sk',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status', '#detail': detail.name },
              ExpressionAttributeValues: {
                ':status': settlement.status,
                ':detail': detail.value,
                ':at': at,
                ':pending': 'PENDING',
              },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...copNoticeKeys.item(requestId),
                ...copNoticeKeys.owed(at, requestId),
                entity: 'copNotice',
                requestId,
                status: settlement.status,
                state: 'OWED',
                attempts: 0,
                owedSince: at,
              },
            },
          },
        ],
      }),
    );
    return 'settled';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      return 'already-settled';
    }
    throw error;
  }
}

export type CopNoticeState = 'OWED' | 'SENDING' | 'RETRY' | 'SENT' | 'FAILED';

export interface CopNoticeEntry {
  requestId: string;
  /** The outcome the notice tells. */
  status: 'UPLOADED' | 'REJECTED';
  state: CopNoticeState;
  /** Delivery attempts so far (claims). */
  attempts: number;
  owedSince: string;
  messageId?: string;
  reason?: string;
  lastError?: string;
  settledAt?: string;
  /** Epoch seconds until which a SENDING claim holds. */
  claimedUntil?: number;
}

export async function readCopNotice(requestId: string): Promise<CopNoticeEntry | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: copNoticeKeys.item(requestId), ConsistentRead: true }),
  );
  return result.Item ? withoutKeys<CopNoticeEntry>(result.Item) : null;
}

/** Every notice still owed (OWED, RETRY, or SENDING by a run that may have crashed), oldest first. */
export async function listOwedCopNotices(): Promise<CopNoticeEntry[]> {
  const { gsi2pk } = copNoticeKeys.owed(new Date(0).toISOString(), '');
  const entries: CopNoticeEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi2pk },
        ScanIndexForward: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) entries.push(withoutKeys<CopNoticeEntry>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
}

export type CopNoticeClaim = { claimed: true; attempt: number } | { claimed: false };

/**
 * Claims the owed notice for one sending attempt (the answer numbers the attempt). Not claimed when
 * there is nothing to send: already sent or given up, claimed by a run still within its claim, or
 * never owed.
 */
export async function claimCopNotice(requestId: string, now: DateTime): Promise<CopNoticeClaim> {
  const nowSeconds = Math.floor(now.toSeconds());
  try {
    const result = await documents.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: copNoticeKeys.item(requestId),
        UpdateExpression: 'SET #state = :sending, claimedUntil = :until ADD attempts :one',
        ConditionExpression: '#state IN (:owed, :retry) OR (#state = :sending AND claimedUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sending': 'SENDING',
          ':owed': 'OWED',
          ':retry': 'RETRY',
          ':until': nowSeconds + CLAIM_SECONDS,
          ':now': nowSeconds,
          ':one': 1,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { claimed: true, attempt: Number(result.Attributes?.attempts ?? 1) };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { claimed: false };
    throw error;
  }
}

/** The notice went out (SENT) or can never go out (FAILED): it leaves the owed listing for good. */
export async function settleCopNotice(
  requestId: string,
  outcome: { state: 'SENT'; messageId: string; at: string } | { state: 'FAILED'; reason: string; at: string },
): Promise<void> {
  const detail =
    outcome.state === 'SENT'
      ? { name: 'messageId', value: outcome.messageId }
      : { name: 'reason', value: outcome.reason };
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: copNoticeKeys.item(requestId),
      UpdateExpression:
        'SET #state = :state, settledAt = :at, #detail = :detail REMOVE claimedUntil, gsi2pk, gsi2sk',
      ExpressionAttributeNames: { '#state': 'state', '#detail': detail.name },
      ExpressionAttributeValues: { ':state': outcome.state, ':at': outcome.at, ':detail': detail.value },
    }),
  );
}

/** The send failed: release the claim; the notice stays owed for a later run. */
export async function releaseCopNotice(requestId: string, lastError: string): Promise<void> {
  await documents
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: copNoticeKeys.item(requestId),
        UpdateExpression: 'SET #state = :retry, lastError = :error REMOVE claimedUntil',
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retry': 'RETRY', ':sending': 'SENDING', ':error': lastError },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}
