/**
 * One DynamoDB Local (in memory, free port) for the whole integration run. Tests read its endpoint with
 * `inject('dynamoEndpoint')` (see support/table.ts) and each file works in its own table.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  console.log(`DynamoDB Local ready on ${dynamo.endpoint} in ${(dynamo.startupMs / 1000).toFixed(2)} s`);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
