/**
 * Planning a change into a maintenance window (rules sections 1, 3, 4 and 6).
 *
 * A planned change goes into the EARLIEST window of its kind that
 * - starts no earlier than `earliestStart` (default: when the notice goes out),
 * - respects the notice: a disruptive change's window starts on a local date on or after
 *   `addBusinessDays(noticeSentAt, 10)`; a non-disruptive one starts at least 24 hours after the notice,
 * - for a certificate renewal, starts between 7 and 3 days before the certificate expires,
 * - still has capacity (full windows are skipped).
 *
 * The search jumps straight to the first local date any window could satisfy every lower bound, and walks
 * day by day only from there: planning runs thousands of times in a batch, so every bound is turned into
 * a local date and an instant (milliseconds) once, before the loop.
 */
import { DateTime } from 'luxon';
import {
  addBusinessDays,
  addBusinessDaysToDate,
  describeInstant,
  inRegion,
  type LocalDate,
  type MaintenanceWindow,
  plusDays,
  windowOn,
  zoneOf,
} from './calendar.ts';
import { hasRoom } from './capacity.ts';
import { type Refusal, refuse } from './errors.ts';
import type { Policy } from './policy.ts';
import type { ChangeType, Region, WindowKind } from './vocabulary.ts';

export interface PlanRequest {
  region: Region;
  type: ChangeType;
  disruptsCalling: boolean;
  /** When the change is scheduled and the notice goes out (= now). */
  noticeSentAt: DateTime | string;
  /** The window starts no earlier than this; default: `noticeSentAt`. */
  earliestStart?: DateTime | string;
  /** Required for `certificate-renewal`. */
  certificateExpiresAt?: DateTime | string;
  /** Urgent planned changes (severe vulnerability fixes, expiring certificates) cannot be rescheduled. */
  urgent?: boolean;
}

/** How many changes are already planned in a window, by window id. */
export type CapacityUsed = (windowId: string) => number;

export interface Plan {
  window: MaintenanceWindow;
  noticeSentAt: DateTime;
  /** The partner answers by then, or the change is confirmed. */
  replyBy: DateTime;
  /** A reschedule request must arrive no later than this. */
  rescheduleCutoff: DateTime;
  reschedulesRemaining: number;
}

export type PlanRefusal = Refusal<'NO_ELIGIBLE_WINDOW' | 'VALIDATION_FAILED'>;
export type PlanResult = { ok: true; plan: Plan } | PlanRefusal;

/** Provider infrastructure work may use weekend windows; every other change touches customers. */
export function windowKindFor(type: ChangeType): WindowKind {
  return type === 'infrastructure' ? 'infrastructure' : 'customer';
}

/**
 * A lower bound on the window's start: a local date the search may begin on (for a bound that is an
 * instant, a date on or before that instant's local date), the instant itself (or -Infinity for a bound
 * on the date only), and a phrase saying where it comes from.
 */
interface LowerBound {
  readonly date: LocalDate;
  readonly millis: number;
  /** Only built when a refusal needs it: formatting dates is the slowest thing planning could do. */
  readonly why: () => string;
}

/**
 * Parses an instant of a request in the region's zone. A string without an offset or zone is refused:
 * it would otherwise be read in the machine's zone.
 */
export function parseInstant(
  policy: Policy,
  region: Region,
  value: DateTime | string,
): { ok: true; value: DateTime } | { ok: false } {
  if (typeof value === 'string' && !/T.*(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim())) return { ok: false };
  try {
    return { ok: true, value: inRegion(policy, region, value) };
  } catch {
    return { ok: false };
  }
}

const nextDates = new Map<LocalDate, LocalDate>();

/** The next local date, memoised: the search steps through the same few hundred dates again and again. */
function nextDate(date: LocalDate): LocalDate {
  const known = nextDates.get(date);
  if (known !== undefined) return known;
  if (nextDates.size >= 100_000) nextDates.clear();
  const next = plusDays(date, 1);
  nextDates.set(date, next);
  return next;
}

/** Where a bound puts the earliest start, as an instant (only for messages: it may build DateTimes). */
function effectiveMillis(zone: string, bound: LowerBound): number {
  return Math.max(bound.millis, DateTime.fromISO(bound.date, { zone }).toMillis());
}

/** The bound that pushes the window latest. */
function bindingBound(zone: string, bounds: readonly LowerBound[]): LowerBound {
  return bounds.reduce((a, b) => (effectiveMillis(zone, b) > effectiveMillis(zone, a) ? b : a));
}

const cutoffs = new WeakMap<MaintenanceWindow, DateTime>();

/**
 * `window.start - cutoffHours` (real hours, so 168 h across a DST change), memoised per window: windows
 * are memoised per policy, and thousands of plans land in the same few hundred windows.
 */
export function rescheduleCutoffOf(policy: Policy, window: MaintenanceWindow): DateTime {
  let cutoff = cutoffs.get(window);
  if (cutoff === undefined) {
    cutoff = window.start.minus({ hours: policy.reschedule.cutoffHours });
    cutoffs.set(window, cutoff);
  }
  return cutoff;
}

function validationFailed(message: string): PlanRefusal {
  return refuse('VALIDATION_FAILED', 400, message);
}

/** Plans a change into the earliest eligible window with capacity, or says why there is none. */
export function planChange(policy: Policy, request: PlanRequest, capacityUsed: CapacityUsed): PlanResult {
  const { region, type } = request;
  const zone = zoneOf(policy, region);
  const kind = windowKindFor(type);
  const kindName = kind === 'customer' ? 'customer (weekday)' : 'infrastructure';
  const capacity = policy.windows.capacity;

  const notice = parseInstant(policy, region, request.noticeSentAt);
  if (!notice.ok) return validationFailed('noticeSentAt must be an ISO-8601 instant with an offset.');
  const noticeSentAt = notice.value;
  const noticeDate = noticeSentAt.toISODate() as LocalDate;

  // The window never starts before the notice goes out, whatever earliestStart says.
  const bounds: LowerBound[] = [
    {
      date: noticeDate,
      millis: noticeSentAt.toMillis(),
      why: () => `the notice goes out ${describeInstant(noticeSentAt)}`,
    },
  ];

  if (request.disruptsCalling) {
    const days = policy.notice.disruptiveBusinessDays;
    const date = addBusinessDaysToDate(policy, region, noticeDate, days);
    bounds.push({
      date,
      millis: Number.NEGATIVE_INFINITY,
      why: () => `notice of ${days} business days from ${describeInstant(noticeSentAt)} reaches ${date}`,
    });
  } else {
    // Real hours: computed on the UTC clock, where luxon needs no zone rules (the same instant either way).
    const hours = policy.notice.nonDisruptiveMinHours;
    const millis = noticeSentAt.toUTC().plus({ hours }).toMillis();
    bounds.push({
      date: noticeDate,
      millis,
      why: () =>
        `a non-disruptive change starts at least ${hours} hours after the notice, so no earlier than ` +
        describeInstant(DateTime.fromMillis(millis, { zone })),
    });
  }

  if (request.earliestStart !== undefined) {
    const parsed = parseInstant(policy, region, request.earliestStart);
    if (!parsed.ok) return validationFailed('earliestStart must be an ISO-8601 instant with an offset.');
    const earliest = parsed.value;
    bounds.push({
      date: earliest.toISODate() as LocalDate,
      millis: earliest.toMillis(),
      why: () => `the requested earliest start is ${describeInstant(earliest)}`,
    });
  }

  // Certificate renewals: expiresAt - maxDays <= window.start <= expiresAt - minDays (calendar days, local).
  let latestMillis = Number.POSITIVE_INFINITY;
  let certificateRange: (() => string) | null = null;
  let certificateBound: LowerBound | null = null;
  if (type === 'certificate-renewal') {
    if (request.certificateExpiresAt === undefined) {
      return validationFailed(
        'A certificate-renewal needs certificateExpiresAt, the instant the certificate expires.',
      );
    }
    const parsed = parseInstant(policy, region, request.certificateExpiresAt);
    if (!parsed.ok)
      return validationFailed('certificateExpiresAt must be an ISO-8601 instant with an offset.');
    const expiresAt = parsed.value;
    const { minDaysBeforeExpiry, maxDaysBeforeExpiry } = policy.certificate;
    const first = expiresAt.minus({ days: maxDaysBeforeExpiry });
    const last = expiresAt.minus({ days: minDaysBeforeExpiry });
    latestMillis = last.toMillis();
    certificateRange = () =>
      `the certificate expires ${describeInstant(expiresAt)}, so its renewal window must start between ` +
      `${describeInstant(first)} and ${describeInstant(last)}`;
    certificateBound = {
      date: first.toISODate() as LocalDate,
      millis: first.toMillis(),
      why: () => `${maxDaysBeforeExpiry} days before the certificate expires is ${describeInstant(first)}`,
    };
    bounds.push(certificateBound);
  }

  let firstDate = noticeDate;
  let lowerMillis = Number.NEGATIVE_INFINITY;
  for (const bound of bounds) {
    if (bound.date > firstDate) firstDate = bound.date;
    if (bound.millis > lowerMillis) lowerMillis = bound.millis;
  }

  const horizonDate = plusDays(noticeDate, policy.windows.searchHorizonDays);
  let candidates = 0;
  let firstCandidate: MaintenanceWindow | null = null;
  let lastCandidate: MaintenanceWindow | null = null;
  for (let date = firstDate; date <= horizonDate; date = nextDate(date)) {
    const window = windowOn(policy, region, date);
    if (window === null || (kind === 'customer' && !window.customer)) continue;
    const startMillis = window.start.toMillis();
    if (startMillis < lowerMillis) continue;
    if (startMillis > latestMillis) break;
    candidates++;
    firstCandidate ??= window;
    lastCandidate = window;
    if (!hasRoom(policy, capacityUsed(window.id))) continue;
    return {
      ok: true,
      plan: {
        window,
        noticeSentAt,
        replyBy: addBusinessDays(policy, region, noticeSentAt, policy.notice.replyBusinessDays),
        rescheduleCutoff: rescheduleCutoffOf(policy, window),
        reschedulesRemaining: request.urgent ? 0 : policy.reschedule.maxCount,
      },
    };
  }

  // Why there is no window, most specific reason first.
  const capacityNote = `(${capacity} changes per window)`;
  if (firstCandidate && lastCandidate) {
    const span =
      firstCandidate === lastCandidate
        ? `the only eligible ${kindName} window, starting ${describeInstant(firstCandidate.start)}, is full`
        : `all ${candidates} eligible ${kindName} windows from ${describeInstant(firstCandidate.start)} ` +
          `to ${describeInstant(lastCandidate.start)} are full`;
    const context = certificateRange
      ? `${certificateRange()}, and `
      : `searching up to ${horizonDate}, ${policy.windows.searchHorizonDays} days after the notice, `;
    return refuse('NO_ELIGIBLE_WINDOW', 422, `No window has capacity: ${context}${span} ${capacityNote}.`);
  }
  const binding = bindingBound(zone, bounds);
  if (certificateRange) {
    // Either another rule pushed the start past the range, or no window of the kind starts inside it.
    const why =
      binding !== certificateBound ? `but ${binding.why()}` : `and no ${kindName} window starts then`;
    return refuse(
      'NO_ELIGIBLE_WINDOW',
      422,
      `No ${kindName} window can renew the certificate in time: ${certificateRange()}, ${why}.`,
    );
  }
  return refuse(
    'NO_ELIGIBLE_WINDOW',
    422,
    `No ${kindName} window starts within the planning horizon of ${policy.windows.searchHorizonDays} days ` +
      `after the notice (up to ${horizonDate}): ${binding.why()}.`,
  );
}

/**
 * Whether a window still respects the notice rule (and starts no earlier than the notice) when the
 * notice goes out at `noticeAt`: a disruptive change's window starts on a local date on or after
 * `addBusinessDays(noticeAt, 10)`; a non-disruptive one at least 24 hours after it.
 */
export function noticeRuleHolds(
  policy: Policy,
  change: { region: Region; disruptsCalling: boolean; window: { start: string } },
  noticeAt: DateTime,
): boolean {
  const start = DateTime.fromISO(change.window.start, { zone: 'utc' });
  if (start < noticeAt) return false;
  if (!change.disruptsCalling) return start >= noticeAt.plus({ hours: policy.notice.nonDisruptiveMinHours });
  const zone = zoneOf(policy, change.region);
  const noticeDate = noticeAt.setZone(zone).toISODate() as LocalDate;
  const earliest = addBusinessDaysToDate(
    policy,
    change.region,
    noticeDate,
    policy.notice.disruptiveBusinessDays,
  );
  return (start.setZone(zone).toISODate() as LocalDate) >= earliest;
}
