/**
 * AWS SDK clients, created once per process at module scope (so a warm Lambda reuses connections
 * and tests can mock them with aws-sdk-client-mock). The local runtime points them at DynamoDB Local
 * by setting DYNAMODB_ENDPOINT before the first import.
 */

import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const endpoint = process.env.DYNAMODB_ENDPOINT;

export const dynamoDb = new DynamoDBClient({
  ...(endpoint
    ? {
        // The local runtime serves many callers from one process (in Lambda, one request at a time).
        requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }),
        endpoint,
        region: process.env.AWS_REGION ?? 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {}),
  maxAttempts: 5,
});

export const documents = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}
