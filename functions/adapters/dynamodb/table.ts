/**
 * The single table every store works in (docs/data-model.md): its document client and name, given to
 * each store when it is constructed, and the read helpers they share.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CursorPage, PageCursor } from '#app/ports.ts';
import { readAllPages } from '#commons/paging.ts';
import { withoutKeys } from './keys.ts';

export interface Table {
  readonly documents: DynamoDBDocumentClient;
  readonly name: string;
}

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>;

/** One page of a query, records without their key attributes. */
export async function queryPage<T>(
  table: Table,
  input: QueryInput,
  options: { limit?: number; after?: PageCursor } = {},
): Promise<CursorPage<T>> {
  const page = await table.documents.send(
    new QueryCommand({
      ...input,
      TableName: table.name,
      ...(options.limit ? { Limit: options.limit } : {}),
      ...(options.after ? { ExclusiveStartKey: options.after } : {}),
    }),
  );
  return {
    items: (page.Items ?? []).map((item) => withoutKeys<T>(item)),
    ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}),
  };
}

/** Every record a query finds, all pages. */
export function queryAll<T>(table: Table, input: QueryInput): Promise<T[]> {
  return readAllPages<T, PageCursor>((after) => queryPage<T>(table, input, after ? { after } : {}));
}

/** Runs a conditional write: true when written, false when its condition did not hold. */
export async function writeIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
