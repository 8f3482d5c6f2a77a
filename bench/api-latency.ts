/**
 * API latency through the local runtime (DynamoDB Local in memory, the real authorizer and handlers),
 * with 20 concurrent clients on localhost. Goal (from the issue): p99 under 50 ms at 20 clients.
 *
 *   npx tsx bench/api-latency.ts [changes=2000] [getRequests=4000] [clients=20]
 *
 * Phases, each a fixed number of requests shared by the clients (plain fetch loops):
 *   setup  POST /v1/changes                  ops creates the changes, spread over the four regions' windows
 *   (a)    GET  /v1/changes/{id}             a partner reads its own changes
 *   (b)    POST /v1/changes/{id}/reschedule  each change moved once, into a window with room (all succeed)
 *   (c)    the same reschedules again        each refused 409 RESCHEDULE_LIMIT_REACHED (refusal latency)
 * Each prints count, throughput, p50/p90/p99/max latency, status counts and the server thread's CPU per
 * request; then process memory. The clients run in a worker thread, so their event loop does not queue
 * behind the server's (latencies are the server's, plus localhost HTTP). The lifecycle work a create or
 * a reschedule starts (it runs in this process locally) is drained between phases, not measured.
 */
import { Worker } from 'node:worker_threads';

// Request logs would cost more than the requests; set LOG_LEVEL=INFO to measure with them.
process.env.LOG_LEVEL ??= 'WARN';

const { startRuntime } = await import('#local/runtime.ts');

const CHANGES = Number(process.argv[2] ?? 2000);
const GET_REQUESTS = Number(process.argv[3] ?? 4000);
const CLIENTS = Number(process.argv[4] ?? 20);
/** Changes per window when placing them: below the capacity of 25, so reschedules find room. */
const PER_WINDOW = 20;
const CAPACITY = 25;
const DAY_MS = 86_400_000;

interface Task {
  method: 'GET' | 'POST';
  path: string;
  key: string;
  body?: unknown;
}

interface Result {
  status: number;
  /** The error code of a refusal, or a network error's message. */
  code?: string;
  ms: number;
  /** The parsed body, when the phase asked for it. */
  body?: Record<string, unknown>;
}

interface WindowView {
  start: string;
  localStart: string;
}

interface Customer {
  customerId: string;
  partnerId: string;
  region: string;
  key: string;
}

interface Placed {
  changeId: string;
  customer: Customer;
  windowId: string;
  windowStart: string;
}

/** The load generator: `clients` fetch loops that share one task list, in a thread of their own. */
const CLIENT_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ baseUrl, tasks, clients, keepBodies }) => {
  const results = new Array(tasks.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      const task = tasks[i];
      const t0 = performance.now();
      try {
        const response = await fetch(baseUrl + task.path, {
          method: task.method,
          headers: task.body === undefined
            ? { 'x-api-key': task.key }
            : { 'x-api-key': task.key, 'content-type': 'application/json' },
          body: task.body === undefined ? undefined : JSON.stringify(task.body),
        });
        const text = await response.text();
        const ms = performance.now() - t0;
        let body;
        try { body = JSON.parse(text); } catch { body = { text }; }
        results[i] = {
          status: response.status,
          ms,
          ...(typeof body.error === 'string' ? { code: body.error } : {}),
          ...(keepBodies ? { body } : {}),
        };
      } catch (error) {
        results[i] = { status: 0, code: 'network error ' + error.message, ms: Number.NaN };
      }
    }
  }));
  parentPort.postMessage({ results, elapsedMs: performance.now() - started });
});
`;

/** A small deterministic generator (mulberry32), so every run makes the same choices. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

const f = (ms: number) => ms.toFixed(1);

function report(name: string, results: Result[], elapsedMs: number, serverCpuMs: number): void {
  const latencies = results
    .map((r) => r.ms)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  const byLabel = new Map<string, number[]>();
  for (const r of results) {
    const label = r.code ? `${r.status} ${r.code}` : String(r.status);
    byLabel.set(label, [...(byLabel.get(label) ?? []), r.ms]);
  }
  const p99 = percentile(latencies, 99);
  console.log(`\n${name}`);
  console.log(
    `  count ${results.length}  clients ${CLIENTS}  elapsed ${(elapsedMs / 1000).toFixed(2)} s  ` +
      `throughput ${((results.length / elapsedMs) * 1000).toFixed(0)} req/s`,
  );
  console.log(
    `  latency ms  p50 ${f(percentile(latencies, 50))}  p90 ${f(percentile(latencies, 90))}  ` +
      `p99 ${f(p99)}  max ${f(latencies.at(-1) ?? Number.NaN)}  (goal p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  statuses ${JSON.stringify(Object.fromEntries([...byLabel].map(([label, values]) => [label, values.length])))}`,
  );
  if (byLabel.size > 1) {
    for (const [label, values] of byLabel) {
      const sorted = values.filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
      console.log(
        `    ${label}: p50 ${f(percentile(sorted, 50))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? Number.NaN)}`,
      );
    }
  }
  console.log(
    `  server thread CPU ${(serverCpuMs / results.length).toFixed(2)} ms/request, ` +
      `${((serverCpuMs / elapsedMs) * 100).toFixed(0)}% of a core (DynamoDB Local's JVM not counted)`,
  );
}

function memory(when: string): void {
  const m = process.memoryUsage();
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`\nmemory ${when}: rss ${mb(m.rss)}  heapUsed ${mb(m.heapUsed)}  heapTotal ${mb(m.heapTotal)}`);
}

// The nightly schedules stay off: a scan running mid-phase would distort the latencies.
const runtime = await startRuntime({ port: 0, schedules: false });
const clients = new Worker(CLIENT_SOURCE, { eval: true });

/** Runs the tasks with CLIENTS concurrent loops in the client thread and reports the phase. */
function phase(name: string, tasks: Task[], keepBodies = false): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const cpuBefore = process.threadCpuUsage();
    clients.once('error', reject);
    clients.once('message', ({ results, elapsedMs }: { results: Result[]; elapsedMs: number }) => {
      clients.off('error', reject);
      const cpu = process.threadCpuUsage(cpuBefore);
      report(name, results, elapsedMs, (cpu.user + cpu.system) / 1000);
      resolve(results);
    });
    clients.postMessage({ baseUrl: runtime.baseUrl, tasks, clients: CLIENTS, keepBodies });
  });
}

const keyOf = (role: string, partnerId?: string) =>
  runtime.keys.find((k) => k.role === role && k.partnerId === partnerId)?.key as string;
const opsKey = keyOf('ops');

async function windowsOf(region: string, kind: string, from: number, count: number): Promise<WindowView[]> {
  const url =
    `${runtime.baseUrl}/maintenance-windows?region=${region}&kind=${kind}&count=${count}` +
    `&from=${encodeURIComponent(new Date(from).toISOString())}`;
  const response = await fetch(url, { headers: { 'x-api-key': opsKey } });
  const body = (await response.json()) as { windows: WindowView[] };
  if (response.status !== 200)
    throw new Error(`windows of ${region}: ${response.status} ${JSON.stringify(body)}`);
  return body.windows;
}

const windowIdOf = (region: string, window: WindowView) => `${region}#${window.localStart.slice(0, 10)}`;

/**
 * The local runtime runs each change's lifecycle in this process (notices mailed, history written,
 * then parked until a decision or a date). In AWS that is Step Functions and other Lambdas, not the
 * API's; so between phases we wait until every execution is parked, and the next phase measures the API.
 */
async function drainLifecycles(after: string): Promise<void> {
  const started = performance.now();
  await runtime.workflow.idle({ timeoutMs: 600_000 });
  console.log(
    `  lifecycle work after ${after} drained in ${((performance.now() - started) / 1000).toFixed(2)} s ` +
      `(${runtime.workflow.list().length} executions)`,
  );
}

try {
  console.log(
    `api-latency: ${CHANGES} changes, ${GET_REQUESTS} reads, ${CLIENTS} clients, ${runtime.baseUrl} ` +
      `(LOG_LEVEL ${process.env.LOG_LEVEL}, node ${process.version})`,
  );
  memory('after start');
  const next = random(42);
  const acme = keyOf('partner', 'acme-voice');
  const pacific = keyOf('partner', 'pacific-telecom');
  const customers: Customer[] = [
    { customerId: 'globex', partnerId: 'acme-voice', region: 'AMER', key: acme },
    { customerId: 'initech', partnerId: 'acme-voice', region: 'EU', key: acme },
    { customerId: 'umbrella-jp', partnerId: 'pacific-telecom', region: 'APJC', key: pacific },
    { customerId: 'wayne-au', partnerId: 'pacific-telecom', region: 'AUS', key: pacific },
  ];

  // Setup: PER_WINDOW changes in each weekday window from three weeks ahead (past every notice period),
  // asked for by earliestStart, in shuffled order so concurrent creates rarely share a window.
  const now = Date.now();
  const wanted: { customer: Customer; window: WindowView }[] = [];
  for (const [i, customer] of customers.entries()) {
    const share = Math.floor(CHANGES / customers.length) + (i < CHANGES % customers.length ? 1 : 0);
    const windows = await windowsOf(
      customer.region,
      'customer',
      now + 21 * DAY_MS,
      Math.ceil(share / PER_WINDOW),
    );
    for (let j = 0; j < share; j++) {
      wanted.push({ customer, window: windows[Math.floor(j / PER_WINDOW)] as WindowView });
    }
  }
  shuffle(wanted, next);
  const created = await phase(
    `setup  POST /v1/changes (ops, ${wanted.length} changes)`,
    wanted.map(({ customer, window }, index) => ({
      method: 'POST',
      path: '/changes',
      key: opsKey,
      body: {
        customerId: customer.customerId,
        partnerId: customer.partnerId,
        type: 'configuration',
        title: `Bench change ${index}`,
        disruptsCalling: true,
        earliestStart: window.start,
      },
    })),
    true,
  );
  const placed: Placed[] = [];
  for (const [index, result] of created.entries()) {
    if (result.status !== 201 || !result.body) continue;
    const { customer } = wanted[index] as (typeof wanted)[number];
    const window = result.body.window as WindowView;
    placed.push({
      changeId: result.body.changeId as string,
      customer,
      windowId: windowIdOf(customer.region, window),
      windowStart: window.start,
    });
  }
  await drainLifecycles('setup');
  memory('after setup');

  // (a) Reads: each request a partner reading one of its own changes.
  const readers = shuffle([...placed], next);
  await phase(
    '(a) GET /v1/changes/{id} (partner key, own changes)',
    Array.from({ length: GET_REQUESTS }, (_, index) => {
      const change = readers[index % readers.length] as Placed;
      return { method: 'GET', path: `/changes/${change.changeId}`, key: change.customer.key };
    }),
  );

  // (b) Reschedules: each change once, into a random window (weekends included) at least eight days
  // ahead, within 60 days of its own, not its own, and that this plan keeps within capacity.
  const used = new Map<string, number>();
  for (const change of placed) used.set(change.windowId, (used.get(change.windowId) ?? 0) + 1);
  const targetsByRegion = new Map<string, WindowView[]>();
  for (const { region } of customers) {
    targetsByRegion.set(region, await windowsOf(region, 'infrastructure', now + 8 * DAY_MS, 100));
  }
  const moves: Task[] = [];
  for (const change of shuffle([...placed], next)) {
    const region = change.customer.region;
    const latest = Date.parse(change.windowStart) + 60 * DAY_MS;
    const eligible = (targetsByRegion.get(region) ?? []).filter(
      (w) =>
        w.start !== change.windowStart &&
        Date.parse(w.start) <= latest &&
        (used.get(windowIdOf(region, w)) ?? 0) < CAPACITY,
    );
    const target = eligible[Math.floor(next() * eligible.length)];
    if (!target) continue;
    used.set(windowIdOf(region, target), (used.get(windowIdOf(region, target)) ?? 0) + 1);
    moves.push({
      method: 'POST',
      path: `/changes/${change.changeId}/reschedule`,
      key: change.customer.key,
      body: { requestedStart: target.start, reason: `bench move ${moves.length}` },
    });
  }
  await phase(
    `(b) POST /v1/changes/{id}/reschedule (partner key, ${moves.length} distinct changes, first time)`,
    moves,
  );
  await drainLifecycles('(b)');

  // (c) The same requests again: a change is rescheduled once, so each is refused.
  await phase('(c) POST /v1/changes/{id}/reschedule (the same changes again: refusals)', moves);
  memory('at the end');
} finally {
  await clients.terminate();
  await runtime.stop();
}
