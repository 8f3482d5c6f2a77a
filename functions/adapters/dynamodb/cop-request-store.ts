/**
 * COP upload requests: a request sits in the sparse "pending" listing until the nightly job settles it.
 *
 * Settling (PENDING -> UPLOADED or REJECTED) is one transaction: the request leaves the pending listing
 * and its outcome notice is written OWED in the notice ledger beside it (notice-ledger.ts), in the
 * sparse `COPS#NOTIFY` listing until it is sent, so a crash or a failed delivery after settling loses
 * neither the status nor the notice: a later run finds the entry and sends it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CopNoticeEntry, CopRequestStore, CursorPage, PageCursor } from '#app/ports.ts';
import { decodePageToken, encodePageToken, InvalidPageToken } from '#commons/paging.ts';
import type { CopRequest, CopSettlement } from '#core/cop.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';
import { queryAll, queryPage, type Table } from './table.ts';

const listing = (gsi2pk: string) => ({
  IndexName: 'gsi2',
  KeyConditionExpression: 'gsi2pk = :pk',
  ExpressionAttributeValues: { ':pk': gsi2pk },
  ScanIndexForward: true,
});

export class DynamoCopRequestStore implements CopRequestStore {
  constructor(private readonly table: Table) {}

  async put(request: CopRequest): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
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

  async read(requestId: string): Promise<CopRequest | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.copRequest(requestId), ConsistentRead: true }),
    );
    return result.Item ? withoutKeys<CopRequest>(result.Item) : null;
  }

  /** Read from an index (eventually consistent): a request may still show just after it was settled. */
  pendingPage(options: { limit: number; after?: PageCursor }): Promise<CursorPage<CopRequest>> {
    const { gsi2pk } = indexKeys.pendingCopRequests(new Date(0).toISOString(), '');
    return queryPage<CopRequest>(this.table, listing(gsi2pk), options);
  }

  async partnerRequests(
    partnerId: string,
    options: { limit: number; nextToken?: string },
  ): Promise<{ items: CopRequest[]; nextToken?: string }> {
    const { gsi1pk } = indexKeys.partnerCopRequests(partnerId, new Date(0).toISOString(), '');
    let after: PageCursor | undefined;
    if (options.nextToken) {
      // A token only positions inside this partner's listing, with exactly the keys DynamoDB gave out.
      after = decodePageToken(
        options.nextToken,
        ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
        (p) => p.gsi1pk === gsi1pk,
      );
      if (!after) throw new InvalidPageToken('nextToken is not a token this listing gave out');
    }
    const page = await queryPage<CopRequest>(
      this.table,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi1pk },
        ScanIndexForward: false,
      },
      { limit: options.limit, ...(after ? { after } : {}) },
    );
    return page.next ? { items: page.items, nextToken: encodePageToken(page.next) } : { items: page.items };
  }

  async settle(
    requestId: string,
    settlement: CopSettlement,
    at: string,
  ): Promise<'settled' | 'already-settled'> {
    const detail =
      settlement.status === 'UPLOADED'
        ? { name: 'sftpPath', value: settlement.sftpPath }
        : { name: 'rejectionReason', value: settlement.rejectionReason };
    try {
      await this.table.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.copRequest(requestId),
                UpdateExpression:
                  'SET #status = :status, #detail = :detail, updatedAt = :at REMOVE gsi2pk, gsi2sk',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status', '#detail': detail.name },
                ExpressionAttributeValues: {
                  ':status': settlement.status,
                  ':detail': detail.value,
                  ':at': at,
                  ':pending': 'PENDING',
                },
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...keys.copNotice(requestId),
                  ...indexKeys.owedCopNotices(at, requestId),
                  entity: 'copNotice',
                  requestId,
                  status: settlement.status,
                  state: 'OWED',
                  attempts: 0,
                  owedSince: at,
                },
              },
            },
          ],
        }),
      );
      return 'settled';
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return 'already-settled';
      }
      throw error;
    }
  }

  /** Every notice still owed (OWED, RETRY, or SENDING by a run that may have crashed), oldest first. */
  owedNotices(): Promise<CopNoticeEntry[]> {
    const { gsi2pk } = indexKeys.owedCopNotices(new Date(0).toISOString(), '');
    return queryAll<CopNoticeEntry>(this.table, listing(gsi2pk));
  }
}
