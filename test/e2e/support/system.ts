/**
 * The whole system for an end-to-end test file: the local runtime (DynamoDB Local, the API through
 * the authorizer and handlers, the lifecycle state machine from the CDK app run by
 * aws-local-stepfunctions, the local mail store) on a frozen clock that the test moves.
 * Workflow retries are scaled down (0.05: a 1 s retry waits 50 ms) so failure paths run quickly.
 */
import type { StoredMail } from '#local/mail-store.ts';
import { type Runtime, startRuntime } from '#local/runtime.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface System {
  runtime: Runtime;
  keys: { ops: string; acme: string; pacific: string };
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown },
  ): Promise<ApiResponse<T>>;
  /** Moves the clock, then waits until every running lifecycle is parked again. */
  advance(duration: string): Promise<void>;
  set(instant: string): Promise<void>;
  /** Waits until every running lifecycle is parked (or finished). */
  settle(): Promise<void>;
  mails(filter?: { changeId?: string; to?: string }): Promise<StoredMail[]>;
  change(
    changeId: string,
  ): Promise<Record<string, unknown> & { history: { event: string; detail: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
}

export async function startSystem(
  clockStart = '2026-11-23T15:00:00Z',
  options: { schedules?: boolean } = {},
): Promise<System> {
  // The nightly schedules stay off unless a test asks for them: their scans would add changes.
  const runtime = await startRuntime({
    port: 0,
    clockStart,
    clockSpeed: 0,
    retryScale: 0.05,
    schedules: options.schedules ?? false,
  });
  const keyOf = (match: (k: Runtime['keys'][number]) => boolean) => runtime.keys.find(match)?.key as string;
  const keys = {
    ops: keyOf((k) => k.role === 'ops'),
    acme: keyOf((k) => k.partnerId === 'acme-voice'),
    pacific: keyOf((k) => k.partnerId === 'pacific-telecom'),
  };
  const settle = () => runtime.workflow.idle({ timeoutMs: 60_000 });
  const system: System = {
    runtime,
    keys,
    async call(method, path, options = {}) {
      const response = await fetch(`${runtime.baseUrl}${path}`, {
        method,
        headers: {
          'x-api-key': options.key ?? keys.ops,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      const json = (response.headers.get('content-type') ?? '').includes('json');
      await settle();
      return {
        status: response.status,
        body: (json ? JSON.parse(text) : text) as never,
        text,
        headers: response.headers,
      };
    },
    async advance(duration) {
      runtime.clock.advance(duration);
      await settle();
    },
    async set(instant) {
      runtime.clock.set(instant);
      await settle();
    },
    settle,
    async mails(filter = {}) {
      await settle();
      return (await runtime.mail.mails()).filter(
        (mail) =>
          (!filter.changeId || mail.subject.includes(filter.changeId)) &&
          (!filter.to || [...mail.to, ...mail.cc].includes(filter.to)),
      );
    },
    async change(changeId) {
      const response = await system.call<never>('GET', `/changes/${changeId}`);
      return response.body;
    },
    stop: () => runtime.stop(),
  };
  return system;
}
