import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type PlanRequest, planChange } from '#core/planning.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { CHANGE_TYPES, type ChangeType, REGIONS, type Region } from '#core/vocabulary.ts';

// An independent oracle: the rules of rules.md applied by brute force, walking every local date from the
// notice, with luxon and date-holidays directly (not through the calendar module under test).

const ZONES: Record<Region, string> = {
  AMER: 'America/New_York',
  APJC: 'Asia/Tokyo',
  AUS: 'Australia/Sydney',
  EU: 'Europe/Berlin',
};
const HOLIDAY_SOURCES: Record<Region, Holidays> = {
  AMER: new Holidays('US'),
  APJC: new Holidays('JP'),
  AUS: new Holidays('AU', 'ACT'),
  EU: new Holidays('DE'),
};
const CAPACITY = 25;
const HORIZON_DAYS = 400;

const holidayCache = new Map<string, Set<string>>();
function holidays(region: Region, year: number): Set<string> {
  const key = `${region}#${year}`;
  let set = holidayCache.get(key);
  if (!set) {
    set = new Set(
      HOLIDAY_SOURCES[region]
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    holidayCache.set(key, set);
  }
  return set;
}

/** A calendar date (zone-free, at UTC midnight) stepped one day at a time. */
function oracleAddBusinessDays(region: Region, localDate: string, n: number): string {
  let day = DateTime.fromISO(localDate, { zone: 'UTC' });
  let counted = 0;
  while (counted < n) {
    day = day.plus({ days: 1 });
    const iso = day.toISODate() as string;
    if (day.weekday <= 5 && !holidays(region, day.year).has(iso)) counted++;
  }
  return day.toISODate() as string;
}

interface OracleWindow {
  id: string;
  localDate: string;
  start: DateTime;
}

function oracleEarliestWindow(
  request: PlanRequest,
  capacityUsed: (id: string) => number,
): OracleWindow | null {
  const zone = ZONES[request.region];
  const notice = DateTime.fromISO(request.noticeSentAt as string).setZone(zone);
  const noticeDate = DateTime.fromISO(notice.toISODate() as string, { zone: 'UTC' });
  const minDate = request.disruptsCalling
    ? oracleAddBusinessDays(request.region, notice.toISODate() as string, 10)
    : (notice.toISODate() as string);
  let minStart = notice;
  if (!request.disruptsCalling && notice.plus({ hours: 24 }) > minStart)
    minStart = notice.plus({ hours: 24 });
  if (request.earliestStart) {
    const earliest = DateTime.fromISO(request.earliestStart as string);
    if (earliest > minStart) minStart = earliest;
  }
  let lo: DateTime | null = null;
  let hi: DateTime | null = null;
  if (request.type === 'certificate-renewal') {
    const expires = DateTime.fromISO(request.certificateExpiresAt as string).setZone(zone);
    lo = expires.minus({ days: 7 });
    hi = expires.minus({ days: 3 });
  }
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    const day = noticeDate.plus({ days: i });
    const localDate = day.toISODate() as string;
    if (request.type !== 'infrastructure' && day.weekday > 5) continue;
    const start = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: 21 }, { zone });
    if (localDate < minDate || start < minStart) continue;
    if (lo && start < lo) continue;
    if (hi && start > hi) return null;
    const id = `${request.region}#${localDate}`;
    if (capacityUsed(id) >= CAPACITY) continue;
    return { id, localDate, start };
  }
  return null;
}

const instant = (min: string, max: string) =>
  fc
    .date({ min: new Date(min), max: new Date(max), noInvalidDate: true })
    .map((date) => DateTime.fromJSDate(date, { zone: 'UTC' }).startOf('minute'));

const planRequest = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    type: fc.constantFrom(...CHANGE_TYPES),
    disruptsCalling: fc.boolean(),
    notice: instant('2026-01-01T00:00:00Z', '2028-12-31T23:59:00Z'),
    earliestAfterMinutes: fc.option(fc.integer({ min: 0, max: 40 * 24 * 60 }), { nil: undefined }),
    expiresAfterHours: fc.integer({ min: 0, max: 60 * 24 }),
    urgent: fc.boolean(),
  })
  .map(
    ({
      region,
      type,
      disruptsCalling,
      notice,
      earliestAfterMinutes,
      expiresAfterHours,
      urgent,
    }): PlanRequest => {
      const request: PlanRequest = {
        region,
        type: type as ChangeType,
        disruptsCalling,
        noticeSentAt: notice.toISO() as string,
        urgent,
      };
      if (earliestAfterMinutes !== undefined) {
        request.earliestStart = notice.plus({ minutes: earliestAfterMinutes }).toISO() as string;
      }
      if (type === 'certificate-renewal') {
        request.certificateExpiresAt = notice.plus({ hours: expiresAfterHours }).toISO() as string;
      }
      return request;
    },
  );

/** Deterministic per window id: about a third of the windows are full, some nearly full. */
const capacityFunction = fc.func(fc.constantFrom(0, 0, 3, 24, 25, 25, 40));

describe('planChange properties', () => {
  it('picks exactly the earliest window that a brute-force walk of every window finds eligible', () => {
    fc.assert(
      fc.property(planRequest, capacityFunction, (request, capacityUsed) => {
        const expected = oracleEarliestWindow(request, capacityUsed);

        const result = planChange(DEFAULT_POLICY, request, capacityUsed);

        if (expected === null) {
          expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
          return;
        }
        if (!result.ok) throw new Error(`expected ${expected.id}, got ${result.code}: ${result.message}`);
        expect(result.plan.window.id).toBe(expected.id);
        expect(result.plan.window.start.toMillis()).toBe(expected.start.toMillis());
      }),
      { numRuns: 400 },
    );
  });

  it('never plans a disruptive change before the 10th business day, into a full window, or a customer change on a weekend', () => {
    fc.assert(
      fc.property(planRequest, capacityFunction, (request, capacityUsed) => {
        const result = planChange(DEFAULT_POLICY, request, capacityUsed);
        if (!result.ok) return;
        const { window, rescheduleCutoff, reschedulesRemaining } = result.plan;
        const zone = ZONES[request.region];
        const notice = DateTime.fromISO(request.noticeSentAt as string).setZone(zone);
        const localStart = window.start.setZone(zone);

        if (request.disruptsCalling) {
          const tenthBusinessDay = oracleAddBusinessDays(request.region, notice.toISODate() as string, 10);
          expect((localStart.toISODate() as string) >= tenthBusinessDay).toBe(true);
        } else {
          expect(window.start.toMillis()).toBeGreaterThanOrEqual(notice.toMillis() + 24 * 3600_000);
        }
        expect(capacityUsed(window.id)).toBeLessThan(CAPACITY);
        if (request.type !== 'infrastructure') expect(localStart.weekday).toBeLessThanOrEqual(5);
        expect(localStart.hour).toBe(21);
        expect(localStart.minute).toBe(0);
        expect(window.start.toMillis() - rescheduleCutoff.toMillis()).toBe(168 * 3600_000);
        expect(reschedulesRemaining).toBe(request.urgent ? 0 : 1);
      }),
      { numRuns: 400 },
    );
  });
});
