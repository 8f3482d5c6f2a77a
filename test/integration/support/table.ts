/**
 * A table of our schema, uniquely named, in the DynamoDB Local started by global-setup.ts: call it once per
 * test file (in beforeAll) so files running in parallel never see each other's data.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable, localDynamoDbClient } from '#local/dynamodb-client.ts';

export interface FreshTable {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** `prefix` only makes the table easier to recognise (letters, digits, '-', '_', '.'). */
export async function freshTable(prefix = 'it'): Promise<FreshTable> {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) throw new Error('dynamoEndpoint not provided: run with `vitest --project integration`');
  const client = localDynamoDbClient(endpoint);
  const tableName = `${prefix}-${randomUUID()}`;
  await ensureTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc, tableName };
}
