/**
 * The one DynamoDB table (single-table design), defined once: the CDK construct builds it from this
 * and the local runtime creates the same table in DynamoDB Local. Access patterns and key shapes
 * are documented in docs/data-model.md.
 */

export const TABLE_SCHEMA = {
  /** Name used by the local runtime; in AWS CloudFormation names the table. */
  localTableName: 'change-management',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired idempotency records and old failed backup results. */
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: [
    /** Owner listings: a partner's customers, changes (by window start), COP requests. */
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Collection listings: all changes by window start, customers, open alerts, pending COP requests, certificates by expiry. */
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Per-customer listings: a customer's changes by window start. */
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export type GsiName = (typeof TABLE_SCHEMA.globalSecondaryIndexes)[number]['indexName'];

/** The CreateTable request for this schema (plain data: the local runtime sends it to DynamoDB Local). */
export function createTableRequest(tableName: string) {
  const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_SCHEMA;
  const attributeNames = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeNames.map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: g.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
