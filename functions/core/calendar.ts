/**
 * Maintenance windows and business days of a region (rules sections 1 and 2).
 *
 * A window is named by its region and the local date D it starts on: it runs from
 * `startHour` local on D to `endHour` local on D+1, on the region's wall clock, so across a
 * daylight-saving change it is 8 or 10 hours long. Every conversion goes through luxon in the
 * region's zone. Results are memoised per policy object: windows and holidays are fixed, and the
 * planner asks for the same few days thousands of times.
 */
import { DateTime } from 'luxon';
import { holidayDates } from './holidays.ts';
import type { Policy } from './policy.ts';
import type { Region, WindowKind } from './vocabulary.ts';

/** An ISO calendar date, YYYY-MM-DD, in a region's local calendar. */
export type LocalDate = string;

export interface MaintenanceWindow {
  /** Stable id of the window, `${region}#${localDate}`: the key of its capacity counter. */
  readonly id: string;
  readonly region: Region;
  /** Local date D the window starts on. */
  readonly localDate: LocalDate;
  /** True when customer-affecting changes may use it (weekday windows). */
  readonly customer: boolean;
  readonly timezone: string;
  /** Start and end as instants, in the region's zone. */
  readonly start: DateTime;
  readonly end: DateTime;
}

/** The window as the API shows it: UTC instants plus the local wall clock with its offset. */
export interface WindowView {
  start: string;
  end: string;
  timezone: string;
  localStart: string;
  localEnd: string;
}

interface CalendarCache {
  windows: Map<string, MaintenanceWindow>;
  holidays: Map<string, ReadonlySet<LocalDate>>;
  weekdays: Map<LocalDate, number>;
  businessDaySteps: Map<string, LocalDate>;
}

const caches = new WeakMap<Policy, CalendarCache>();
const MEMO_LIMIT = 200_000;

function cacheOf(policy: Policy): CalendarCache {
  let cache = caches.get(policy);
  if (!cache) {
    cache = { windows: new Map(), holidays: new Map(), weekdays: new Map(), businessDaySteps: new Map() };
    caches.set(policy, cache);
  }
  return cache;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

export function zoneOf(policy: Policy, region: Region): string {
  return policy.regions[region].timezone;
}

/** Any instant (ISO string, Date, DateTime) as a luxon DateTime in the region's zone. */
export function inRegion(policy: Policy, region: Region, instant: DateTime | Date | string): DateTime {
  const dt =
    typeof instant === 'string'
      ? DateTime.fromISO(instant, { setZone: true })
      : instant instanceof Date
        ? DateTime.fromJSDate(instant)
        : instant;
  if (!dt.isValid) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return dt.setZone(zoneOf(policy, region));
}

/** The local date of an instant in the region. */
export function localDateOf(policy: Policy, region: Region, instant: DateTime | Date | string): LocalDate {
  return inRegion(policy, region, instant).toISODate() as LocalDate;
}

/** Calendar arithmetic on local dates, independent of any zone. */
export function plusDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as LocalDate;
}

/** 1 = Monday ... 7 = Sunday. */
export function weekdayOf(policy: Policy, date: LocalDate): number {
  const cache = cacheOf(policy);
  const known = cache.weekdays.get(date);
  if (known !== undefined) return known;
  return remember(cache.weekdays, date, DateTime.fromISO(date, { zone: 'UTC' }).weekday);
}

/** Whether a window of this kind starts on the local date. */
export function hasWindowOn(policy: Policy, kind: WindowKind, date: LocalDate): boolean {
  const days = kind === 'customer' ? policy.windows.customerDays : policy.windows.infrastructureDays;
  return days.includes(weekdayOf(policy, date));
}

/**
 * The window starting on local date D, whatever its kind (check `customer`), or null when no
 * window of any kind starts that day.
 */
export function windowOn(policy: Policy, region: Region, date: LocalDate): MaintenanceWindow | null {
  if (!hasWindowOn(policy, 'infrastructure', date)) return null;
  const cache = cacheOf(policy);
  const key = `${region}#${date}`;
  const known = cache.windows.get(key);
  if (known) return known;
  const zone = zoneOf(policy, region);
  const day = DateTime.fromISO(date, { zone });
  const start = day.set({ hour: policy.windows.startHour, minute: 0, second: 0, millisecond: 0 });
  const end = day
    .plus({ days: 1 })
    .set({ hour: policy.windows.endHour, minute: 0, second: 0, millisecond: 0 });
  return remember(cache.windows, key, {
    id: key,
    region,
    localDate: date,
    customer: hasWindowOn(policy, 'customer', date),
    timezone: zone,
    start,
    end,
  });
}

function fitsKind(window: MaintenanceWindow, kind: WindowKind): boolean {
  return kind === 'infrastructure' || window.customer;
}

/**
 * Windows of the region and kind whose start is at or after `from`, in order.
 * Infrastructure windows include the customer ones (every day); customer windows are weekdays.
 */
export function* windowsFrom(
  policy: Policy,
  region: Region,
  from: DateTime | Date | string,
  kind: WindowKind,
): Generator<MaintenanceWindow> {
  const fromInstant = inRegion(policy, region, from);
  const fromMillis = fromInstant.toMillis();
  // A window that starts the day before `from` has started already, so begin on from's local date.
  let date = fromInstant.toISODate() as LocalDate;
  for (;;) {
    const window = windowOn(policy, region, date);
    if (window && fitsKind(window, kind) && window.start.toMillis() >= fromMillis) yield window;
    date = plusDays(date, 1);
  }
}

/** The first `count` windows from `from` (the maintenance-windows route). */
export function listWindows(
  policy: Policy,
  region: Region,
  from: DateTime | Date | string,
  kind: WindowKind,
  count: number,
): MaintenanceWindow[] {
  const result: MaintenanceWindow[] = [];
  if (count <= 0) return result;
  for (const window of windowsFrom(policy, region, from, kind)) {
    result.push(window);
    if (result.length >= count) break;
  }
  return result;
}

/** The window of this kind that starts exactly at the instant, or null. */
export function windowStartingAt(
  policy: Policy,
  region: Region,
  instant: DateTime | Date | string,
  kind: WindowKind,
): MaintenanceWindow | null {
  const at = inRegion(policy, region, instant);
  const window = windowOn(policy, region, at.toISODate() as LocalDate);
  if (!window || !fitsKind(window, kind)) return null;
  return window.start.toMillis() === at.toMillis() ? window : null;
}

/** The window of any kind that is open at the instant (start <= t < end), or null. */
export function windowOpenAt(
  policy: Policy,
  region: Region,
  instant: DateTime | Date | string,
): MaintenanceWindow | null {
  const at = inRegion(policy, region, instant);
  const today = at.toISODate() as LocalDate;
  for (const date of [plusDays(today, -1), today]) {
    const window = windowOn(policy, region, date);
    if (window && window.start.toMillis() <= at.toMillis() && at.toMillis() < window.end.toMillis())
      return window;
  }
  return null;
}

/** ISO instant in UTC with a `Z` and milliseconds dropped when zero. */
export function toUtcIso(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/** Local ISO time with its offset, e.g. 2026-12-14T21:00:00-05:00. */
export function toLocalIso(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

export function toWindowView(window: MaintenanceWindow): WindowView {
  return {
    start: toUtcIso(window.start),
    end: toUtcIso(window.end),
    timezone: window.timezone,
    localStart: toLocalIso(window.start),
    localEnd: toLocalIso(window.end),
  };
}

// ---------------------------------------------------------------------------------------------
// Business days

/** The public holidays (by the region's holiday types) of a year, as local dates. */
export function holidaysOf(policy: Policy, region: Region, year: number): ReadonlySet<LocalDate> {
  const cache = cacheOf(policy);
  const key = `${region}#${year}`;
  const known = cache.holidays.get(key);
  if (known) return known;
  const { country, state, types } = policy.regions[region].holidays;
  const dates = new Set<LocalDate>(holidayDates(country, state, year, types));
  cache.holidays.set(key, dates);
  return dates;
}

export function isHoliday(policy: Policy, region: Region, date: LocalDate): boolean {
  return holidaysOf(policy, region, Number(date.slice(0, 4))).has(date);
}

/** Monday to Friday, minus the region's holidays. */
export function isBusinessDay(policy: Policy, region: Region, date: LocalDate): boolean {
  const weekday = weekdayOf(policy, date);
  return weekday <= 5 && !isHoliday(policy, region, date);
}

/**
 * The n-th business day after a local date (section 2): the start date never counts; stepping
 * one calendar day at a time, only business days are counted. n = 0 returns the date itself.
 */
export function addBusinessDaysToDate(policy: Policy, region: Region, date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`business days must be a whole number >= 0, got ${n}`);
  const cache = cacheOf(policy);
  const key = `${region}#${date}#${n}`;
  const known = cache.businessDaySteps.get(key);
  if (known) return known;
  let day = date;
  let counted = 0;
  while (counted < n) {
    day = plusDays(day, 1);
    if (isBusinessDay(policy, region, day)) counted++;
  }
  return remember(cache.businessDaySteps, key, day);
}

/**
 * `addBusinessDays(instant, n)` of the rules: the instant's local date moved n business days on,
 * at the same local wall-clock time (luxon moves a time that a DST gap skips forward).
 */
export function addBusinessDays(
  policy: Policy,
  region: Region,
  instant: DateTime | Date | string,
  n: number,
): DateTime {
  const local = inRegion(policy, region, instant);
  const target = addBusinessDaysToDate(policy, region, local.toISODate() as LocalDate, n);
  const [year, month, day] = target.split('-').map(Number) as [number, number, number];
  return local.set({ year, month, day });
}

/** An instant as messages show it: the region's wall clock and zone, then UTC. */
export function describeInstant(dt: DateTime): string {
  return `${dt.toFormat('yyyy-MM-dd HH:mm')} ${dt.zoneName} (${toUtcIso(dt)})`;
}
