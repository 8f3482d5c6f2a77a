/**
 * DynamoDB Local supervision when the data lives in memory (each e2e file runs one runtime: the adapters
 * keep the endpoint they were loaded with). A restart starts empty: the runtime makes the table again and
 * seeds the demo data, as a fresh start does, and says that the data was lost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Runtime, startRuntime } from '#local/runtime.ts';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  vi.restoreAllMocks();
});

async function call(method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(`${runtime?.baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Kills the Java process as a crash would (SIGKILL: no chance to clean up) and waits for the restart. */
async function killDynamoDbLocal(rt: Runtime): Promise<number> {
  const killed = rt.dynamo.pid;
  process.kill(killed, 'SIGKILL');
  const deadline = Date.now() + 60_000;
  while (rt.dynamo.restarts === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await rt.dynamo.running();
  return killed;
}

describe('DynamoDB Local supervision, in memory', () => {
  it('starts again with the table and the demo data, and says the data was lost', async () => {
    // Prepare
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    runtime = await startRuntime({
      port: 0,
      clockStart: '2026-11-23T15:00:00Z',
      clockSpeed: 0,
      schedules: false,
    });
    const ops = runtime.keys.find((k) => k.role === 'ops')?.key as string;

    // Act
    await killDynamoDbLocal(runtime);
    const customers = await call('GET', '/customers', ops);

    // Assess
    expect(customers.status).toBe(200);
    expect((customers.body.items as unknown[]).length).toBeGreaterThan(0);
    const lines = logged.mock.calls.map((args) => String(args[0]));
    expect(lines.some((line) => line.includes('data in memory: everything it held is lost'))).toBe(true);
  });
});
