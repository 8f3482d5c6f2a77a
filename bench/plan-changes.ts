/**
 * Plans 10,000 changes across the four regions with mixed types and disruptiveness, notice instants spread
 * over 2026-2027, and capacity counters that fill up as the plans land. Goal: well under one second.
 *
 *   npx tsx bench/plan-changes.ts [count]
 *
 * Floor (issue 14), measured in the same run: the raw calendar walk each plan cannot do without, from the
 * notice instant (read in the region's zone) through the region's windows of the change's kind up to the
 * window the planner chose (or as far as it searched, for a refusal), with no rule applied: no notice
 * periods, business days, capacity or reply-by. The ratio is what the rules cost on top of the calendar.
 */
import { DateTime } from 'luxon';
import { type LocalDate, localDateOf, plusDays, windowOn } from '#core/calendar.ts';
import { type PlanRequest, planChange, windowKindFor } from '#core/planning.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { CHANGE_TYPES, REGIONS } from '#core/vocabulary.ts';
import { printLoad, random, recordFigure } from './support.ts';

const count = Number(process.argv[2] ?? 10_000);
const policy = DEFAULT_POLICY;

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

function run(batch: PlanRequest[]): {
  planned: number;
  refused: number;
  fullWindows: number;
  /** Per request, the start (ms) of the window the plan took, or the end of the search horizon. */
  reached: number[];
} {
  const counts = new Map<string, number>();
  const capacityUsed = (id: string) => counts.get(id) ?? 0;
  let planned = 0;
  let refused = 0;
  const reached: number[] = [];
  for (const request of batch) {
    const result = planChange(policy, request, capacityUsed);
    if (result.ok) {
      planned++;
      const id = result.plan.window.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      reached.push(result.plan.window.start.toMillis());
    } else {
      refused++;
      reached.push(
        DateTime.fromISO(request.noticeSentAt as string)
          .plus({ days: policy.windows.searchHorizonDays })
          .toMillis(),
      );
    }
  }
  let fullWindows = 0;
  for (const used of counts.values()) if (used >= policy.windows.capacity) fullWindows++;
  return { planned, refused, fullWindows, reached };
}

const nextDates = new Map<LocalDate, LocalDate>();
/** The next local date, memoised as the planner memoises it. */
function nextDate(date: LocalDate): LocalDate {
  let next = nextDates.get(date);
  if (next === undefined) {
    next = plusDays(date, 1);
    nextDates.set(date, next);
  }
  return next;
}

/**
 * The floor: each request's notice instant read in its region's zone, then the region's calendar walked
 * day by day (the windows are memoised, as in planning) up to the window its plan took, or as far as it
 * searched for a refusal.
 */
function walk(batch: PlanRequest[], reached: number[]): number {
  let days = 0;
  batch.forEach((request, index) => {
    const until = reached[index] as number;
    const customerOnly = windowKindFor(request.type) === 'customer';
    for (let date = localDateOf(policy, request.region, request.noticeSentAt); ; date = nextDate(date)) {
      days++;
      const window = windowOn(policy, request.region, date);
      if (window && (!customerOnly || window.customer) && window.start.toMillis() >= until) break;
    }
  });
  return days;
}

printLoad('start', 'plan-changes');
// Warm up: the first calls load the holiday tables and let the JIT settle. Other instants than the measured
// batch, so the measured run does not just read memoised answers for the same dates.
const warmUp = requests(2_000, 7);
walk(warmUp, run(warmUp).reached);

const batch = requests(count, 42);
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const { planned, refused, fullWindows, reached } = run(batch);
const elapsed = performance.now() - started;
const heapDelta = (process.memoryUsage().heapUsed - heapBefore) / (1024 * 1024);
const floorStarted = performance.now();
const walked = walk(batch, reached);
const floor = performance.now() - floorStarted;

console.log(
  `plan-changes: ${count} plans in ${Math.round(elapsed)} ms (${Math.round((count / elapsed) * 1000)} plans/s), ` +
    `heap used ${heapDelta >= 0 ? '+' : ''}${Math.round(heapDelta)} MB ` +
    `[${planned} planned, ${refused} refused, ${fullWindows} windows filled to capacity]`,
);
console.log(
  `floor: the calendar walk alone (${walked} days walked from the notice instants to the windows taken) ` +
    `in ${Math.round(floor)} ms; planning is ${(elapsed / floor).toFixed(2)}x its floor`,
);
recordFigure({
  figure: `${count} plans`,
  value: elapsed,
  unit: 'ms',
  floor: 'calendar walk alone',
  floorValue: floor,
  goal: '< 1000 ms',
  met: elapsed < 1000,
});
printLoad('end', 'plan-changes');
if (elapsed >= 1000) process.exitCode = 1;
