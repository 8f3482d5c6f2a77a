/**
 * Every AWS SDK client the system uses is created here, one function per service, so that a Lambda's
 * bundle holds only the clients its wiring asks for (functions/wiring/aws.ts builds each once per
 * process, on the first invocation; a warm Lambda reuses its connections). In AWS the clients find
 * their region and credentials in the Lambda environment; the local runtime points DynamoDB and SES at
 * their local stand-ins (local/wiring.ts). Tests mock them by class with aws-sdk-client-mock.
 *
 * Retries: the SDK retries throttling and transient errors with back-off (`maxAttempts`), except for
 * SES: a notice's retries belong to the lifecycle's state machine (a Retry with back-off on
 * NotificationDeliveryError), so a Lambda that the workflow retries does not also retry inside.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Where a client points when not at AWS itself (the local runtime's stand-ins). */
export interface LocalEndpoint {
  region: string;
  endpoint: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const at = (local: LocalEndpoint | undefined) =>
  local ? { endpoint: local.endpoint, region: local.region, credentials: LOCAL_CREDENTIALS } : {};

export function dynamoDbDocuments(local?: LocalEndpoint): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...at(local),
    // The local runtime serves many callers from one process (a Lambda serves one at a time).
    ...(local
      ? {
          requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }),
        }
      : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function sesClient(local?: LocalEndpoint): SESClient {
  return new SESClient({ ...at(local), maxAttempts: 1 });
}

export function sfnClient(): SFNClient {
  return new SFNClient({ maxAttempts: 5 });
}

export function eventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ maxAttempts: 5 });
}

export function snsClient(): SNSClient {
  return new SNSClient({ maxAttempts: 5 });
}

export function s3Client(): S3Client {
  return new S3Client({ maxAttempts: 3 });
}
