/**
 * What the local runtime keeps about itself beside the data, in the same table (so it goes with the
 * data: deleting .local/dynamodb forgets both), under one item `pk = sk = LOCAL#RUNTIME`:
 * - the clock (`clockNow`, `clockSpeed`): a restart on kept data resumes the time line where it was,
 *   instead of jumping back to today while the data sits at a later date;
 * - the demo epoch (`demoEpoch`): the instant the demo data was first seeded; certificate expiries and
 *   the seeded backup history are fixed relative to it, so they do not shift on every start.
 * Never deployed: only local/ reads or writes this item.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalClock } from './clock.ts';

const KEY = { pk: 'LOCAL#RUNTIME', sk: 'LOCAL#RUNTIME' };

export interface LocalState {
  clockNow?: string;
  clockSpeed?: number;
  demoEpoch?: string;
}

export interface LocalStateTable {
  documents: DynamoDBDocumentClient;
  name: string;
}

export async function readLocalState(table: LocalStateTable): Promise<LocalState> {
  const { Item } = await table.documents.send(
    new GetCommand({ TableName: table.name, Key: KEY, ConsistentRead: true }),
  );
  return (Item ?? {}) as LocalState;
}

/** The demo epoch: the one already stored, else `candidate`, stored now (the first writer wins). */
export async function demoEpoch(table: LocalStateTable, candidate: string): Promise<string> {
  const { Attributes } = await table.documents.send(
    new UpdateCommand({
      TableName: table.name,
      Key: KEY,
      UpdateExpression: 'SET demoEpoch = if_not_exists(demoEpoch, :candidate)',
      ExpressionAttributeValues: { ':candidate': candidate },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return (Attributes as LocalState).demoEpoch as string;
}

export async function saveClock(table: LocalStateTable, clock: LocalClock): Promise<void> {
  const { now, speed } = clock.describe();
  await table.documents.send(
    new UpdateCommand({
      TableName: table.name,
      Key: KEY,
      UpdateExpression: 'SET clockNow = :now, clockSpeed = :speed',
      ExpressionAttributeValues: { ':now': now, ':speed': speed },
    }),
  );
}

/**
 * Saves the clock every `everyMs` of real time while it runs, and once more when stopped; `touched()`
 * saves at once (after the clock was moved through /local/clock). Returns the stop function.
 */
export function keepClock(
  table: LocalStateTable,
  clock: LocalClock,
  everyMs = 2_000,
): { touched(): Promise<void>; stop(): Promise<void> } {
  const save = () => saveClock(table, clock).catch(() => undefined);
  const timer = setInterval(() => void save(), everyMs);
  timer.unref();
  return {
    touched: save,
    async stop() {
      clearInterval(timer);
      await save();
    },
  };
}
