/**
 * The real API for a test file: a fresh table in the shared DynamoDB Local, the demo data seeded,
 * and the local API server (the same authorizer and handlers as in AWS) on a free port. Time is
 * the test's: `clock.set(...)` moves "now" for every handler.
 *
 * Handlers read the table name and endpoint from the environment when first loaded, so they are
 * imported only after this file has set it.
 */
import { DateTime } from 'luxon';
import { inject } from 'vitest';
import type { FreshTable } from './table.ts';
import { freshTable } from './table.ts';

export interface TestClock {
  now(): DateTime;
  set(instant: string | DateTime): void;
  advance(duration: { days?: number; hours?: number; minutes?: number }): void;
}

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
  keys: { ops: string; acme: string; pacific: string };
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: CallOptions,
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startTestApi(start = '2026-11-23T15:00:00Z'): Promise<TestApi> {
  const table = await freshTable('api');
  process.env.DYNAMODB_ENDPOINT = inject('dynamoEndpoint');
  process.env.TABLE_NAME = table.tableName;
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.LOG_LEVEL = 'ERROR';

  const { installClock } = await import('#adapters/clock.ts');
  let current: DateTime = DateTime.fromISO(start, { zone: 'utc' });
  const clock: TestClock = {
    now: () => current,
    set: (instant) => {
      current = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : instant.toUTC();
    },
    advance: (duration) => {
      current = current.plus(duration);
    },
  };
  installClock({ now: () => current });

  const { loadDemoData, seed } = await import('#local/seed.ts');
  const demo = loadDemoData();
  await seed(demo, current, { backups: false });
  const [changes, catalog, records, authorizer, { startLocalApi }] = await Promise.all([
    import('#api/changes.ts'),
    import('#api/catalog.ts'),
    import('#api/records.ts'),
    import('#auth/authorizer.ts'),
    import('#local/api-server.ts'),
  ]);
  const api = await startLocalApi({
    port: 0,
    handlers: { changes: changes.handler, catalog: catalog.handler, records: records.handler },
    authorizer: authorizer.handler,
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

  return { baseUrl: api.baseUrl, table, clock, keys, call, close: () => api.close() };
}
