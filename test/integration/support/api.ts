/**
 * The real API for a test file: a fresh table in the shared DynamoDB Local, the demo data seeded,
 * and the local API server (the same authorizer and route groups as in AWS) on a free port, all on
 * the test's ports (test/support/ports.ts). Time is the test's: `clock.set(...)` moves "now" for every
 * handler; `ports` are what the handlers run on (a job test runs its job on the same ones).
 */
import { inject } from 'vitest';
import { catalogApi } from '#api/catalog.ts';
import { changesApi } from '#api/changes.ts';
import { recordsApi } from '#api/records.ts';
import { authorizer } from '#auth/authorizer.ts';
import { startLocalApi } from '#local/api-server.ts';
import { loadDemoData, seed } from '#local/seed.ts';
import { type TestClock, type TestPorts, testClock, testPorts } from '../../support/ports.ts';
import { type FreshTable, freshTable } from './table.ts';

export type { TestClock };

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApi {
  baseUrl: string;
  table: FreshTable;
  clock: TestClock;
  ports: TestPorts;
  keys: { ops: string; acme: string; pacific: string };
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: CallOptions,
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startTestApi(
  start = '2026-11-23T15:00:00Z',
  options: Pick<Parameters<typeof testPorts>[0], 'copFiles'> = {},
): Promise<TestApi> {
  const table = await freshTable('api');
  const clock = testClock(start);
  const ports = testPorts({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: table.tableName,
    clock,
    ...options,
  });
  const demo = loadDemoData();
  await seed(ports, demo, clock.now(), { backups: false });
  const api = await startLocalApi({
    port: 0,
    handlers: { changes: changesApi(ports), catalog: catalogApi(ports), records: recordsApi(ports) },
    authorizer: authorizer(ports),
  });
  const keyOf = (match: (k: (typeof demo.apiKeys)[number]) => boolean) =>
    demo.apiKeys.find(match)?.key as string;
  const keys = {
    ops: keyOf((k) => k.role === 'ops'),
    acme: keyOf((k) => k.role === 'partner' && k.partnerId === 'acme-voice'),
    pacific: keyOf((k) => k.role === 'partner' && k.partnerId === 'pacific-telecom'),
  };

  async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key !== null) headers['x-api-key'] = options.key ?? keys.ops;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${api.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  return { baseUrl: api.baseUrl, table, clock, ports, keys, call, close: () => api.close() };
}
