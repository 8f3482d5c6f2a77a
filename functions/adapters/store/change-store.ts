/**
 * Changes, their history and the per-window capacity counters in DynamoDB.
 *
 * Every move of a change is one TransactWriteItems: the change put on the condition that its
 * `version` is still the one read, its history entries, and the capacity counters (a reservation
 * is conditional on the window not being full). Concurrent writers therefore never lose an update:
 * the loser re-reads and decides again on the fresh record.
 */

import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';
import type { ChangeRecord, HistoryRecord, Move, Transition } from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import type { NoticeState } from '#core/lifecycle.ts';
import type { ChangeStatus } from '#core/vocabulary.ts';
import { indexKeys, keys, sortableInstant, withoutKeys } from './keys.ts';

/** The record changed between our read and our write; the caller re-reads and decides again. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

export interface StoredChange {
  change: ChangeRecord;
  history: HistoryRecord[];
  /** Settled notices (SENT or FAILED) by ledger key. */
  notices: Record<string, NoticeState>;
}

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

function historyItem(changeId: string, record: HistoryRecord, unique: string) {
  return { ...keys.history(changeId, record.at, unique), entity: 'history', changeId, ...record };
}

/** The change and its history, read consistently in one query. */
export async function readChange(changeId: string): Promise<StoredChange | null> {
  let change: ChangeRecord | null = null;
  const history: HistoryRecord[] = [];
  const notices: Record<string, NoticeState> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.change(changeId).pk },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk === '#CHANGE') change = withoutKeys<ChangeRecord>(item);
      else if (typeof item.sk === 'string' && item.sk.startsWith('HISTORY#')) {
        const { at, event, actor, detail } = item as HistoryRecord;
        history.push({ at, event, actor, detail: detail ?? {} });
      } else if (typeof item.sk === 'string' && item.sk.startsWith('NOTICE#')) {
        if (item.state === 'SENT' || item.state === 'FAILED')
          notices[item.sk.slice('NOTICE#'.length)] = item.state;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return change ? { change, history, notices } : null;
}

export async function readChangeRecord(changeId: string): Promise<ChangeRecord | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.change(changeId), ConsistentRead: true }),
  );
  return result.Item ? withoutKeys<ChangeRecord>(result.Item) : null;
}

/** How many changes each window holds (0 for a window nobody has used yet). */
export async function readCapacity(windowIds: readonly string[]): Promise<Map<string, number>> {
  const used = new Map<string, number>(windowIds.map((id) => [id, 0]));
  const unique = [...new Set(windowIds)];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [tableName()]: {
        Keys: unique.slice(i, i + 100).map((id) => keys.windowCapacity(id)),
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await backOff(attempt);
      const result = await documents.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[tableName()] ?? []) {
        used.set(String(item.windowId), Number(item.used ?? 0));
      }
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return used;
}

function backOff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes a transition. `before` is the record it was computed from (null for a new change).
 * Throws ConcurrentUpdateError if the record moved meanwhile, or DomainError WINDOW_FULL when a
 * capacity reservation would overfill its window.
 */
export async function writeTransition(
  before: ChangeRecord | null,
  transition: Transition,
  capacityLimit: number,
) {
  const table = tableName();
  const { change } = transition;
  const changePut = before
    ? {
        Put: {
          TableName: table,
          Item: changeItem(change),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': before.version },
        },
      }
    : {
        Put: { TableName: table, Item: changeItem(change), ConditionExpression: 'attribute_not_exists(pk)' },
      };
  const historyPuts = transition.history.map((record, index) => ({
    Put: {
      TableName: table,
      Item: historyItem(change.changeId, record, `${writeOrder()}-${index}`),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  const capacityUpdates = transition.capacity.map((adjustment) => ({
    Update: {
      TableName: table,
      Key: keys.windowCapacity(adjustment.windowId),
      UpdateExpression: 'ADD used :delta SET windowId = :windowId, entity = :entity',
      ...(adjustment.enforceLimit
        ? {
            ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
            ExpressionAttributeValues: {
              ':delta': adjustment.delta,
              ':windowId': adjustment.windowId,
              ':entity': 'capacity',
              ':limit': capacityLimit,
            },
          }
        : {
            ExpressionAttributeValues: {
              ':delta': adjustment.delta,
              ':windowId': adjustment.windowId,
              ':entity': 'capacity',
            },
          }),
    },
  }));
  try {
    await documents.send(
      new TransactWriteCommand({ TransactItems: [changePut, ...historyPuts, ...capacityUpdates] }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new ConcurrentUpdateError(change.changeId);
      const capacityStart = 1 + historyPuts.length;
      const full = reasons.findIndex((r, i) => i >= capacityStart && r.Code === 'ConditionalCheckFailed');
      if (full >= 0) {
        const windowId = transition.capacity[full - capacityStart]?.windowId;
        throw new DomainError(
          'WINDOW_FULL',
          409,
          `the window ${windowId} is full (${capacityLimit} changes)`,
        );
      }
      if (reasons.some((r) => r.Code === 'TransactionConflict'))
        throw new ConcurrentUpdateError(change.changeId);
    }
    throw error;
  }
}

export interface MoveContext {
  /** Attempts before giving up on a record that keeps moving under us. */
  attempts?: number;
  capacityLimit: number;
}

/**
 * Reads the change, decides the move on it and writes it; on a concurrent update, reads and
 * decides again (a refusal then answers with the fresh state, e.g. RESCHEDULE_LIMIT_REACHED).
 */
export async function applyMove(
  changeId: string,
  decide: (change: ChangeRecord) => Move | Promise<Move>,
  context: MoveContext,
): Promise<Transition> {
  const attempts = context.attempts ?? 8;
  for (let attempt = 0; ; attempt++) {
    const current = await readChangeRecord(changeId);
    if (!current) throw new DomainError('NOT_FOUND', 404, `change ${changeId} was not found`);
    const move = await decide(current);
    if ('ok' in move) throw DomainError.from(move);
    try {
      await writeTransition(current, move, context.capacityLimit);
      return move;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt + 1 >= attempts) throw error;
      await backOff(attempt);
    }
  }
}

/** History entries that change nothing else (a notice sent, a reminder, a failure recorded). */
export async function appendHistory(changeId: string, records: HistoryRecord[]): Promise<void> {
  for (const record of records) {
    await documents.send(
      new PutCommand({
        TableName: tableName(),
        Item: historyItem(changeId, record, `${writeOrder()}-0-${randomUUID().slice(0, 8)}`),
      }),
    );
  }
}

export type ChangeScope =
  | { kind: 'all' }
  | { kind: 'partner'; partnerId: string }
  | { kind: 'customer'; customerId: string };

export interface ChangeQuery {
  scope: ChangeScope;
  status?: ChangeStatus;
  from?: string;
  to?: string;
  limit: number;
  /** Opaque token from a previous page. */
  nextToken?: string;
}

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

function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(
  token: string,
  index: (typeof SCOPE_INDEX)[keyof typeof SCOPE_INDEX],
  expectedPk: string,
) {
  const invalid = new DomainError(
    'VALIDATION_FAILED',
    400,
    'nextToken is not a token this listing gave out',
    [{ path: 'nextToken', message: 'is not valid for this listing' }],
  );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  // A token only positions inside the partition we query, and must hold exactly the key
  // attributes DynamoDB gave out (table and index keys, all strings); anything else is refused.
  const expected = ['pk', 'sk', index.pk, index.sk].sort();
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid;
  const record = key as Record<string, unknown>;
  const names = Object.keys(record).sort();
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) throw invalid;
  if (
    Object.values(record).some(
      (value) => typeof value !== 'string' || value.length === 0 || value.length > 1024,
    )
  ) {
    throw invalid;
  }
  if (record[index.pk] !== expectedPk) throw invalid;
  return record;
}

/** Changes of a scope ordered by window start, optionally filtered, one page at a time. */
export async function queryChanges(
  query: ChangeQuery,
): Promise<{ items: ChangeRecord[]; nextToken?: string }> {
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
  const input: QueryCommandInput = {
    TableName: tableName(),
    IndexName: index.index,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  if (query.status) {
    input.FilterExpression = '#status = :status';
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  const items: ChangeRecord[] = [];
  let startKey = query.nextToken ? decodeToken(query.nextToken, index, pkValue) : undefined;
  do {
    const page = await documents.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey, Limit: query.limit - items.length }),
    );
    for (const item of page.Items ?? []) items.push(withoutKeys<ChangeRecord>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < query.limit);
  return startKey ? { items, nextToken: encodeToken(startKey) } : { items };
}

/** Every change of a scope, all pages (for jobs and feeds, not for request paths with a limit). */
export async function queryAllChanges(scope: ChangeScope): Promise<ChangeRecord[]> {
  const changes: ChangeRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await queryChanges({ scope, limit: 100, nextToken });
    changes.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return changes;
}
