import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  hasWindowOn,
  listWindows,
  type MaintenanceWindow,
  toWindowView,
  type WindowView,
  windowOn,
  windowOpenAt,
  windowStartingAt,
  windowsFrom,
} from '#core/calendar.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import type { Region } from '#core/vocabulary.ts';

// Every expected value below is worked out by hand from rules.md section 1 and the zones' published
// offsets: America/New_York EST -05:00 / EDT -04:00 (DST from the 2nd Sunday of March to the 1st Sunday
// of November), Asia/Tokyo JST +09:00 (no DST), Australia/Sydney AEST +10:00 / AEDT +11:00 (DST from the
// 1st Sunday of October to the 1st Sunday of April), Europe/Berlin CET +01:00 / CEST +02:00 (DST from
// the last Sunday of March to the last Sunday of October).

const policy = DEFAULT_POLICY;

function hoursOf(window: MaintenanceWindow): number {
  return (window.end.toMillis() - window.start.toMillis()) / 3_600_000;
}

function mustHaveWindow(region: Region, date: string): MaintenanceWindow {
  const window = windowOn(policy, region, date);
  if (!window) throw new Error(`expected a window in ${region} on ${date}`);
  return window;
}

function take<T>(iterator: Iterator<T>, count: number): T[] {
  const result: T[] = [];
  while (result.length < count) {
    const next = iterator.next();
    if (next.done) break;
    result.push(next.value);
  }
  return result;
}

type WindowCase = { region: Region; date: string; hours: number; customer: boolean } & WindowView;

describe('windowOn on ordinary days', () => {
  const cases: WindowCase[] = [
    // Monday 2026-12-14: northern winter, southern summer.
    {
      region: 'AMER',
      date: '2026-12-14',
      start: '2026-12-15T02:00:00Z',
      end: '2026-12-15T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-12-14T21:00:00-05:00',
      localEnd: '2026-12-15T06:00:00-05:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'APJC',
      date: '2026-12-14',
      start: '2026-12-14T12:00:00Z',
      end: '2026-12-14T21:00:00Z',
      timezone: 'Asia/Tokyo',
      localStart: '2026-12-14T21:00:00+09:00',
      localEnd: '2026-12-15T06:00:00+09:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'AUS',
      date: '2026-12-14',
      start: '2026-12-14T10:00:00Z',
      end: '2026-12-14T19:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2026-12-14T21:00:00+11:00',
      localEnd: '2026-12-15T06:00:00+11:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'EU',
      date: '2026-12-14',
      start: '2026-12-14T20:00:00Z',
      end: '2026-12-15T05:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2026-12-14T21:00:00+01:00',
      localEnd: '2026-12-15T06:00:00+01:00',
      hours: 9,
      customer: true,
    },
    // Wednesday 2026-07-15: northern summer, southern winter.
    {
      region: 'AMER',
      date: '2026-07-15',
      start: '2026-07-16T01:00:00Z',
      end: '2026-07-16T10:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-07-15T21:00:00-04:00',
      localEnd: '2026-07-16T06:00:00-04:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'APJC',
      date: '2026-07-15',
      start: '2026-07-15T12:00:00Z',
      end: '2026-07-15T21:00:00Z',
      timezone: 'Asia/Tokyo',
      localStart: '2026-07-15T21:00:00+09:00',
      localEnd: '2026-07-16T06:00:00+09:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'AUS',
      date: '2026-07-15',
      start: '2026-07-15T11:00:00Z',
      end: '2026-07-15T20:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2026-07-15T21:00:00+10:00',
      localEnd: '2026-07-16T06:00:00+10:00',
      hours: 9,
      customer: true,
    },
    {
      region: 'EU',
      date: '2026-07-15',
      start: '2026-07-15T19:00:00Z',
      end: '2026-07-16T04:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2026-07-15T21:00:00+02:00',
      localEnd: '2026-07-16T06:00:00+02:00',
      hours: 9,
      customer: true,
    },
    // Saturday 2026-12-19: an infrastructure-only window.
    {
      region: 'AMER',
      date: '2026-12-19',
      start: '2026-12-20T02:00:00Z',
      end: '2026-12-20T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-12-19T21:00:00-05:00',
      localEnd: '2026-12-20T06:00:00-05:00',
      hours: 9,
      customer: false,
    },
    // The year's last window ends in the next year.
    {
      region: 'APJC',
      date: '2026-12-31',
      start: '2026-12-31T12:00:00Z',
      end: '2026-12-31T21:00:00Z',
      timezone: 'Asia/Tokyo',
      localStart: '2026-12-31T21:00:00+09:00',
      localEnd: '2027-01-01T06:00:00+09:00',
      hours: 9,
      customer: true,
    },
  ];

  it.each(cases)('$region $date runs $localStart -> $localEnd ($start -> $end)', (expected) => {
    // Act
    const window = mustHaveWindow(expected.region, expected.date);

    // Assess
    expect(toWindowView(window)).toEqual({
      start: expected.start,
      end: expected.end,
      timezone: expected.timezone,
      localStart: expected.localStart,
      localEnd: expected.localEnd,
    });
    expect(hoursOf(window)).toBe(expected.hours);
    expect(window.customer).toBe(expected.customer);
    expect(window.id).toBe(`${expected.region}#${expected.date}`);
    expect(window.region).toBe(expected.region);
    expect(window.localDate).toBe(expected.date);
    expect(window.timezone).toBe(expected.timezone);
    expect(window.start.zoneName).toBe(expected.timezone);
  });
});

describe('windowOn across daylight-saving changes', () => {
  // Each change happens early on a Sunday, so the window starting on the Saturday evening before
  // contains it: 8 hours when the clocks go forward, 10 when they go back, and always 21:00 -> 06:00.
  const cases: WindowCase[] = [
    {
      region: 'AMER',
      date: '2026-03-07',
      start: '2026-03-08T02:00:00Z',
      end: '2026-03-08T10:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-03-07T21:00:00-05:00',
      localEnd: '2026-03-08T06:00:00-04:00',
      hours: 8,
      customer: false,
    },
    {
      region: 'AMER',
      date: '2026-10-31',
      start: '2026-11-01T01:00:00Z',
      end: '2026-11-01T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-10-31T21:00:00-04:00',
      localEnd: '2026-11-01T06:00:00-05:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'AMER',
      date: '2027-03-13',
      start: '2027-03-14T02:00:00Z',
      end: '2027-03-14T10:00:00Z',
      timezone: 'America/New_York',
      localStart: '2027-03-13T21:00:00-05:00',
      localEnd: '2027-03-14T06:00:00-04:00',
      hours: 8,
      customer: false,
    },
    {
      region: 'AMER',
      date: '2027-11-06',
      start: '2027-11-07T01:00:00Z',
      end: '2027-11-07T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2027-11-06T21:00:00-04:00',
      localEnd: '2027-11-07T06:00:00-05:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'EU',
      date: '2026-03-28',
      start: '2026-03-28T20:00:00Z',
      end: '2026-03-29T04:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2026-03-28T21:00:00+01:00',
      localEnd: '2026-03-29T06:00:00+02:00',
      hours: 8,
      customer: false,
    },
    {
      region: 'EU',
      date: '2026-10-24',
      start: '2026-10-24T19:00:00Z',
      end: '2026-10-25T05:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2026-10-24T21:00:00+02:00',
      localEnd: '2026-10-25T06:00:00+01:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'EU',
      date: '2027-03-27',
      start: '2027-03-27T20:00:00Z',
      end: '2027-03-28T04:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2027-03-27T21:00:00+01:00',
      localEnd: '2027-03-28T06:00:00+02:00',
      hours: 8,
      customer: false,
    },
    {
      region: 'EU',
      date: '2027-10-30',
      start: '2027-10-30T19:00:00Z',
      end: '2027-10-31T05:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2027-10-30T21:00:00+02:00',
      localEnd: '2027-10-31T06:00:00+01:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'AUS',
      date: '2026-04-04',
      start: '2026-04-04T10:00:00Z',
      end: '2026-04-04T20:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2026-04-04T21:00:00+11:00',
      localEnd: '2026-04-05T06:00:00+10:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'AUS',
      date: '2026-10-03',
      start: '2026-10-03T11:00:00Z',
      end: '2026-10-03T19:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2026-10-03T21:00:00+10:00',
      localEnd: '2026-10-04T06:00:00+11:00',
      hours: 8,
      customer: false,
    },
    {
      region: 'AUS',
      date: '2027-04-03',
      start: '2027-04-03T10:00:00Z',
      end: '2027-04-03T20:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2027-04-03T21:00:00+11:00',
      localEnd: '2027-04-04T06:00:00+10:00',
      hours: 10,
      customer: false,
    },
    {
      region: 'AUS',
      date: '2027-10-02',
      start: '2027-10-02T11:00:00Z',
      end: '2027-10-02T19:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2027-10-02T21:00:00+10:00',
      localEnd: '2027-10-03T06:00:00+11:00',
      hours: 8,
      customer: false,
    },
  ];

  it.each(cases)('$region window of $date is $hours hours, $localStart -> $localEnd', (expected) => {
    // Act
    const window = mustHaveWindow(expected.region, expected.date);

    // Assess
    expect(toWindowView(window)).toEqual({
      start: expected.start,
      end: expected.end,
      timezone: expected.timezone,
      localStart: expected.localStart,
      localEnd: expected.localEnd,
    });
    expect(hoursOf(window)).toBe(expected.hours);
    expect(window.customer).toBe(false);
    expect(window.start.toFormat('HH:mm')).toBe('21:00');
    expect(window.end.toFormat('HH:mm')).toBe('06:00');
  });

  it.each([
    // The Sunday windows right after each change are back to 9 hours, in the new offset.
    ['AMER', '2026-03-08', '2026-03-09T01:00:00Z', '2026-03-09T10:00:00Z'],
    ['AMER', '2026-11-01', '2026-11-02T02:00:00Z', '2026-11-02T11:00:00Z'],
    ['EU', '2026-03-29', '2026-03-29T19:00:00Z', '2026-03-30T04:00:00Z'],
    ['EU', '2026-10-25', '2026-10-25T20:00:00Z', '2026-10-26T05:00:00Z'],
    ['AUS', '2026-04-05', '2026-04-05T11:00:00Z', '2026-04-05T20:00:00Z'],
    ['AUS', '2026-10-04', '2026-10-04T10:00:00Z', '2026-10-04T19:00:00Z'],
    // ... and so are the Friday windows before them.
    ['AMER', '2026-03-06', '2026-03-07T02:00:00Z', '2026-03-07T11:00:00Z'],
    ['EU', '2026-10-23', '2026-10-23T19:00:00Z', '2026-10-24T04:00:00Z'],
    ['AUS', '2026-04-03', '2026-04-03T10:00:00Z', '2026-04-03T19:00:00Z'],
  ] as const)('%s window of %s, next to a change, is 9 hours: %s -> %s', (region, date, start, end) => {
    // Act
    const view = toWindowView(mustHaveWindow(region, date));

    // Assess
    expect(view.start).toBe(start);
    expect(view.end).toBe(end);
  });
});

describe('window kinds by weekday', () => {
  // 2026-06-15 is a Monday.
  const week = [
    ['2026-06-15', 'Monday', true],
    ['2026-06-16', 'Tuesday', true],
    ['2026-06-17', 'Wednesday', true],
    ['2026-06-18', 'Thursday', true],
    ['2026-06-19', 'Friday', true],
    ['2026-06-20', 'Saturday', false],
    ['2026-06-21', 'Sunday', false],
  ] as const;
  const regions: Region[] = ['AMER', 'APJC', 'AUS', 'EU'];
  const cases = regions.flatMap((region) =>
    week.map(([date, day, customer]) => ({ region, date, day, customer })),
  );

  it.each(cases)(
    '$region $day $date has an infrastructure window, customer: $customer',
    ({ region, date, customer }) => {
      // Act
      const window = windowOn(policy, region, date);

      // Assess
      expect(window).not.toBeNull();
      expect(window?.customer).toBe(customer);
      expect(hasWindowOn(policy, 'customer', date)).toBe(customer);
      expect(hasWindowOn(policy, 'infrastructure', date)).toBe(true);
    },
  );

  it('does not move windows for public holidays (US Thanksgiving and Christmas keep theirs)', () => {
    // Act
    const thanksgiving = windowOn(policy, 'AMER', '2026-11-26');
    const christmas = windowOn(policy, 'AMER', '2026-12-25');

    // Assess
    expect(thanksgiving?.customer).toBe(true);
    expect(christmas?.customer).toBe(true);
    expect(thanksgiving && toWindowView(thanksgiving).start).toBe('2026-11-27T02:00:00Z');
  });

  it('has no window on a day that is no infrastructure day of the policy', () => {
    // Prepare
    const weekdaysOnly = parsePolicy({ windows: { infrastructureDays: [1, 2, 3, 4, 5] } });

    // Act
    const saturday = windowOn(weekdaysOnly, 'EU', '2026-06-20');
    const friday = windowOn(weekdaysOnly, 'EU', '2026-06-19');

    // Assess
    expect(saturday).toBeNull();
    expect(friday?.customer).toBe(true);
  });

  it('follows the hours of a policy with other window hours', () => {
    // Prepare
    const late = parsePolicy({ windows: { startHour: 22, endHour: 4 } });

    // Act
    const window = windowOn(late, 'EU', '2026-12-14');

    // Assess
    expect(window && toWindowView(window)).toEqual({
      start: '2026-12-14T21:00:00Z',
      end: '2026-12-15T03:00:00Z',
      timezone: 'Europe/Berlin',
      localStart: '2026-12-14T22:00:00+01:00',
      localEnd: '2026-12-15T04:00:00+01:00',
    });
  });
});

describe('listWindows', () => {
  it('lists customer windows in order, skipping the weekend', () => {
    // Prepare: Friday 2026-12-18 12:00 in New York.
    const from = '2026-12-18T17:00:00Z';

    // Act
    const windows = listWindows(policy, 'AMER', from, 'customer', 4);

    // Assess
    expect(windows.map((w) => w.localDate)).toEqual(['2026-12-18', '2026-12-21', '2026-12-22', '2026-12-23']);
    expect(windows.map((w) => toWindowView(w).start)).toEqual([
      '2026-12-19T02:00:00Z',
      '2026-12-22T02:00:00Z',
      '2026-12-23T02:00:00Z',
      '2026-12-24T02:00:00Z',
    ]);
  });

  it('lists infrastructure windows every day, weekend included', () => {
    // Prepare
    const from = '2026-12-18T17:00:00Z';

    // Act
    const windows = listWindows(policy, 'AMER', from, 'infrastructure', 4);

    // Assess
    expect(windows.map((w) => w.localDate)).toEqual(['2026-12-18', '2026-12-19', '2026-12-20', '2026-12-21']);
    expect(windows.map((w) => w.customer)).toEqual([true, false, false, true]);
  });

  it('includes a window that starts exactly at from', () => {
    // Prepare: the Monday 2026-12-14 window starts at 21:00 EST = 02:00 UTC.
    const from = '2026-12-15T02:00:00Z';

    // Act
    const [first] = listWindows(policy, 'AMER', from, 'customer', 1);

    // Assess
    expect(first?.localDate).toBe('2026-12-14');
  });

  it('excludes a window that started one minute before from', () => {
    // Prepare
    const from = '2026-12-15T02:01:00Z';

    // Act
    const [first] = listWindows(policy, 'AMER', from, 'customer', 1);

    // Assess
    expect(first?.localDate).toBe('2026-12-15');
    expect(first && toWindowView(first).start).toBe('2026-12-16T02:00:00Z');
  });

  it.each([
    // from in the zone's own offset, equal to the start: included.
    ['AMER', '2026-12-14T21:00:00-05:00', '2026-12-14'],
    ['AMER', '2026-12-14T20:59:00-05:00', '2026-12-14'],
    ['AMER', '2026-12-14T21:01:00-05:00', '2026-12-15'],
    // APJC: 21:00 JST = 12:00 UTC the same date.
    ['APJC', '2026-12-14T12:00:00Z', '2026-12-14'],
    ['APJC', '2026-12-14T12:01:00Z', '2026-12-15'],
    // AUS: the local date is a day ahead of UTC in the morning; 21:00 AEDT = 10:00 UTC.
    ['AUS', '2026-12-13T14:00:00Z', '2026-12-14'],
    ['AUS', '2026-12-14T10:00:00Z', '2026-12-14'],
    ['AUS', '2026-12-14T10:01:00Z', '2026-12-15'],
    // EU: 21:00 CET = 20:00 UTC; inside the Monday window (Tuesday 01:00 local) the next is Tuesday's.
    ['EU', '2026-12-14T20:00:00Z', '2026-12-14'],
    ['EU', '2026-12-15T00:00:00Z', '2026-12-15'],
  ] as const)('in %s from %s the first customer window is on %s', (region, from, date) => {
    // Act
    const [first] = listWindows(policy, region, from, 'customer', 1);

    // Assess
    expect(first?.localDate).toBe(date);
  });

  it('accepts from as a Date and as a luxon DateTime', () => {
    // Prepare
    const asDate = new Date('2026-12-15T02:00:00Z');
    const asDateTime = DateTime.fromISO('2026-12-15T02:00:00Z', { zone: 'utc' });

    // Act
    const fromDate = listWindows(policy, 'AMER', asDate, 'customer', 1);
    const fromDateTime = listWindows(policy, 'AMER', asDateTime, 'customer', 1);

    // Assess
    expect(fromDate.map((w) => w.localDate)).toEqual(['2026-12-14']);
    expect(fromDateTime.map((w) => w.localDate)).toEqual(['2026-12-14']);
  });

  it('lists the windows around a daylight-saving change in order', () => {
    // Prepare: Friday 2026-03-06 09:00 EST.
    const from = '2026-03-06T14:00:00Z';

    // Act
    const windows = listWindows(policy, 'AMER', from, 'infrastructure', 4);

    // Assess
    expect(windows.map((w) => [toWindowView(w).start, toWindowView(w).end])).toEqual([
      ['2026-03-07T02:00:00Z', '2026-03-07T11:00:00Z'],
      ['2026-03-08T02:00:00Z', '2026-03-08T10:00:00Z'],
      ['2026-03-09T01:00:00Z', '2026-03-09T10:00:00Z'],
      ['2026-03-10T01:00:00Z', '2026-03-10T10:00:00Z'],
    ]);
  });

  it.each([0, -1])('returns nothing for a count of %i', (count) => {
    // Act
    const windows = listWindows(policy, 'EU', '2026-12-14T00:00:00Z', 'infrastructure', count);

    // Assess
    expect(windows).toEqual([]);
  });
});

describe('windowsFrom', () => {
  it('yields customer windows Monday to Friday for as long as asked', () => {
    // Prepare: Monday 2026-06-15 00:00 CEST.
    const from = '2026-06-14T22:00:00Z';

    // Act
    const windows = take(windowsFrom(policy, 'EU', from, 'customer'), 10);

    // Assess
    expect(windows.map((w) => w.localDate)).toEqual([
      '2026-06-15',
      '2026-06-16',
      '2026-06-17',
      '2026-06-18',
      '2026-06-19',
      '2026-06-22',
      '2026-06-23',
      '2026-06-24',
      '2026-06-25',
      '2026-06-26',
    ]);
    expect(windows.every((w) => w.customer)).toBe(true);
  });

  it('yields infrastructure windows on consecutive days with strictly increasing starts', () => {
    // Prepare
    const from = '2026-06-14T22:00:00Z';

    // Act
    const windows = take(windowsFrom(policy, 'EU', from, 'infrastructure'), 8);

    // Assess
    expect(windows.map((w) => w.localDate)).toEqual([
      '2026-06-15',
      '2026-06-16',
      '2026-06-17',
      '2026-06-18',
      '2026-06-19',
      '2026-06-20',
      '2026-06-21',
      '2026-06-22',
    ]);
    const starts = windows.map((w) => w.start.toMillis());
    expect(starts.slice(1).every((start, i) => start > (starts[i] as number))).toBe(true);
  });

  it('starts with the window starting exactly at from and drops the one open at from', () => {
    // Prepare: Saturday 2026-12-19 21:00 EST exactly; the Friday window is still open until 06:00.
    const atSaturdayStart = '2026-12-20T02:00:00Z';
    const insideFridayWindow = '2026-12-19T10:00:00Z';

    // Act
    const [fromStart] = take(windowsFrom(policy, 'AMER', atSaturdayStart, 'infrastructure'), 1);
    const [fromInside] = take(windowsFrom(policy, 'AMER', insideFridayWindow, 'infrastructure'), 1);

    // Assess
    expect(fromStart?.localDate).toBe('2026-12-19');
    expect(fromInside?.localDate).toBe('2026-12-19');
  });
});

describe('windowStartingAt', () => {
  it.each([
    ['AMER', '2026-12-15T02:00:00Z', 'customer', '2026-12-14'],
    ['AMER', '2026-12-14T21:00:00-05:00', 'customer', '2026-12-14'],
    ['AMER', '2026-12-15T02:00:00Z', 'infrastructure', '2026-12-14'],
    ['APJC', '2026-12-14T12:00:00Z', 'customer', '2026-12-14'],
    ['AUS', '2026-12-14T10:00:00Z', 'customer', '2026-12-14'],
    ['EU', '2026-12-14T20:00:00Z', 'customer', '2026-12-14'],
    ['EU', '2026-07-15T19:00:00Z', 'customer', '2026-07-15'],
    // Saturday windows exist for infrastructure work, also on a DST night.
    ['AMER', '2026-12-20T02:00:00Z', 'infrastructure', '2026-12-19'],
    ['AMER', '2026-03-08T02:00:00Z', 'infrastructure', '2026-03-07'],
    ['AUS', '2026-04-04T10:00:00Z', 'infrastructure', '2026-04-04'],
    ['EU', '2026-10-24T19:00:00Z', 'infrastructure', '2026-10-24'],
  ] as const)('in %s the instant %s starts the %s window of %s', (region, instant, kind, date) => {
    // Act
    const window = windowStartingAt(policy, region, instant, kind);

    // Assess
    expect(window?.localDate).toBe(date);
    expect(window?.region).toBe(region);
  });

  it.each([
    ['one minute after the start', 'AMER', '2026-12-15T02:01:00Z', 'customer'],
    ['one minute before the start', 'AMER', '2026-12-15T01:59:00Z', 'customer'],
    ['one second after the start', 'AMER', '2026-12-15T02:00:01Z', 'infrastructure'],
    ['the end of a window', 'AMER', '2026-12-15T11:00:00Z', 'infrastructure'],
    ['21:00 UTC instead of 21:00 local', 'EU', '2026-12-14T21:00:00Z', 'customer'],
    ['a Saturday start asked as a customer window', 'AMER', '2026-12-20T02:00:00Z', 'customer'],
    ['a Sunday start asked as a customer window', 'APJC', '2026-12-20T12:00:00Z', 'customer'],
    ['the Saturday before a DST change asked as a customer window', 'EU', '2026-03-28T20:00:00Z', 'customer'],
  ] as const)('is null for %s (%s %s, %s)', (_case, region, instant, kind) => {
    // Act
    const window = windowStartingAt(policy, region, instant, kind);

    // Assess
    expect(window).toBeNull();
  });
});

describe('windowOpenAt', () => {
  it.each([
    ['at its start (inclusive)', 'AMER', '2026-12-15T02:00:00Z', '2026-12-14'],
    ['at local midnight, on the next local date', 'AMER', '2026-12-15T05:00:00Z', '2026-12-14'],
    ['one minute before its end', 'AMER', '2026-12-15T10:59:00Z', '2026-12-14'],
    ['on a Saturday night (any kind)', 'AMER', '2026-12-20T03:00:00Z', '2026-12-19'],
    ['in the repeated hour when clocks go back (01:30 EDT)', 'AMER', '2026-11-01T05:30:00Z', '2026-10-31'],
    ['in the repeated hour when clocks go back (01:30 EST)', 'AMER', '2026-11-01T06:30:00Z', '2026-10-31'],
    ['at 05:59 AEST after DST ended', 'AUS', '2026-04-04T19:59:00Z', '2026-04-04'],
    ['at 05:59 CEST after DST started', 'EU', '2026-03-29T03:59:00Z', '2026-03-28'],
    ['in Tokyo at 03:00 JST', 'APJC', '2026-12-14T18:00:00Z', '2026-12-14'],
  ] as const)('finds the window %s (%s %s)', (_case, region, instant, date) => {
    // Act
    const window = windowOpenAt(policy, region, instant);

    // Assess
    expect(window?.localDate).toBe(date);
  });

  it.each([
    ['at its end (exclusive)', 'AMER', '2026-12-15T11:00:00Z'],
    ['one minute before its start', 'AMER', '2026-12-15T01:59:00Z'],
    ['at midday', 'AMER', '2026-12-15T17:00:00Z'],
    ['at 06:00 AEST after DST ended', 'AUS', '2026-04-04T20:00:00Z'],
    ['at 06:00 CEST after DST started', 'EU', '2026-03-29T04:00:00Z'],
    ['in Tokyo at 06:00 JST', 'APJC', '2026-12-14T21:00:00Z'],
  ] as const)('finds none %s (%s %s)', (_case, region, instant) => {
    // Act
    const window = windowOpenAt(policy, region, instant);

    // Assess
    expect(window).toBeNull();
  });
});

describe('toWindowView', () => {
  it('shows UTC instants with Z and the local wall clock with its offset', () => {
    // Prepare
    const window = mustHaveWindow('AMER', '2026-12-14');

    // Act
    const view = toWindowView(window);

    // Assess
    expect(view).toEqual({
      start: '2026-12-15T02:00:00Z',
      end: '2026-12-15T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-12-14T21:00:00-05:00',
      localEnd: '2026-12-15T06:00:00-05:00',
    });
  });

  it('is JSON-safe: only strings', () => {
    // Prepare
    const window = mustHaveWindow('AUS', '2026-10-03');

    // Act
    const view = JSON.parse(JSON.stringify(toWindowView(window)));

    // Assess
    expect(view).toEqual({
      start: '2026-10-03T11:00:00Z',
      end: '2026-10-03T19:00:00Z',
      timezone: 'Australia/Sydney',
      localStart: '2026-10-03T21:00:00+10:00',
      localEnd: '2026-10-04T06:00:00+11:00',
    });
  });
});
