/**
 * The notice ledger: one entry per notice owed, beside what it is about (`NOTICE#<key>` in a change's
 * partition, `NOTICE#OUTCOME` in a COP request's). States (docs/data-model.md, "Notice ledger"):
 *
 *   (none) or OWED ──claim──► SENDING ──settle──► SENT | FAILED
 *                               │  ▲ └─release──► RETRY ──claim──► SENDING ...
 *                               │  └─ claim, once `claimedUntil` passed (the sender died: a possible duplicate)
 *                  RETRY ──owe──► RETRY with `nextAttemptAt` (after the fast retries; growing back-off)
 *   SENT | FAILED | RETRY ──askResend──► RESEND ──claim──► SENDING ...
 *
 * Claims are numbered (`attempts`), and an attempt settles only its own claim, so a slow sender whose
 * claim lapsed and was taken cannot overwrite the taker's outcome. A change's entry is created by its
 * first claim. A COP request's entry is written OWED when the request is settled (cop-request-store.ts)
 * and stays in the sparse `COPS#NOTIFY` listing until it is settled, so a later run finds a notice that
 * a crash or a failed delivery left behind.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import type { HistoryWith, NoticeClaim, NoticeLedger, NoticeRef, NoticeSettlement } from '#app/ports.ts';
import { historyEntryItem } from './change-store.ts';
import { keys } from './keys.ts';
import { type Table, writeIf } from './table.ts';

/** A claim left SENDING this long belongs to a crashed attempt: the next attempt may send again. */
export const CLAIM_SECONDS = 300;

function itemKey(ref: NoticeRef) {
  return 'copRequestId' in ref ? keys.copNotice(ref.copRequestId) : keys.notice(ref.changeId, ref.noticeKey);
}

const seconds = (at: DateTime | string) =>
  Math.floor(typeof at === 'string' ? Date.parse(at) / 1000 : at.toSeconds());

export class DynamoNoticeLedger implements NoticeLedger {
  constructor(private readonly table: Table) {}

  async claim(ref: NoticeRef, now: DateTime): Promise<NoticeClaim> {
    const nowSeconds = seconds(now);
    const cop = 'copRequestId' in ref;
    // A change's notice may be claimed when it has no entry yet; a COP notice only once it is owed.
    const claimable = cop
      ? '#state IN (:owed, :retry)'
      : 'attribute_not_exists(pk) OR #state IN (:retry, :resend)';
    let result: { attempt: number; previous?: string };
    try {
      const updated = await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: itemKey(ref),
          UpdateExpression: cop
            ? 'SET #state = :sending, claimedUntil = :until ADD attempts :one'
            : 'SET #state = :sending, claimedUntil = :until, entity = :entity, changeId = :changeId, noticeKey = :noticeKey ADD attempts :one',
          // A lapsed claim (its deadline reached) is claimable: the decider waits until the same instant.
          ConditionExpression: `${claimable} OR (#state = :sending AND claimedUntil <= :now)`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':retry': 'RETRY',
            ':until': nowSeconds + CLAIM_SECONDS,
            ':now': nowSeconds,
            ':one': 1,
            ...(cop
              ? { ':owed': 'OWED' }
              : {
                  ':resend': 'RESEND',
                  ':entity': 'notice',
                  ':changeId': ref.changeId,
                  ':noticeKey': ref.noticeKey,
                }),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = updated.Attributes;
      result = {
        attempt: Number(old?.attempts ?? 0) + 1,
        ...(old?.state ? { previous: String(old.state) } : {}),
      };
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return { claimed: false };
      throw error;
    }
    const again =
      result.previous === 'SENDING' ? 'lapsed' : result.previous === 'RESEND' ? 'resend' : undefined;
    return { claimed: true, attempt: result.attempt, ...(again ? { again } : {}) };
  }

  async settle(
    ref: NoticeRef,
    settlement: NoticeSettlement,
    options: { attempt?: number; history?: HistoryWith } = {},
  ): Promise<boolean> {
    const detail =
      settlement.state === 'SENT'
        ? { name: 'messageId', value: settlement.messageId }
        : { name: 'reason', value: settlement.reason };
    // A settled COP notice also leaves the owed listing.
    const remove =
      'copRequestId' in ref
        ? 'claimedUntil, nextAttemptAt, gsi2pk, gsi2sk'
        : 'claimedUntil, nextAttemptAt, resendAskedAt';
    const update = {
      TableName: this.table.name,
      Key: itemKey(ref),
      // The first delivery's instant stays: notice counts from it (a resend does not move it).
      UpdateExpression: `SET #state = :state, settledAt = :at, #detail = :detail${
        settlement.state === 'SENT' ? ', firstSentAt = if_not_exists(firstSentAt, :at)' : ''
      } REMOVE ${remove}`,
      ...(options.attempt === undefined
        ? {}
        : { ConditionExpression: '#state = :sending AND attempts = :attempt' }),
      ExpressionAttributeNames: { '#state': 'state', '#detail': detail.name },
      ExpressionAttributeValues: {
        ':state': settlement.state,
        ':at': settlement.at,
        ':detail': detail.value,
        ...(options.attempt === undefined ? {} : { ':sending': 'SENDING', ':attempt': options.attempt }),
      },
    };
    return this.withHistory(update, options.history);
  }

  async release(ref: NoticeRef, reason: string): Promise<void> {
    // Only our own claim is released: a notice settled meanwhile stays settled.
    await writeIf(() =>
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: itemKey(ref),
          UpdateExpression: 'SET #state = :retry, lastError = :error REMOVE claimedUntil, nextAttemptAt',
          ConditionExpression: '#state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':retry': 'RETRY', ':sending': 'SENDING', ':error': reason },
        }),
      ),
    );
  }

  async owe(
    ref: NoticeRef,
    owed: { nextAttemptAt: string; reason: string },
    history?: HistoryWith,
  ): Promise<boolean> {
    return this.withHistory(
      {
        TableName: this.table.name,
        Key: itemKey(ref),
        UpdateExpression:
          'SET #state = :retry, nextAttemptAt = :next, lastError = :error REMOVE claimedUntil ADD rounds :one',
        // Never over a delivery (SENT), a give-up (FAILED) or an attempt under way.
        ConditionExpression: 'attribute_not_exists(#state) OR #state = :retry',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':retry': 'RETRY',
          ':next': seconds(owed.nextAttemptAt),
          ':error': owed.reason,
          ':one': 1,
        },
      },
      history,
    );
  }

  async askResend(ref: NoticeRef, at: string): Promise<boolean> {
    return writeIf(() =>
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: itemKey(ref),
          UpdateExpression: 'SET #state = :resend, resendAskedAt = :at REMOVE nextAttemptAt',
          ConditionExpression: '#state IN (:sent, :failed, :retry, :resend)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':resend': 'RESEND',
            ':sent': 'SENT',
            ':failed': 'FAILED',
            ':retry': 'RETRY',
            ':at': at,
          },
        }),
      ),
    );
  }

  /** One conditional update of the entry, with the history entries it stands for in the same transaction. */
  private async withHistory(
    update: ConstructorParameters<typeof UpdateCommand>[0],
    history: HistoryWith | undefined,
  ): Promise<boolean> {
    if (!history || history.records.length === 0) {
      return writeIf(() => this.table.documents.send(new UpdateCommand(update)));
    }
    const puts = history.records.map((record) => ({
      Put: { TableName: this.table.name, Item: historyEntryItem(history.change, record) },
    }));
    try {
      await this.table.documents.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: update as never }, ...puts],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw error;
    }
  }
}
