/**
 * Clients and the table for DynamoDB Local: the same table definition the CDK construct deploys
 * (infra/table-schema.ts), created in DynamoDB Local when missing.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableRequest, TABLE_SCHEMA } from '#infra/table-schema.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';

/** A DynamoDBClient for DynamoDB Local: dummy credentials, region us-east-1, the given endpoint. */
export function localDynamoDbClient(
  endpoint: string,
  config: Partial<DynamoDBClientConfig> = {},
): DynamoDBClient {
  return new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    ...config,
    endpoint,
  });
}

export interface EnsureTableResult {
  /** false when the table was already there. */
  created: boolean;
  /** true when TTL on `TABLE_SCHEMA.timeToLiveAttribute` is enabled. */
  ttlEnabled: boolean;
}

/**
 * Creates the table from `createTableRequest(tableName)` unless it exists, waits until the table and its
 * indexes are ACTIVE, and enables TTL. Idempotent, and safe when several callers race for the same table.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<EnsureTableResult> {
  let created = false;
  if ((await describeTable(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableRequest(tableName)));
      created = true;
    } catch (error) {
      // Someone else created it between our describe and create: fine, wait for it below.
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  await waitUntilActive(client, tableName, timeoutMs);
  const ttlEnabled = await enableTtl(client, tableName);
  return { created, ttlEnabled };
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** DynamoDB Local creates tables ACTIVE at once; the loop matters for AWS-like timing (-delayTransientStatuses). */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(
        `table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus})`,
      );
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * DynamoDB Local accepts UpdateTimeToLive and reports the setting back in DescribeTimeToLive. (Whether it
 * also deletes expired items is not something the code relies on: readers filter on `ttl` as in AWS, where
 * deletion may lag by days.) If an emulator rejects the call, we carry on without TTL: it only cleans up.
 */
async function enableTtl(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const attribute = TABLE_SCHEMA.timeToLiveAttribute;
  const isOn = async () => {
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    return (
      (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') &&
      ttl.AttributeName === attribute
    );
  };
  try {
    if (await isOn()) return true;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
      }),
    );
    return true;
  } catch (error) {
    // A concurrent caller enabled it first ("already enabled" is a ValidationException), or this emulator
    // does not support TTL: carry on either way, TTL only cleans up.
    const name = errorName(error);
    if (name === 'ValidationException') return isOn().catch(() => false);
    if (name === 'UnknownOperationException') return false;
    throw error;
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
