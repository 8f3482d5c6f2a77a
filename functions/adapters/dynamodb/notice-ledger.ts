/**
 * The notice ledger: one entry per notice owed, beside what it is about (`NOTICE#<key>` in a change's
 * partition, `NOTICE#OUTCOME` in a COP request's). An entry is claimed (SENDING, until a deadline)
 * before the mail goes out and settled (SENT or FAILED) after, so two attempts never both send; a
 * failed send releases it (RETRY) and a claim whose deadline passed belongs to a crashed attempt, so
 * the next attempt may claim it again. Claims are numbered (`attempts`).
 *
 * A change's entry is created by its first claim. A COP request's entry is written OWED when the
 * request is settled (cop-request-store.ts) and stays in the sparse `COPS#NOTIFY` listing until it
 * is settled, so a later run finds a notice that a crash or a failed delivery left behind.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import type { NoticeClaim, NoticeLedger, NoticeRef, NoticeSettlement } from '#app/ports.ts';
import { keys } from './keys.ts';
import { type Table, writeIf } from './table.ts';

/** A claim left SENDING this long belongs to a crashed attempt: the next attempt may send again. */
const CLAIM_SECONDS = 300;

function itemKey(ref: NoticeRef) {
  return 'copRequestId' in ref ? keys.copNotice(ref.copRequestId) : keys.notice(ref.changeId, ref.noticeKey);
}

export class DynamoNoticeLedger implements NoticeLedger {
  constructor(private readonly table: Table) {}

  async claim(ref: NoticeRef, now: DateTime): Promise<NoticeClaim> {
    const nowSeconds = Math.floor(now.toSeconds());
    const cop = 'copRequestId' in ref;
    // A change's notice may be claimed when it has no entry yet; a COP notice only once it is owed.
    const claimable = cop ? '#state IN (:owed, :retry)' : 'attribute_not_exists(pk) OR #state = :retry';
    let attempt = 0;
    const claimed = await writeIf(async () => {
      const result = await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: itemKey(ref),
          UpdateExpression: cop
            ? 'SET #state = :sending, claimedUntil = :until ADD attempts :one'
            : 'SET #state = :sending, claimedUntil = :until, entity = :entity, changeId = :changeId, noticeKey = :noticeKey ADD attempts :one',
          ConditionExpression: `${claimable} OR (#state = :sending AND claimedUntil < :now)`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':retry': 'RETRY',
            ':until': nowSeconds + CLAIM_SECONDS,
            ':now': nowSeconds,
            ':one': 1,
            ...(cop
              ? { ':owed': 'OWED' }
              : { ':entity': 'notice', ':changeId': ref.changeId, ':noticeKey': ref.noticeKey }),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      attempt = Number(result.Attributes?.attempts ?? 1);
    });
    return claimed ? { claimed: true, attempt } : { claimed: false };
  }

  async settle(ref: NoticeRef, settlement: NoticeSettlement): Promise<void> {
    const detail =
      settlement.state === 'SENT'
        ? { name: 'messageId', value: settlement.messageId }
        : { name: 'reason', value: settlement.reason };
    // A settled COP notice also leaves the owed listing.
    const remove = 'copRequestId' in ref ? 'claimedUntil, gsi2pk, gsi2sk' : 'claimedUntil';
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: itemKey(ref),
        UpdateExpression: `SET #state = :state, settledAt = :at, #detail = :detail REMOVE ${remove}`,
        ExpressionAttributeNames: { '#state': 'state', '#detail': detail.name },
        ExpressionAttributeValues: {
          ':state': settlement.state,
          ':at': settlement.at,
          ':detail': detail.value,
        },
      }),
    );
  }

  async release(ref: NoticeRef, reason: string): Promise<void> {
    // Only our own claim is released: a notice settled meanwhile stays settled.
    await writeIf(() =>
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: itemKey(ref),
          UpdateExpression: 'SET #state = :retry, lastError = :error REMOVE claimedUntil',
          ConditionExpression: '#state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':retry': 'RETRY', ':sending': 'SENDING', ':error': reason },
        }),
      ),
    );
  }
}
