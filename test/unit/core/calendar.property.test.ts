import Holidays from 'date-holidays';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, type MaintenanceWindow, windowOn, windowsFrom } from '#core/calendar.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { REGIONS, type Region, type WindowKind } from '#core/vocabulary.ts';

// The oracles below do not use calendar.ts: wall clocks come from Intl, weekdays from Date.UTC and
// holidays straight from date-holidays with the rules' default calendars (section 1 table).

const policy = DEFAULT_POLICY;

const ZONES: Record<Region, string> = {
  AMER: 'America/New_York',
  APJC: 'Asia/Tokyo',
  AUS: 'Australia/Sydney',
  EU: 'Europe/Berlin',
};

const CALENDARS: Record<Region, Holidays> = {
  AMER: new Holidays('US'),
  APJC: new Holidays('JP'),
  AUS: new Holidays('AU', 'ACT'),
  EU: new Holidays('DE'),
};

const DAY_MS = 86_400_000;
const FIRST_DAY_MS = Date.UTC(2025, 0, 1);
const LAST_DAY_MS = Date.UTC(2030, 11, 31);

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of an instant in a zone: { date: 'YYYY-MM-DD', time: 'HH:mm:ss', asUtcMillis }. */
function wallClock(millis: number, zone: string): { date: string; time: string; asUtcMillis: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(millis)).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour}:${parts.minute}:${parts.second}`;
  const asUtcMillis = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return { date, time, asUtcMillis };
}

/** UTC offset of the zone at the instant, in minutes (whole seconds only). */
function offsetMinutes(millis: number, zone: string): number {
  const wholeSeconds = Math.floor(millis / 1000) * 1000;
  return (wallClock(wholeSeconds, zone).asUtcMillis - wholeSeconds) / 60_000;
}

function isoDate(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

function dateMillis(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function shiftDate(date: string, days: number): string {
  return isoDate(dateMillis(date) + days * DAY_MS);
}

/** 1 = Monday ... 7 = Sunday. */
function weekday(date: string): number {
  return ((new Date(dateMillis(date)).getUTCDay() + 6) % 7) + 1;
}

const holidayCache = new Map<string, Set<string>>();

function publicHolidays(region: Region, year: number): Set<string> {
  const key = `${region}#${year}`;
  let dates = holidayCache.get(key);
  if (!dates) {
    dates = new Set(
      (CALENDARS[region].getHolidays(year) || [])
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(key, dates);
  }
  return dates;
}

function isBusinessDayOracle(region: Region, date: string): boolean {
  const year = Number(date.slice(0, 4));
  const holiday = [year - 1, year, year + 1].some((y) => publicHolidays(region, y).has(date));
  return weekday(date) <= 5 && !holiday;
}

const regionArb = fc.constantFrom<Region>(...REGIONS);
const kindArb = fc.constantFrom<WindowKind>('customer', 'infrastructure');
const localDateArb = fc
  .integer({ min: 0, max: (LAST_DAY_MS - FIRST_DAY_MS) / DAY_MS })
  .map((days) => isoDate(FIRST_DAY_MS + days * DAY_MS));
/** Any instant of 2025..2030, to the millisecond. */
const instantArb = fc.integer({ min: FIRST_DAY_MS, max: LAST_DAY_MS + DAY_MS - 1 });

function mustHaveWindow(region: Region, date: string): MaintenanceWindow {
  const window = windowOn(policy, region, date);
  if (!window) throw new Error(`no window in ${region} on ${date}`);
  return window;
}

function fits(window: MaintenanceWindow | null, kind: WindowKind): window is MaintenanceWindow {
  return window !== null && (kind === 'infrastructure' || window.customer);
}

describe('maintenance window shape (property)', () => {
  it('starts at 21:00 local on D and ends at 06:00 local on D+1 in every region', () => {
    fc.assert(
      fc.property(regionArb, localDateArb, (region, date) => {
        // Act
        const window = mustHaveWindow(region, date);

        // Assess
        const zone = ZONES[region];
        expect(wallClock(window.start.toMillis(), zone)).toMatchObject({ date, time: '21:00:00' });
        expect(wallClock(window.end.toMillis(), zone)).toMatchObject({
          date: shiftDate(date, 1),
          time: '06:00:00',
        });
        expect(window.timezone).toBe(zone);
      }),
      { numRuns: 500 },
    );
  });

  it('lasts 9 hours minus the clock change of the night: 8, 9 or 10, and exactly 9 in APJC', () => {
    fc.assert(
      fc.property(regionArb, localDateArb, (region, date) => {
        // Act
        const window = mustHaveWindow(region, date);

        // Assess
        const zone = ZONES[region];
        const start = window.start.toMillis();
        const end = window.end.toMillis();
        const hours = (end - start) / 3_600_000;
        const clockChangeHours = (offsetMinutes(end, zone) - offsetMinutes(start, zone)) / 60;
        expect(hours).toBe(9 - clockChangeHours);
        if (region === 'APJC') expect(hours).toBe(9);
        else expect([8, 9, 10]).toContain(hours);
      }),
      { numRuns: 500 },
    );
  });

  it('is 8 or 10 hours in AMER, AUS and EU on exactly two nights a year each', () => {
    // Prepare
    const year = fc.integer({ min: 2025, max: 2030 });

    fc.assert(
      fc.property(fc.constantFrom<Region>('AMER', 'AUS', 'EU'), year, (region, y) => {
        // Act
        const lengths: number[] = [];
        for (let date = `${y}-01-01`; date.startsWith(String(y)); date = shiftDate(date, 1)) {
          const window = mustHaveWindow(region, date);
          lengths.push((window.end.toMillis() - window.start.toMillis()) / 3_600_000);
        }

        // Assess
        expect(lengths.filter((h) => h === 8)).toHaveLength(1);
        expect(lengths.filter((h) => h === 10)).toHaveLength(1);
      }),
      { numRuns: 18 },
    );
  });

  it('is a customer window exactly Monday to Friday, and there is a window every day', () => {
    fc.assert(
      fc.property(regionArb, localDateArb, (region, date) => {
        // Act
        const window = windowOn(policy, region, date);

        // Assess
        expect(window).not.toBeNull();
        expect(window?.customer).toBe(weekday(date) <= 5);
      }),
      { numRuns: 500 },
    );
  });
});

describe('windowsFrom (property)', () => {
  it('yields strictly increasing starts, all at or after from, of the asked kind, skipping none', () => {
    fc.assert(
      fc.property(regionArb, instantArb, kindArb, (region, fromMillis, kind) => {
        // Prepare
        const from = new Date(fromMillis);
        const count = 12;

        // Act
        const windows: MaintenanceWindow[] = [];
        for (const window of windowsFrom(policy, region, from, kind)) {
          windows.push(window);
          if (windows.length >= count) break;
        }

        // Assess
        expect(windows).toHaveLength(count);
        for (const window of windows) {
          expect(window.start.toMillis()).toBeGreaterThanOrEqual(fromMillis);
          expect(fits(window, kind)).toBe(true);
        }
        for (let i = 1; i < windows.length; i++) {
          const previous = windows[i - 1] as MaintenanceWindow;
          const current = windows[i] as MaintenanceWindow;
          expect(current.start.toMillis()).toBeGreaterThan(previous.start.toMillis());
          // Nothing eligible between two consecutive yields.
          for (let d = shiftDate(previous.localDate, 1); d < current.localDate; d = shiftDate(d, 1)) {
            expect(fits(windowOn(policy, region, d), kind)).toBe(false);
          }
        }
        // Nothing eligible that starts at or after from before the first yield.
        const first = windows[0] as MaintenanceWindow;
        const fromLocalDate = wallClock(fromMillis, ZONES[region]).date;
        for (let d = shiftDate(fromLocalDate, -1); d < first.localDate; d = shiftDate(d, 1)) {
          const window = windowOn(policy, region, d);
          if (fits(window, kind)) expect(window.start.toMillis()).toBeLessThan(fromMillis);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('yields as its first window the one starting exactly at from', () => {
    fc.assert(
      fc.property(regionArb, localDateArb, kindArb, (region, date, kind) => {
        // Prepare
        const target = mustHaveWindow(region, date);
        fc.pre(fits(target, kind));

        // Act
        const first = windowsFrom(policy, region, target.start.toJSDate(), kind).next()
          .value as MaintenanceWindow;
        const afterOneMinute = windowsFrom(policy, region, target.start.plus({ minutes: 1 }), kind).next()
          .value as MaintenanceWindow;

        // Assess
        expect(first.id).toBe(target.id);
        expect(afterOneMinute.start.toMillis()).toBeGreaterThan(target.start.toMillis());
      }),
      { numRuns: 300 },
    );
  });
});

describe('addBusinessDays (property)', () => {
  const nArb = fc.integer({ min: 1, max: 25 });

  it('lands on a business day after the local start date, n business days on, at the same wall clock', () => {
    fc.assert(
      fc.property(regionArb, instantArb, nArb, (region, fromMillis, n) => {
        // Act
        const result = addBusinessDays(policy, region, new Date(fromMillis), n);

        // Assess
        const zone = ZONES[region];
        const start = wallClock(fromMillis, zone);
        const end = wallClock(result.toMillis(), zone);
        expect(isBusinessDayOracle(region, end.date)).toBe(true);
        expect(end.date > start.date).toBe(true);
        let counted = 0;
        for (let d = shiftDate(start.date, 1); d <= end.date; d = shiftDate(d, 1)) {
          if (isBusinessDayOracle(region, d)) counted++;
        }
        expect(counted).toBe(n);
        // DST changes in these zones happen on Sundays, never on a business day: the time is kept exactly.
        expect(end.time).toBe(start.time);
        expect(result.millisecond).toBe(new Date(fromMillis).getUTCMilliseconds());
        expect(result.zoneName).toBe(zone);
      }),
      { numRuns: 400 },
    );
  });

  it('is strictly increasing in n', () => {
    fc.assert(
      fc.property(regionArb, instantArb, nArb, nArb, (region, fromMillis, a, b) => {
        // Prepare
        fc.pre(a !== b);
        const [low, high] = a < b ? [a, b] : [b, a];

        // Act
        const earlier = addBusinessDays(policy, region, new Date(fromMillis), low);
        const later = addBusinessDays(policy, region, new Date(fromMillis), high);

        // Assess
        expect(later.toMillis()).toBeGreaterThan(earlier.toMillis());
      }),
      { numRuns: 300 },
    );
  });

  it('steps one business day at a time: n + 1 is the first business day after n', () => {
    fc.assert(
      fc.property(regionArb, instantArb, nArb, (region, fromMillis, n) => {
        // Act
        const nth = addBusinessDays(policy, region, new Date(fromMillis), n);
        const next = addBusinessDays(policy, region, new Date(fromMillis), n + 1);

        // Assess
        const zone = ZONES[region];
        const nthDate = wallClock(nth.toMillis(), zone).date;
        const nextDate = wallClock(next.toMillis(), zone).date;
        for (let d = shiftDate(nthDate, 1); d < nextDate; d = shiftDate(d, 1)) {
          expect(isBusinessDayOracle(region, d)).toBe(false);
        }
        expect(isBusinessDayOracle(region, nextDate)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
