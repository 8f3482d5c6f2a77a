import { describe, expect, it } from 'vitest';
import { HOLIDAY_YEARS, holidayDates } from '#core/holidays.ts';
import table from '../../../functions/core/holiday-table.json' with { type: 'json' };
import { holidaysFromLibrary } from '../../../scripts/generate-holiday-table.ts';

describe('the precomputed holiday table', () => {
  const calendars = Object.keys(table.calendars);

  it.each(calendars)('matches date-holidays for %s in every year it covers', (calendar) => {
    const years = (table.calendars as Record<string, Record<string, Record<string, string>>>)[calendar] ?? {};
    for (let year = HOLIDAY_YEARS.first; year <= HOLIDAY_YEARS.last; year++) {
      expect(years[String(year)], `${calendar} ${year}`).toEqual(holidaysFromLibrary(calendar, year));
    }
  });

  it('holds the calendars of the default policy', () => {
    expect(calendars).toEqual(expect.arrayContaining(['US', 'JP', 'AU-ACT', 'DE']));
  });

  it('refuses a year it does not cover with a sentence saying how to extend it', () => {
    expect(() => holidayDates('US', undefined, HOLIDAY_YEARS.last + 1, ['public'])).toThrow(
      /covers 2020-2050/,
    );
  });

  it('refuses a calendar it does not hold, naming the command that adds it', () => {
    expect(() => holidayDates('GB', undefined, 2026, ['public'])).toThrow(/npm run holidays -- GB/);
  });
});
