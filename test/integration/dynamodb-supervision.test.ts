/**
 * The DynamoDB Local supervisor on its own: a death is logged with its cause, the restart waits with
 * back-off that grows while the process keeps dying, and stop() ends it for good (no restart after).
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '#local/dynamodb-client.ts';
import { type SupervisedDynamoDbLocal, superviseDynamoDbLocal } from '#local/dynamodb-local.ts';

let supervised: SupervisedDynamoDbLocal | undefined;
afterEach(async () => {
  await supervised?.stop();
  supervised = undefined;
});

async function killAndAwaitRestart(db: SupervisedDynamoDbLocal): Promise<void> {
  const restarts = db.restarts;
  process.kill(db.pid, 'SIGKILL');
  const deadline = Date.now() + 60_000;
  while (db.restarts === restarts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await db.running();
}

describe('superviseDynamoDbLocal', () => {
  it('restarts with growing back-off while it keeps dying, and serves on the same endpoint', async () => {
    // Prepare
    const lines: string[] = [];
    const prepared: number[] = [];
    supervised = await superviseDynamoDbLocal({
      restartDelayMs: 100,
      log: (line) => lines.push(line),
      onRestarted: async (db) => {
        prepared.push(db.pid);
      },
    });
    const { endpoint } = supervised;

    // Act: two deaths in quick succession.
    await killAndAwaitRestart(supervised);
    await killAndAwaitRestart(supervised);

    // Assess
    expect(supervised.restarts).toBe(2);
    expect(supervised.endpoint).toBe(endpoint);
    expect(prepared).toEqual([expect.any(Number), supervised.pid]);
    const client = localDynamoDbClient(endpoint, { maxAttempts: 1 });
    await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
    client.destroy();
    expect(lines.filter((line) => line.includes('killed by SIGKILL'))).toHaveLength(2);
    const delays = lines.flatMap((line) => /in (\d+) ms \(attempt 1\)/.exec(line)?.[1] ?? []).map(Number);
    expect(delays).toEqual([100, 200]);
    expect(lines.filter((line) => line.includes(`DynamoDB Local is back on ${endpoint}`))).toHaveLength(2);
  });

  it('does not restart a DynamoDB Local that was stopped', async () => {
    const lines: string[] = [];
    supervised = await superviseDynamoDbLocal({ restartDelayMs: 50, log: (line) => lines.push(line) });

    await supervised.stop();
    await new Promise((r) => setTimeout(r, 300));

    expect(supervised.restarts).toBe(0);
    expect(lines).toEqual([]);
  });
});
