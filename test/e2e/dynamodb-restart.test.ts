/**
 * The local runtime supervises DynamoDB Local (issue: a dead DynamoDB Local made every request a bare 500
 * with no log line naming the cause, and nothing restarted it). Kill its Java process: the runtime says
 * why it died, restarts it on the same port and data folder, and the next API call succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Runtime, startRuntime } from '#local/runtime.ts';

let runtime: Runtime | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
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

describe('DynamoDB Local supervision', () => {
  it('restarts a killed DynamoDB Local on the same port and data folder, says why, and the next call succeeds', async () => {
    // Prepare
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    dataDir = mkdtempSync(join(tmpdir(), 'ddb-restart-'));
    runtime = await startRuntime({
      port: 0,
      dataDir: join(dataDir, 'dynamodb'),
      clockStart: '2026-11-23T15:00:00Z',
      clockSpeed: 0,
      schedules: false,
    });
    const ops = runtime.keys.find((k) => k.role === 'ops')?.key as string;
    const created = await call('POST', '/changes', ops, {
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'configuration',
      title: 'Written before the crash',
      disruptsCalling: true,
    });
    expect(created.status).toBe(201);
    const endpoint = runtime.dynamo.endpoint;
    // DynamoDB Local acknowledges a write a moment before it is on disk: a SIGKILL within ~300 ms of the
    // last writes can lose them (measured; README, "Local runtime"). Let the lifecycle settle and the
    // store go quiet first, so this test is about the restart, not about that gap.
    await runtime.workflow.idle({ timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Act
    const killed = await killDynamoDbLocal(runtime);
    const read = await call('GET', `/changes/${created.body.changeId}`, ops);

    // Assess: the same change, read from the restarted process on the same endpoint.
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.title).toBe('Written before the crash');
    expect(runtime.dynamo.endpoint).toBe(endpoint);
    expect(runtime.dynamo.pid).not.toBe(killed);
    const lines = logged.mock.calls.map((args) => String(args[0]));
    expect(lines.find((line) => line.includes(`pid ${killed}`))).toMatch(/died after .*killed by SIGKILL/);
    expect(
      lines.some((line) => /restarting DynamoDB Local on port \d+ with the same data folder/.test(line)),
    ).toBe(true);
    expect(lines.some((line) => line.includes(`DynamoDB Local is back on ${endpoint}`))).toBe(true);
  });
});
