/**
 * API latency through the local runtime (DynamoDB Local in memory, the real authorizer and handlers),
 * with 20 concurrent clients on localhost. Goal (from the issue): p99 under 50 ms at 20 clients.
 *
 *   npx tsx bench/api-latency.ts [changes=2000] [getRequests=4000] [clients=20]
 *
 * Phases, each a fixed number of requests shared by the clients (plain fetch loops):
 *   setup  POST /v1/changes            ops creates the changes, spread over the four regions' windows
 *   (a)    GET  /v1/changes/{id}        a partner reads its own changes
 *   (b)    POST /v1/changes/{id}/reschedule  each change moved once, into a window with room (all succeed)
 *   (c)    the same reschedules again   each refused 409 RESCHEDULE_LIMIT_REACHED (refusal latency)
 * Each prints count, throughput, p50/p90/p99/max latency and the status counts; then process memory.
 */
import { performance } from 'node:perf_hooks';

// Request logs would cost more than the requests; set LOG_LEVEL=INFO to measure with them.
process.env.LOG_LEVEL ??= 'WARN';

const { startRuntime } = await import('../local/runtime.ts');

const CHANGES = Number(process.argv[2] ?? 2000);
const GET_REQUESTS = Number(process.argv[3] ?? 4000);
const CLIENTS = Number(process.argv[4] ?? 20);
/** Changes per window when placing them: below the capacity of 25, so reschedules find room. */
const PER_WINDOW = 20;
const CAPACITY = 25;
const DAY_MS = 86_400_000;

interface Sample {
  ms: number;
  label: string;
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

const runtime = await startRuntime({ port: 0 });
const keyOf = (role: string, partnerId?: string) =>
  runtime.keys.find((k) => k.role === role && k.partnerId === partnerId)?.key as string;
const opsKey = keyOf('ops');

interface Answer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function call(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${runtime.baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, ms };
}

/** Runs `total` tasks with `CLIENTS` concurrent loops; each loop takes the next task index. */
async function phase(
  name: string,
  total: number,
  task: (index: number) => Promise<Answer>,
  onAnswer?: (index: number, answer: Answer) => void,
): Promise<void> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < total; index = next++) {
        let answer: Answer;
        try {
          answer = await task(index);
        } catch (error) {
          samples.push({ ms: Number.NaN, label: `network error ${(error as Error).message}` });
          continue;
        }
        const code = typeof answer.body.error === 'string' ? ` ${answer.body.error}` : '';
        samples.push({ ms: answer.ms, label: `${answer.status}${code}` });
        onAnswer?.(index, answer);
      }
    }),
  );
  report(name, samples, performance.now() - started);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function report(name: string, samples: Sample[], elapsedMs: number): void {
  const latencies = samples
    .map((s) => s.ms)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.label] = (statuses[s.label] ?? 0) + 1;
  const byLabel = new Map<string, number[]>();
  for (const s of samples)
    if (Number.isFinite(s.ms)) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s.ms]);
  const f = (ms: number) => ms.toFixed(1);
  const p99 = percentile(latencies, 99);
  console.log(`\n${name}`);
  console.log(
    `  count ${samples.length}  clients ${CLIENTS}  elapsed ${(elapsedMs / 1000).toFixed(2)} s  ` +
      `throughput ${((samples.length / elapsedMs) * 1000).toFixed(0)} req/s`,
  );
  console.log(
    `  latency ms  p50 ${f(percentile(latencies, 50))}  p90 ${f(percentile(latencies, 90))}  ` +
      `p99 ${f(p99)}  max ${f(latencies.at(-1) ?? Number.NaN)}  ` +
      `(goal p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'})`,
  );
  console.log(`  statuses ${JSON.stringify(statuses)}`);
  if (byLabel.size > 1) {
    for (const [label, values] of byLabel) {
      values.sort((a, b) => a - b);
      console.log(
        `    ${label}: p50 ${f(percentile(values, 50))}  p99 ${f(percentile(values, 99))}  max ${f(values.at(-1) as number)}`,
      );
    }
  }
}

function memory(when: string): void {
  const m = process.memoryUsage();
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`\nmemory ${when}: rss ${mb(m.rss)}  heapUsed ${mb(m.heapUsed)}  heapTotal ${mb(m.heapTotal)}`);
}

async function windowsOf(region: string, kind: string, from: number, count: number): Promise<WindowView[]> {
  const path =
    `/maintenance-windows?region=${region}&kind=${kind}&count=${count}` +
    `&from=${encodeURIComponent(new Date(from).toISOString())}`;
  const answer = await call('GET', path, opsKey);
  if (answer.status !== 200)
    throw new Error(`windows of ${region}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.windows as WindowView[];
}

const windowIdOf = (region: string, window: WindowView) => `${region}#${window.localStart.slice(0, 10)}`;

try {
  console.log(
    `api-latency: ${CHANGES} changes, ${GET_REQUESTS} reads, ${CLIENTS} clients, ${runtime.baseUrl} ` +
      `(LOG_LEVEL ${process.env.LOG_LEVEL}, node ${process.version})`,
  );
  memory('after start');
  const next = random(42);
  const customers: Customer[] = [
    { customerId: 'globex', partnerId: 'acme-voice', region: 'AMER', key: keyOf('partner', 'acme-voice') },
    { customerId: 'initech', partnerId: 'acme-voice', region: 'EU', key: keyOf('partner', 'acme-voice') },
    {
      customerId: 'umbrella-jp',
      partnerId: 'pacific-telecom',
      region: 'APJC',
      key: keyOf('partner', 'pacific-telecom'),
    },
    {
      customerId: 'wayne-au',
      partnerId: 'pacific-telecom',
      region: 'AUS',
      key: keyOf('partner', 'pacific-telecom'),
    },
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
    for (let j = 0; j < share; j++)
      wanted.push({ customer, window: windows[Math.floor(j / PER_WINDOW)] as WindowView });
  }
  shuffle(wanted, next);
  const placed: Placed[] = [];
  await phase(
    `setup  POST /v1/changes (ops, ${wanted.length} changes)`,
    wanted.length,
    (index) => {
      const { customer, window } = wanted[index] as (typeof wanted)[number];
      return call('POST', '/changes', opsKey, {
        customerId: customer.customerId,
        partnerId: customer.partnerId,
        type: 'configuration',
        title: `Bench change ${index}`,
        disruptsCalling: true,
        earliestStart: window.start,
      });
    },
    (index, answer) => {
      if (answer.status !== 201) return;
      const { customer } = wanted[index] as (typeof wanted)[number];
      const window = answer.body.window as WindowView;
      placed.push({
        changeId: answer.body.changeId as string,
        customer,
        windowId: windowIdOf(customer.region, window),
        windowStart: window.start,
      });
    },
  );
  memory('after setup');

  // (a) Reads: each request a partner reading one of its own changes.
  const readers = shuffle([...placed], next);
  await phase(`(a) GET /v1/changes/{id} (partner key, own changes)`, GET_REQUESTS, (index) => {
    const change = readers[index % readers.length] as Placed;
    return call('GET', `/changes/${change.changeId}`, change.customer.key);
  });

  // (b) Reschedules: each change once, into a random window (weekends included) that is at least
  // eight days ahead, within 60 days of its own, not its own, and that this plan keeps under capacity.
  const used = new Map<string, number>();
  for (const change of placed) used.set(change.windowId, (used.get(change.windowId) ?? 0) + 1);
  const targetsByRegion = new Map<string, WindowView[]>();
  for (const customer of customers) {
    if (!targetsByRegion.has(customer.region)) {
      targetsByRegion.set(
        customer.region,
        await windowsOf(customer.region, 'infrastructure', now + 8 * DAY_MS, 100),
      );
    }
  }
  const moves: { change: Placed; requestedStart: string }[] = [];
  for (const change of shuffle([...placed], next)) {
    const latest = Date.parse(change.windowStart) + 60 * DAY_MS;
    const region = change.customer.region;
    const eligible = (targetsByRegion.get(region) ?? []).filter(
      (w) =>
        w.start !== change.windowStart &&
        Date.parse(w.start) <= latest &&
        (used.get(windowIdOf(region, w)) ?? 0) < CAPACITY,
    );
    const target = eligible[Math.floor(next() * eligible.length)];
    if (!target) continue;
    used.set(windowIdOf(region, target), (used.get(windowIdOf(region, target)) ?? 0) + 1);
    moves.push({ change, requestedStart: target.start });
  }
  await phase(
    `(b) POST /v1/changes/{id}/reschedule (partner key, ${moves.length} distinct changes, first time)`,
    moves.length,
    (index) => {
      const { change, requestedStart } = moves[index] as (typeof moves)[number];
      return call('POST', `/changes/${change.changeId}/reschedule`, change.customer.key, {
        requestedStart,
        reason: `bench move ${index}`,
      });
    },
  );

  // (c) The same requests again: a change is rescheduled once, so each is refused.
  await phase(
    `(c) POST /v1/changes/{id}/reschedule (same changes again: refusals)`,
    moves.length,
    (index) => {
      const { change, requestedStart } = moves[index] as (typeof moves)[number];
      return call('POST', `/changes/${change.changeId}/reschedule`, change.customer.key, {
        requestedStart,
        reason: `bench move again ${index}`,
      });
    },
  );
  memory('at the end');
} finally {
  await runtime.stop();
}
