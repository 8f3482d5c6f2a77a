/**
 * The task token of a parked lifecycle, kept beside its change in an item of its own (`WAIT`), so that
 * writing the change never overwrites a fresher token.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ChangeMovedError, type WaitTokenStore } from '#app/ports.ts';
import type { ParkPhase } from '#core/vocabulary.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

export class DynamoWaitTokenStore implements WaitTokenStore {
  constructor(private readonly table: Table) {}

  async park(
    changeId: string,
    expectedVersion: number,
    wait: { token: string; phase: ParkPhase; until: string },
  ): Promise<void> {
    const TableName = this.table.name;
    try {
      await this.table.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName,
                Key: keys.change(changeId),
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              },
            },
            {
              Put: {
                TableName,
                Item: {
                  ...keys.waitToken(changeId),
                  entity: 'wait',
                  changeId,
                  version: expectedVersion,
                  ...wait,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new ChangeMovedError(`change ${changeId} moved past version ${expectedVersion}`);
      }
      throw error;
    }
  }

  async read(changeId: string): Promise<{ token: string; phase: string } | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.waitToken(changeId), ConsistentRead: true }),
    );
    const item = result.Item;
    return item && typeof item.token === 'string' ? { token: item.token, phase: String(item.phase) } : null;
  }
}
