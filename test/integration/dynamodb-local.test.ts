/**
 * The harness works and DynamoDB Local holds the table of infra/table-schema.ts, with the guarantees the
 * store relies on: conditional writes, optimistic locking under contention, transactions, GSI queries.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TABLE_SCHEMA } from '#infra/table-schema.ts';
import { ensureTable, localDynamoDbClient } from '#local/dynamodb-client.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { freshTable } from './support/table.ts';

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ client, doc, tableName } = await freshTable('harness'));
});

afterAll(() => {
  client?.destroy();
});

describe('table', () => {
  it('exists with the key schema and the three GSIs of the schema', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? [])
      .map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`),
        projection: index.Projection?.ProjectionType,
        status: index.IndexStatus,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(indexes).toEqual(
      TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
        name: g.indexName,
        keys: [`${g.partitionKey}:HASH`, `${g.sortKey}:RANGE`],
        projection: 'ALL',
        status: 'ACTIVE',
      })),
    );
  });

  it('has TTL on the schema attribute, and ensureTable is idempotent', async () => {
    const again = await ensureTable(client, tableName);
    expect(again).toEqual({ created: false, ttlEnabled: true });
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    expect(TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TABLE_SCHEMA.timeToLiveAttribute,
    });
  });
});

describe('items', () => {
  it('round-trips a put and a get', async () => {
    const item = {
      pk: 'CHANGE#rt',
      sk: 'META',
      title: 'Round trip',
      count: 3,
      tags: ['a', 'b'],
      nested: { ok: true },
    };
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'CHANGE#rt', sk: 'META' } }),
    );
    expect(Item).toEqual(item);
  });

  it('rejects a conditional write whose condition fails with ConditionalCheckFailedException', async () => {
    const key = { pk: 'CHANGE#cond', sk: 'META' };
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, status: 'DRAFT' } }));
    const write = doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, status: 'OTHER' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(write).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key }));
    expect(Item?.status).toBe('DRAFT');
  });

  it('lets exactly one of 50 concurrent updates expecting the same version win', async () => {
    const key = { pk: 'CHANGE#race', sk: 'META' };
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, version: 1 } }));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, writer) =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET version = :next, writer = :writer',
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': 1, ':next': 2, ':writer': writer },
          }),
        ),
      ),
    );
    const wins = results.filter((r) => r.status === 'fulfilled');
    const losses = results.filter((r) => r.status === 'rejected');
    expect(wins).toHaveLength(1);
    expect(losses).toHaveLength(49);
    for (const loss of losses) expect(loss.reason).toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key }));
    expect(Item?.version).toBe(2);
    expect(results[Item?.writer as number]?.status).toBe('fulfilled');
  });

  it('applies a TransactWriteItems all or nothing', async () => {
    const change = { pk: 'CHANGE#tx', sk: 'META' };
    const audit = { pk: 'CHANGE#tx', sk: 'AUDIT#0001' };
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...change, status: 'SCHEDULED', version: 1 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tableName, Item: { ...audit, event: 'created' } } },
        ],
      }),
    );
    const both = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CHANGE#tx' },
      }),
    );
    expect(both.Items?.map((i) => i.sk)).toEqual(['AUDIT#0001', 'META']);

    // A failing condition cancels the whole transaction: the second audit record is not written either.
    const cancelled = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: change,
              UpdateExpression: 'SET version = :next',
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': 7, ':next': 8 },
            },
          },
          { Put: { TableName: tableName, Item: { pk: 'CHANGE#tx', sk: 'AUDIT#0002', event: 'updated' } } },
        ],
      }),
    );
    await expect(cancelled).rejects.toBeInstanceOf(TransactionCanceledException);
    const error = (await cancelled.catch((e: unknown) => e)) as TransactionCanceledException;
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'CHANGE#tx', sk: 'AUDIT#0002' } }),
    );
    expect(Item).toBeUndefined();
  });

  it('finds an item through gsi1 by gsi1pk and gsi1sk', async () => {
    const items = [
      { pk: 'CHANGE#g2', sk: 'META', gsi1pk: 'PARTNER#p1', gsi1sk: 'CHANGE#2026-12-02T10:00Z#g2' },
      { pk: 'CHANGE#g1', sk: 'META', gsi1pk: 'PARTNER#p1', gsi1sk: 'CHANGE#2026-12-01T10:00Z#g1' },
      { pk: 'CHANGE#g3', sk: 'META', gsi1pk: 'PARTNER#p2', gsi1sk: 'CHANGE#2026-12-01T09:00Z#g3' },
    ];
    for (const item of items) await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const { Items } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :owner AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':owner': 'PARTNER#p1', ':prefix': 'CHANGE#' },
      }),
    );
    expect(Items?.map((i) => i.pk)).toEqual(['CHANGE#g1', 'CHANGE#g2']);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoDbLocal', () => {
  it.concurrent('says so when the port is taken', async ({ expect }) => {
    const { port } = new URL(inject('dynamoEndpoint'));
    await expect(startDynamoDbLocal({ port: Number(port) })).rejects.toThrow(
      `port ${port} is already in use`,
    );
  });

  it.concurrent('says so when Java is missing', async ({ expect }) => {
    await expect(startDynamoDbLocal({ javaCommand: '/nonexistent/bin/java' })).rejects.toThrow(
      'the Java executable "/nonexistent/bin/java" was not found',
    );
  });

  it.concurrent('keeps data in dataDir across restarts, and stop() ends the Java process', async ({
    expect,
  }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const firstClient = localDynamoDbClient(first.endpoint);
      await ensureTable(firstClient, 'persisted');
      await firstClient.send(
        new PutCommand({ TableName: 'persisted', Item: { pk: 'CHANGE#kept', sk: 'META', title: 'kept' } }),
      );
      firstClient.destroy();
      await first.stop();
      expect(isRunning(first.pid)).toBe(false);
      await first.stop(); // idempotent

      const second = await startDynamoDbLocal({ dataDir });
      const secondClient = localDynamoDbClient(second.endpoint);
      try {
        expect(await ensureTable(secondClient, 'persisted')).toEqual({ created: false, ttlEnabled: true });
        const { Item } = await secondClient.send(
          new GetCommand({ TableName: 'persisted', Key: { pk: 'CHANGE#kept', sk: 'META' } }),
        );
        expect(Item?.title).toBe('kept');
      } finally {
        secondClient.destroy();
        await second.stop();
      }
      expect(isRunning(second.pid)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.concurrent('does not outlive a parent that is terminated by SIGTERM', async ({ expect }) => {
    // A separate Node process starts DynamoDB Local, prints the Java pid, and is then sent SIGTERM.
    const script = `
      import { startDynamoDbLocal } from './local/dynamodb-local.ts';
      const ddb = await startDynamoDbLocal({});
      console.log(JSON.stringify({ pid: ddb.pid }));
      setInterval(() => {}, 1000);
    `;
    // Plain node with the tsx loader (the tsx CLI would put a relay process in between).
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const javaPid = await new Promise<number>((resolvePid, reject) => {
      let out = '';
      parent.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /\{"pid":(\d+)\}/.exec(out);
        if (match) resolvePid(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}: ${out}`)));
    });
    expect(isRunning(javaPid)).toBe(true);
    const parentExit = new Promise<NodeJS.Signals | null>((done) =>
      parent.once('exit', (_code, signal) => done(signal)),
    );
    parent.kill('SIGTERM');
    expect(await parentExit).toBe('SIGTERM');
    // SIGKILL was sent to the Java process group synchronously; give the kernel a moment to reap it.
    await expect.poll(() => isRunning(javaPid), { timeout: 5_000, interval: 50 }).toBe(false);
  });
});
