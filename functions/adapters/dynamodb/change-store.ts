/**
 * Changes, their history and the per-window capacity counters in DynamoDB.
 *
 * A transition is one TransactWriteItems: the change put on the condition that its `version` is still
 * the one the caller read (or, for a new change, that its id is free), its history entries, and the
 * capacity adjustments (a reservation is conditional on its window holding fewer than its limit).
 * Concurrent writers therefore never lose an update: the loser gets VersionConflict, reads again and
 * decides again; a full window is CapacityExceeded, for the caller to word.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  CapacityExceeded,
  type ChangeQuery,
  type ChangeScope,
  type ChangeStore,
  type StoredChange,
  VersionConflict,
} from '#app/ports.ts';
import { decodePageToken, encodePageToken, InvalidPageToken, readAllPages } from '#commons/paging.ts';
import type { ChangeRecord, HistoryRecord, Transition } from '#core/change.ts';
import type { NoticeEntry } from '#core/lifecycle.ts';
import { indexKeys, keys, sortableInstant, withoutKeys } from './keys.ts';
import type { Table } from './table.ts';

const SCOPE_INDEX = {
  all: { index: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: () => 'CHANGES' },
  partner: {
    index: 'gsi1',
    pk: 'gsi1pk',
    sk: 'gsi1sk',
    value: (s: ChangeScope) => `PARTNER#${(s as { partnerId: string }).partnerId}#CHANGES`,
  },
  customer: {
    index: 'gsi3',
    pk: 'gsi3pk',
    sk: 'gsi3sk',
    value: (s: ChangeScope) => `CUSTOMER#${(s as { customerId: string }).customerId}#CHANGES`,
  },
} as const;

function changeItem(change: ChangeRecord) {
  return {
    ...keys.change(change.changeId),
    ...indexKeys.changeListings({
      changeId: change.changeId,
      partnerId: change.partnerId,
      customerId: change.customerId,
      windowStart: change.window.start,
    }),
    entity: 'change',
    ...change,
  };
}

let historySequence = 0;

/**
 * The tie-breaker of history entries with the same `at`: the order they were written in (real
 * milliseconds, then a per-process sequence), so entries of one instant read back as they happened.
 */
function writeOrder(): string {
  historySequence = (historySequence + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, '0')}-${String(historySequence).padStart(6, '0')}`;
}

function historyItem(changeId: string, version: number, record: HistoryRecord, unique: string) {
  const { version: _ignored, ...entry } = record;
  return {
    ...keys.history(changeId, version, record.at, unique),
    entity: 'history',
    changeId,
    ...entry,
    version,
  };
}

const isoOfSeconds = (value: unknown) =>
  typeof value === 'number' ? new Date(value * 1000).toISOString().replace('.000Z', 'Z') : undefined;

/** A ledger item as the decider reads it (functions/core/lifecycle.ts, NoticeEntry). */
function noticeEntryOf(item: Record<string, unknown>): NoticeEntry {
  const claimedUntil = isoOfSeconds(item.claimedUntil);
  const nextAttemptAt = isoOfSeconds(item.nextAttemptAt);
  return {
    state: item.state as NoticeEntry['state'],
    ...(typeof item.attempts === 'number' ? { attempts: item.attempts } : {}),
    ...(claimedUntil ? { claimedUntil } : {}),
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(typeof item.settledAt === 'string' ? { settledAt: item.settledAt } : {}),
    ...(typeof item.rounds === 'number' ? { rounds: item.rounds } : {}),
    ...(typeof item.firstSentAt === 'string' ? { firstSentAt: item.firstSentAt } : {}),
  };
}

/** A history entry appended at a change's version (not a move's), as an item (also for other stores' transactions). */
export function historyEntryItem(change: Pick<ChangeRecord, 'changeId' | 'version'>, record: HistoryRecord) {
  return historyItem(
    change.changeId,
    change.version,
    record,
    `${writeOrder()}-0-${randomUUID().slice(0, 8)}`,
  );
}

function backOff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class DynamoChangeStore implements ChangeStore {
  constructor(private readonly table: Table) {}

  async read(changeId: string): Promise<StoredChange | null> {
    let change: ChangeRecord | null = null;
    const history: HistoryRecord[] = [];
    const notices: Record<string, NoticeEntry> = {};
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.documents.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.change(changeId).pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk === '#CHANGE') change = withoutKeys<ChangeRecord>(item);
        else if (typeof item.sk === 'string' && item.sk.startsWith('HISTORY#')) {
          const { at, event, actor, detail, version } = item as HistoryRecord;
          history.push({ at, event, actor, detail: detail ?? {}, ...(version ? { version } : {}) });
        } else if (typeof item.sk === 'string' && item.sk.startsWith('NOTICE#')) {
          notices[item.sk.slice('NOTICE#'.length)] = noticeEntryOf(item);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return change ? { change, history, notices } : null;
  }

  async readRecord(changeId: string): Promise<ChangeRecord | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.change(changeId), ConsistentRead: true }),
    );
    return result.Item ? withoutKeys<ChangeRecord>(result.Item) : null;
  }

  async capacityUsed(windowIds: readonly string[]): Promise<Map<string, number>> {
    const used = new Map<string, number>(windowIds.map((id) => [id, 0]));
    const unique = [...new Set(windowIds)];
    const table = this.table.name;
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [table]: {
            Keys: unique.slice(i, i + 100).map((id) => keys.windowCapacity(id)),
            ConsistentRead: true,
          },
        };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await backOff(attempt);
        const result = await this.table.documents.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[table] ?? []) {
          used.set(String(item.windowId), Number(item.used ?? 0));
        }
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return used;
  }

  async write(before: ChangeRecord | null, transition: Transition): Promise<void> {
    const TableName = this.table.name;
    const { change } = transition;
    const changePut = before
      ? {
          Put: {
            TableName,
            Item: changeItem(change),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': before.version },
          },
        }
      : { Put: { TableName, Item: changeItem(change), ConditionExpression: 'attribute_not_exists(pk)' } };
    const historyPuts = transition.history.map((record, index) => ({
      Put: {
        TableName,
        Item: historyItem(change.changeId, change.version, record, `${writeOrder()}-${index}`),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    const capacityUpdates = transition.capacity.map(({ windowId, delta, limit }) => ({
      Update: {
        TableName,
        Key: keys.windowCapacity(windowId),
        UpdateExpression: 'ADD used :delta SET windowId = :windowId, entity = :entity',
        ExpressionAttributeValues: {
          ':delta': delta,
          ':windowId': windowId,
          ':entity': 'capacity',
          ...(limit === undefined ? {} : { ':limit': limit }),
        },
        ...(limit === undefined
          ? {}
          : { ConditionExpression: 'attribute_not_exists(used) OR used < :limit' }),
      },
    }));
    try {
      await this.table.documents.send(
        new TransactWriteCommand({ TransactItems: [changePut, ...historyPuts, ...capacityUpdates] }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new VersionConflict(change.changeId);
      const capacityStart = 1 + historyPuts.length;
      const full = reasons.findIndex((r, i) => i >= capacityStart && r.Code === 'ConditionalCheckFailed');
      const windowId = transition.capacity[full - capacityStart]?.windowId;
      if (full >= 0 && windowId) throw new CapacityExceeded(windowId);
      if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new VersionConflict(change.changeId);
      throw error;
    }
  }

  async appendHistory(
    change: Pick<ChangeRecord, 'changeId' | 'version'>,
    records: readonly HistoryRecord[],
  ): Promise<void> {
    for (const record of records) {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: historyEntryItem(change, record),
        }),
      );
    }
  }

  async query(query: ChangeQuery): Promise<{ items: ChangeRecord[]; nextToken?: string }> {
    const index = SCOPE_INDEX[query.scope.kind];
    const pkValue = index.value(query.scope);
    const names: Record<string, string> = { '#pk': index.pk };
    const values: Record<string, unknown> = { ':pk': pkValue };
    let condition = '#pk = :pk';
    if (query.from || query.to) {
      names['#sk'] = index.sk;
      values[':from'] = query.from ? sortableInstant(query.from) : '0';
      // '~' sorts after every digit and '#', so the whole `to` instant is included.
      values[':to'] = query.to ? `${sortableInstant(query.to)}~` : '~';
      condition += ' AND #sk BETWEEN :from AND :to';
    }
    if (query.status) {
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    let startKey: Record<string, unknown> | undefined;
    if (query.nextToken) {
      // A token only positions inside the partition we query, with exactly the key attributes
      // DynamoDB gave out (table and index keys); anything else is refused.
      startKey = decodePageToken(
        query.nextToken,
        ['pk', 'sk', index.pk, index.sk],
        (position) => position[index.pk] === pkValue,
      );
      if (!startKey) throw new InvalidPageToken('nextToken is not a token this listing gave out');
    }
    const items: ChangeRecord[] = [];
    do {
      const page = await this.table.documents.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: index.index,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(query.status ? { FilterExpression: '#status = :status' } : {}),
          ExclusiveStartKey: startKey,
          Limit: query.limit - items.length,
        }),
      );
      for (const item of page.Items ?? []) items.push(withoutKeys<ChangeRecord>(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    return startKey ? { items, nextToken: encodePageToken(startKey) } : { items };
  }

  queryAll(scope: ChangeScope): Promise<ChangeRecord[]> {
    return readAllPages<ChangeRecord, string>(async (nextToken) => {
      const page = await this.query({ scope, limit: 100, ...(nextToken ? { nextToken } : {}) });
      return { items: page.items, ...(page.nextToken ? { next: page.nextToken } : {}) };
    });
  }
}
