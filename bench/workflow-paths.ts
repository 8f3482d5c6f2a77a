/**
 * How much of Step Functions and Lambda one change costs, measured on the real definition: the local
 * runtime (DynamoDB Local, the API, the lifecycle state machine extracted from the CDK app) on a frozen
 * clock, driven through three paths:
 *   planned      no answer: notice, confirmed at reply-by, reminder, start, complete
 *   rescheduled  the partner reschedules once, then reminder, start, complete
 *   emergency    `when: now`, complete
 * For each path it counts the state transitions (every `StateEntered` of the change's execution, from
 * the runtime's `traceWorkflow` lines) and the lifecycle Lambda invocations (one `lifecycle task` log
 * line per invocation of functions/workflow/lifecycle.ts, by action), and prices them at list price.
 *
 *   npx tsx bench/workflow-paths.ts
 *
 * Goal (issue): the common planned path in 20 transitions or fewer.
 *
 * Floor (issue 14): the theoretical minimum of a path. Each moment the lifecycle must act on (MOMENTS
 * below: send a notice, confirm, remind, start, announce the outcome) takes at least one state that acts;
 * between two moments at least one state that waits; and the end one more: 2 x moments transitions.
 * Lambda calls: at least one per moment (a wait could be a Wait state or a direct DynamoDB integration
 * storing the task token, with no Lambda). The table prints the figures as multiples of these floors.
 */
import { DateTime } from 'luxon';
import { type Runtime, startRuntime } from '#local/runtime.ts';
import { printLoad, recordFigure, times } from './support.ts';

/** The moments each path must act on: its floor. */
const MOMENTS = {
  planned: ['scheduled notice', 'confirmed at reply-by', 'reminder', 'start', 'outcome notice'],
  rescheduled: ['scheduled notice', 'rescheduled notice', 'reminder', 'start', 'outcome notice'],
  emergency: ['emergency notice and start', 'outcome notice'],
} as const;

/** Step Functions Standard, us-east-1 list price: $0.025 per 1,000 state transitions (free tier ignored). */
const USD_PER_TRANSITION = 0.025 / 1_000;
/** Lambda requests: $0.20 per 1M requests (duration/GB-seconds not included). */
const USD_PER_LAMBDA_REQUEST = 0.2 / 1_000_000;
const GOAL_PLANNED_TRANSITIONS = 20;

// ---- counting ----

/** changeId -> state name -> times entered. */
const entered = new Map<string, Map<string, number>>();
/** changeId -> lifecycle action -> invocations. */
const invoked = new Map<string, Map<string, number>>();

function bump(table: Map<string, Map<string, number>>, id: string, key: string): void {
  const row = table.get(id) ?? new Map<string, number>();
  row.set(key, (row.get(key) ?? 0) + 1);
  table.set(id, row);
}

const total = (row: Map<string, number> | undefined) => [...(row?.values() ?? [])].reduce((a, b) => a + b, 0);

// The runtime prints `[workflow] <execution>: <state>` for every StateEntered when traceWorkflow is on.
const TRACE = /^\[workflow\] (\S+): (.+)$/;
const originalLog = console.log.bind(console);
console.log = (...args: unknown[]) => {
  const match = typeof args[0] === 'string' && args.length === 1 ? TRACE.exec(args[0]) : null;
  if (match) bump(entered, match[1] as string, match[2] as string);
  else originalLog(...args);
};

// ---- driving the system ----

printLoad('start', 'workflow-paths');
const START = '2026-11-23T15:00:00Z';
const runtime: Runtime = await startRuntime({
  port: 0,
  clockStart: START,
  clockSpeed: 0,
  retryScale: 0.05,
  traceWorkflow: true,
  // The nightly scans would add their own changes and alerts while the clock jumps ahead.
  schedules: false,
});

// The lifecycle Lambda logs `lifecycle task` once per invocation; the runtime loaded the logger before
// us, so this import is the instance its handlers use.
const { logger } = await import('#commons/logger.ts');
const originalInfo = logger.info.bind(logger);
logger.info = ((message: unknown, ...rest: unknown[]) => {
  if (message === 'lifecycle task') {
    const attributes = rest[0] as { action?: string; changeId?: string } | undefined;
    if (attributes?.changeId && attributes.action) bump(invoked, attributes.changeId, attributes.action);
  }
  return (originalInfo as (...a: unknown[]) => void)(message, ...rest);
}) as typeof logger.info;

const keyOf = (match: (k: Runtime['keys'][number]) => boolean) => runtime.keys.find(match)?.key as string;
const OPS = keyOf((k) => k.role === 'ops');
const ACME = keyOf((k) => k.partnerId === 'acme-voice');
let apiCalls = 0;

const settle = () => runtime.workflow.idle({ timeoutMs: 60_000 });

interface Change {
  changeId: string;
  status: string;
  replyBy?: string;
  window: { start: string; end: string };
}

async function call<T = Change>(method: string, path: string, key: string, body?: unknown): Promise<T> {
  apiCalls += 1;
  const response = await fetch(`${runtime.baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  await settle();
  return JSON.parse(text) as T;
}

async function setClock(iso: string): Promise<void> {
  runtime.clock.set(iso);
  await settle();
}

const shift = (iso: string, by: { days?: number; hours?: number }) =>
  DateTime.fromISO(iso, { zone: 'utc' }).plus(by).toUTC().toISO({ suppressMilliseconds: true }) as string;
const now = () => runtime.clock.now().toUTC().toISO({ suppressMilliseconds: true }) as string;

const plannedBody = (title: string) => ({
  customerId: 'globex',
  partnerId: 'acme-voice',
  type: 'configuration',
  title,
  disruptsCalling: true,
});

/** Through the window of a confirmed (or rescheduled) change, then ops completes it. */
async function runWindowAndComplete(change: Change): Promise<void> {
  await setClock(shift(change.window.start, { hours: -24 }));
  await setClock(change.window.start);
  await setClock(shift(change.window.start, { hours: 3 }));
  await call('POST', `/changes/${change.changeId}/complete`, OPS, { outcome: 'succeeded' });
}

async function planned(): Promise<string> {
  const change = await call('POST', '/changes', OPS, plannedBody('Bench: planned'));
  await setClock(change.replyBy as string);
  await runWindowAndComplete(change);
  return change.changeId;
}

async function rescheduled(): Promise<string> {
  const change = await call('POST', '/changes', OPS, plannedBody('Bench: rescheduled'));
  await setClock(shift(now(), { days: 1 }));
  const { windows } = await call<{ windows: { start: string }[] }>(
    'GET',
    `/maintenance-windows?region=AMER&kind=customer&count=10&from=${encodeURIComponent(shift(change.window.start, { days: 7 }))}`,
    ACME,
  );
  const target = windows[0]?.start as string;
  const moved = await call('POST', `/changes/${change.changeId}/reschedule`, ACME, {
    requestedStart: target,
    reason: 'Bench: the customer is busy that week',
  });
  await runWindowAndComplete(moved);
  return change.changeId;
}

async function emergency(): Promise<string> {
  const change = await call('POST', '/changes/emergency', OPS, {
    customerId: 'globex',
    partnerId: 'acme-voice',
    reason: 'restore-service',
    customerImpact: 'Bench: inbound calls fail',
    title: 'Bench: emergency',
    when: 'now',
  });
  await setClock(shift(now(), { hours: 1 }));
  await call('POST', `/changes/${change.changeId}/complete`, OPS, { outcome: 'succeeded' });
  return change.changeId;
}

// ---- run and report ----

interface Row {
  path: string;
  changeId: string;
  apiCalls: number;
}

const rows: Row[] = [];
try {
  for (const [path, run] of [
    ['planned', planned],
    ['rescheduled', rescheduled],
    ['emergency', emergency],
  ] as const) {
    const before = apiCalls;
    const changeId = await run();
    const execution = runtime.workflow.describe(changeId);
    const stored = await call<Change>('GET', `/changes/${changeId}`, OPS);
    if (execution?.status !== 'SUCCEEDED' || stored.status !== 'COMPLETED') {
      throw new Error(
        `${path}: expected COMPLETED and SUCCEEDED, got ${stored.status} / ${execution?.status}`,
      );
    }
    rows.push({ path, changeId, apiCalls: apiCalls - before - 1 });
  }
} finally {
  await runtime.stop();
  console.log = originalLog;
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
const padEnd = (text: string | number, width: number) => String(text).padEnd(width);
const usd = (amount: number) => `$${amount.toFixed(4)}`;

console.log('Lifecycle cost per path (local runtime, real definition, frozen clock, retryScale 0.05)\n');
console.log(
  `${padEnd('path', 12)} ${pad('transitions', 11)} ${pad('floor', 5)} ${pad('x floor', 7)} ${pad('advance', 7)} ${pad('park', 4)} ${pad('record-*', 8)} ${pad('lambda', 6)} ${pad('floor', 5)} ${pad('x floor', 7)} ${pad('SFN $/1k', 9)} ${pad('λ req $/1k', 10)} ${pad('API calls', 9)}`,
);
for (const row of rows) {
  const states = entered.get(row.changeId);
  const actions = invoked.get(row.changeId);
  const transitions = total(states);
  const lambda = total(actions);
  const records =
    (actions?.get('record-notification-failure') ?? 0) + (actions?.get('record-lifecycle-failure') ?? 0);
  const moments = MOMENTS[row.path as keyof typeof MOMENTS].length;
  recordFigure({
    figure: `${row.path} path: state transitions`,
    value: transitions,
    unit: '',
    floor: `2 x ${moments} moments`,
    floorValue: 2 * moments,
    ...(row.path === 'planned'
      ? { goal: `<= ${GOAL_PLANNED_TRANSITIONS}`, met: transitions <= GOAL_PLANNED_TRANSITIONS }
      : {}),
  });
  recordFigure({
    figure: `${row.path} path: Lambda calls`,
    value: lambda,
    unit: '',
    floor: `${moments} moments`,
    floorValue: moments,
  });
  console.log(
    `${padEnd(row.path, 12)} ${pad(transitions, 11)} ${pad(2 * moments, 5)} ${pad(times(transitions, 2 * moments), 7)} ${pad(actions?.get('advance') ?? 0, 7)} ${pad(actions?.get('park') ?? 0, 4)} ${pad(records, 8)} ${pad(lambda, 6)} ${pad(moments, 5)} ${pad(times(lambda, moments), 7)} ${pad(usd(transitions * 1_000 * USD_PER_TRANSITION), 9)} ${pad(usd(lambda * 1_000 * USD_PER_LAMBDA_REQUEST), 10)} ${pad(row.apiCalls, 9)}`,
  );
}

console.log('\nStates entered per path:');
for (const row of rows) {
  const states = [...(entered.get(row.changeId) ?? new Map<string, number>())]
    .map(([state, count]) => `${count} x "${state}"`)
    .join(', ');
  console.log(`  ${padEnd(row.path, 12)} ${states}`);
}

const plannedTransitions = total(entered.get(rows[0]?.changeId ?? ''));
console.log(
  '\nPrices: Step Functions Standard $0.025 per 1,000 state transitions (us-east-1 list price, free tier ignored);',
);
console.log(
  '        Lambda $0.20 per 1M requests (duration not included). Columns "$/1k" = per 1,000 changes.',
);
console.log(
  "Transitions = StateEntered events of the change's execution (Choice and Succeed included, as AWS bills them);",
);
console.log(
  '        a Retry would add transitions AWS bills but no StateEntered here: compare advance invocations with',
);
console.log('        the "Do what the change needs now" entries (equal = no retries).');
console.log(
  'API calls = HTTP requests the path made (API Gateway + API Lambda + authorizer; not priced here).',
);
console.log(
  'Floors: 2 transitions and 1 Lambda call per moment the path must act on: ' +
    Object.entries(MOMENTS)
      .map(([path, moments]) => `${path} ${moments.length} (${moments.join(', ')})`)
      .join('; '),
);
console.log(
  `Goal: planned path <= ${GOAL_PLANNED_TRANSITIONS} transitions: ${plannedTransitions} -> ${plannedTransitions <= GOAL_PLANNED_TRANSITIONS ? 'met' : 'NOT met'}`,
);
printLoad('end', 'workflow-paths');
