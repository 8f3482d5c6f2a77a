/**
 * Public-holiday tables, precomputed from date-holidays by scripts/generate-holiday-table.ts
 * (`npm run holidays`). Reading a small table keeps every Lambda bundle small; a unit test checks
 * the table against the library so it cannot drift.
 */
import table from './holiday-table.json' with { type: 'json' };

type HolidayTable = {
  firstYear: number;
  lastYear: number;
  calendars: Record<string, Record<string, Record<string, string>>>;
};
const holidays = table as HolidayTable;

/** `US`, or `AU-ACT` for a country with a state. */
export function calendarKey(country: string, state?: string): string {
  return state ? `${country}-${state}` : country;
}

export function hasHolidayCalendar(country: string, state?: string): boolean {
  return calendarKey(country, state) in holidays.calendars;
}

export const HOLIDAY_YEARS = { first: holidays.firstYear, last: holidays.lastYear } as const;

/**
 * A business-day question about a year the table does not cover. A distinct class, so that the code
 * that knows which input led there (e.g. severity's `openedAt`) can refuse that input with a 400
 * instead of letting a bare RangeError become a 500.
 */
export class OutsideCalendarYearsError extends RangeError {
  override readonly name = 'OutsideCalendarYearsError';
  constructor(readonly year: number) {
    super(
      `the holiday table covers ${holidays.firstYear}-${holidays.lastYear}, not ${year}: extend scripts/generate-holiday-table.ts`,
    );
  }
}

/** The holidays of a calendar and year whose type is one of `types`, as ISO dates. */
export function holidayDates(
  country: string,
  state: string | undefined,
  year: number,
  types: readonly string[],
): string[] {
  const key = calendarKey(country, state);
  const calendar = holidays.calendars[key];
  if (!calendar) {
    throw new RangeError(`no holiday table for ${key}: add it with \`npm run holidays -- ${key}\``);
  }
  const days = calendar[String(year)];
  if (!days) throw new OutsideCalendarYearsError(year);
  return Object.entries(days)
    .filter(([, type]) => types.includes(type))
    .map(([date]) => date);
}
