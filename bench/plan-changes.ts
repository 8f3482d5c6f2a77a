/**
 * Plans 10,000 changes across the four regions with mixed types and disruptiveness, notice instants spread
 * over 2026-2027, and capacity counters that fill up as the plans land. Goal: well under one second.
 *
 *   npx tsx bench/plan-changes.ts [count]
 */
import { DateTime } from 'luxon';
import { type PlanRequest, planChange } from '#core/planning.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { CHANGE_TYPES, REGIONS } from '#core/vocabulary.ts';

const count = Number(process.argv[2] ?? 10_000);
const policy = DEFAULT_POLICY;

/** A small deterministic generator (mulberry32), so every run plans the same changes. */
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

const WEEK = 7 * 24 * 3600_000;
const BUSY_WEEKS = ['2026-02-02', '2026-06-15', '2026-11-16', '2027-09-06'].map((date) =>
  DateTime.fromISO(date, { zone: 'UTC' }).toMillis(),
);

function requests(n: number, seed: number): PlanRequest[] {
  const next = random(seed);
  const from = DateTime.fromISO('2026-01-01T00:00:00Z').toMillis();
  const span = DateTime.fromISO('2028-01-01T00:00:00Z').toMillis() - from;
  const result: PlanRequest[] = [];
  for (let i = 0; i < n; i++) {
    const region = REGIONS[Math.floor(next() * REGIONS.length)] ?? 'AMER';
    const type = CHANGE_TYPES[Math.floor(next() * CHANGE_TYPES.length)] ?? 'upgrade';
    // Instants come as ISO strings, as they do from the API. Most are spread over the two years; 30% fall in
    // four busy weeks, so windows there fill up and the planner has to skip full ones.
    const at =
      next() < 0.3
        ? (BUSY_WEEKS[Math.floor(next() * BUSY_WEEKS.length)] ?? from) + Math.floor(next() * WEEK)
        : from + Math.floor(next() * span);
    const notice = DateTime.fromMillis(at, { zone: 'UTC' }).startOf('minute');
    const request: PlanRequest = {
      region,
      type,
      disruptsCalling: next() < 0.6,
      noticeSentAt: notice.toISO() as string,
      urgent: next() < 0.1,
    };
    if (type === 'certificate-renewal') {
      request.certificateExpiresAt = notice.plus({ days: 14 + Math.floor(next() * 30) }).toISO() as string;
    }
    if (next() < 0.2)
      request.earliestStart = notice.plus({ days: Math.floor(next() * 40) }).toISO() as string;
    result.push(request);
  }
  return result;
}

function run(batch: PlanRequest[]): { planned: number; refused: number; fullWindows: number } {
  const counts = new Map<string, number>();
  const capacityUsed = (id: string) => counts.get(id) ?? 0;
  let planned = 0;
  let refused = 0;
  for (const request of batch) {
    const result = planChange(policy, request, capacityUsed);
    if (result.ok) {
      planned++;
      const id = result.plan.window.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    } else {
      refused++;
    }
  }
  let fullWindows = 0;
  for (const used of counts.values()) if (used >= policy.windows.capacity) fullWindows++;
  return { planned, refused, fullWindows };
}

// Warm up: the first calls load the holiday tables and let the JIT settle. Other instants than the measured
// batch, so the measured run does not just read memoised answers for the same dates.
run(requests(2_000, 7));

const batch = requests(count, 42);
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const { planned, refused, fullWindows } = run(batch);
const elapsed = performance.now() - started;
const heapDelta = (process.memoryUsage().heapUsed - heapBefore) / (1024 * 1024);

console.log(
  `plan-changes: ${count} plans in ${Math.round(elapsed)} ms (${Math.round((count / elapsed) * 1000)} plans/s), ` +
    `heap used ${heapDelta >= 0 ? '+' : ''}${Math.round(heapDelta)} MB ` +
    `[${planned} planned, ${refused} refused, ${fullWindows} windows filled to capacity]`,
);
if (elapsed >= 1000) process.exitCode = 1;
