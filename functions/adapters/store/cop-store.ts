/** COP upload requests: a request sits in the sparse "pending" listing until the nightly job settles it. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '../clients.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';

export type CopStatus = 'PENDING' | 'UPLOADED' | 'REJECTED';

export interface CopRequest {
  requestId: string;
  partnerId: string;
  customerId: string;
  copFile: string;
  reason?: string;
  status: CopStatus;
  sftpPath?: string;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

export async function putCopRequest(request: CopRequest): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.copRequest(request.requestId),
        ...indexKeys.partnerCopRequests(request.partnerId, request.createdAt, request.requestId),
        ...(request.status === 'PENDING'
          ? indexKeys.pendingCopRequests(request.createdAt, request.requestId)
          : {}),
        entity: 'copRequest',
        ...request,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function readCopRequest(requestId: string): Promise<CopRequest | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.copRequest(requestId), ConsistentRead: true }),
  );
  return result.Item ? withoutKeys<CopRequest>(result.Item) : null;
}
