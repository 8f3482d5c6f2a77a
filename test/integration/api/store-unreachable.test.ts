/**
 * A data store that cannot be reached (DynamoDB Local stopped, a network fault): every request answers
 * 503 SERVICE_UNAVAILABLE with Retry-After, never a bare 500, and the log names the cause.
 *
 * The original failure (issue 9): a dead DynamoDB Local made every request a 500 INTERNAL_ERROR, and the
 * log said "unhandled error" with nothing naming the store.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { catalogApi } from '#api/catalog.ts';
import { changesApi } from '#api/changes.ts';
import { recordsApi } from '#api/records.ts';
import { authorizer } from '#auth/authorizer.ts';
import { logger } from '#commons/logger.ts';
import { type LocalApi, startLocalApi } from '#local/api-server.ts';
import { pickFreePort } from '#local/dynamodb-local.ts';
import { loadDemoData, seed } from '#local/seed.ts';
import { testClock, testPorts } from '../../support/ports.ts';
import { freshTable } from '../support/table.ts';

let reachable: LocalApi;
let unreachable: LocalApi;
let opsKey: string;

beforeAll(async () => {
  const clock = testClock('2026-11-23T15:00:00Z');
  const table = await freshTable('unreachable');
  const live = testPorts({ dynamoEndpoint: inject('dynamoEndpoint'), tableName: table.tableName, clock });
  const demo = loadDemoData();
  await seed(live, demo, clock.now(), { backups: false });
  opsKey = demo.apiKeys.find((k) => k.role === 'ops')?.key as string;
  // Nothing listens on this port: every call to the store is refused.
  const deadEndpoint = `http://127.0.0.1:${await pickFreePort()}`;
  const dead = testPorts({ dynamoEndpoint: deadEndpoint, tableName: table.tableName, clock });
  // The key is checked by a reachable directory; the route's store is the unreachable one.
  reachable = await startLocalApi({
    port: 0,
    handlers: { changes: changesApi(dead), catalog: catalogApi(dead), records: recordsApi(dead) },
    authorizer: authorizer(live),
  });
  // Here the authorizer itself cannot reach the store.
  unreachable = await startLocalApi({
    port: 0,
    handlers: { changes: changesApi(dead), catalog: catalogApi(dead), records: recordsApi(dead) },
    authorizer: authorizer(dead),
  });
});
afterAll(async () => {
  await reachable?.close();
  await unreachable?.close();
});

describe('a data store that cannot be reached', () => {
  it('answers a route 503 SERVICE_UNAVAILABLE with Retry-After, and logs the cause', async () => {
    // Prepare
    const logged = vi.spyOn(logger, 'error');

    // Act
    const response = await fetch(`${reachable.baseUrl}/changes/chg_nowhere`, {
      headers: { 'x-api-key': opsKey },
    });

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('SERVICE_UNAVAILABLE');
    expect(body.message).toMatch(/retry in 5 seconds/);
    const line = logged.mock.calls.find(([message]) => String(message).includes('cannot be reached'));
    expect(line?.[1]).toMatchObject({ cause: expect.stringMatching(/ECONNREFUSED/) });
    logged.mockRestore();
  }, 30_000);

  it('answers a write under an Idempotency-Key 503 too', async () => {
    const body = {
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'configuration',
      title: 'Dial plan update',
      disruptsCalling: true,
    };

    const response = await fetch(`${reachable.baseUrl}/changes`, {
      method: 'POST',
      headers: { 'x-api-key': opsKey, 'content-type': 'application/json', 'idempotency-key': 'k-503' },
      body: JSON.stringify(body),
    });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  }, 30_000);

  it('answers 503 with Retry-After when the key itself cannot be checked', async () => {
    const response = await fetch(`${unreachable.baseUrl}/changes/chg_nowhere`, {
      headers: { 'x-api-key': `${opsKey}-not-cached` },
    });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { error: string }).error).toBe('SERVICE_UNAVAILABLE');
  }, 30_000);
});
