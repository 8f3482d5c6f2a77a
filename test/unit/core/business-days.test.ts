import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, addBusinessDaysToDate, isBusinessDay, isHoliday } from '#core/calendar.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import type { Region } from '#core/vocabulary.ts';

// Expected values are counted by hand on a printed 2026/2027 calendar (rules.md section 2): step one
// calendar day at a time from the notice's local date, which never counts itself, and count only
// Monday-Friday days that are not public holidays of the region's calendar.

const policy = DEFAULT_POLICY;
const { disruptiveBusinessDays, replyBusinessDays } = DEFAULT_POLICY.notice;

/** Local wall clock with offset, to compare results without milliseconds noise. */
function local(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

function utc(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

describe('isBusinessDay', () => {
  const days: [Region, string, boolean, string][] = [
    // AMER, US federal holidays
    ['AMER', '2026-11-25', true, 'the Wednesday before Thanksgiving'],
    ['AMER', '2026-11-26', false, 'Thanksgiving Day'],
    ['AMER', '2026-11-27', true, 'the day after Thanksgiving (an observance, not a public holiday)'],
    ['AMER', '2026-11-28', false, 'a Saturday'],
    ['AMER', '2026-12-24', true, 'Christmas Eve (optional, not public)'],
    ['AMER', '2026-12-25', false, 'Christmas Day'],
    ['AMER', '2026-07-03', false, 'the Friday Independence Day (a Saturday) is observed on'],
    ['AMER', '2026-07-04', false, 'Independence Day, a Saturday'],
    ['AMER', '2026-07-06', true, 'the Monday after Independence Day'],
    ['AMER', '2027-01-01', false, "New Year's Day 2027"],
    ['AMER', '2026-06-19', false, 'Juneteenth'],
    // APJC, Japan: Golden Week 2026
    ['APJC', '2026-04-28', true, 'the Tuesday before Showa Day'],
    ['APJC', '2026-04-29', false, 'Showa Day'],
    ['APJC', '2026-04-30', true, 'the Thursday inside Golden Week'],
    ['APJC', '2026-05-01', true, 'the Friday inside Golden Week'],
    ['APJC', '2026-05-03', false, 'Constitution Day, a Sunday'],
    ['APJC', '2026-05-04', false, 'Greenery Day'],
    ['APJC', '2026-05-05', false, "Children's Day"],
    ['APJC', '2026-05-06', false, 'the substitute holiday for Constitution Day'],
    ['APJC', '2026-05-07', true, 'the Thursday after Golden Week'],
    // AUS, Australia with ACT holidays
    ['AUS', '2026-03-06', true, 'the Friday before Canberra Day'],
    ['AUS', '2026-03-09', false, 'Canberra Day (ACT)'],
    ['AUS', '2026-03-10', true, 'the Tuesday after Canberra Day'],
    ['AUS', '2026-04-24', true, 'the Friday before ANZAC Day'],
    ['AUS', '2026-04-25', false, 'ANZAC Day, a Saturday'],
    ['AUS', '2026-04-27', false, 'the ANZAC Day substitute Monday'],
    ['AUS', '2026-04-28', true, 'the Tuesday after the substitute'],
    // EU, Germany
    ['EU', '2026-04-02', true, 'Maundy Thursday (an observance)'],
    ['EU', '2026-04-03', false, 'Good Friday'],
    ['EU', '2026-04-06', false, 'Easter Monday'],
    ['EU', '2026-04-07', true, 'the Tuesday after Easter'],
    ['EU', '2026-10-02', true, 'the Friday before German Unity Day'],
    ['EU', '2026-10-03', false, 'German Unity Day, a Saturday'],
    ['EU', '2026-10-05', true, 'the Monday after (Germany has no substitute days)'],
    ['EU', '2027-10-03', false, 'German Unity Day, a Sunday'],
    ['EU', '2027-10-04', true, 'the Monday after (no substitute)'],
    ['EU', '2026-12-24', true, 'Christmas Eve (a bank holiday, not public)'],
    ['EU', '2026-12-25', false, 'Christmas Day'],
  ];

  it.each(days)('%s %s is a business day: %s (%s)', (region, date, expected) => {
    // Act
    const result = isBusinessDay(policy, region, date);

    // Assess
    expect(result).toBe(expected);
  });

  it('counts Monday to Friday of an ordinary week and not the weekend', () => {
    // Prepare: 2026-06-22 is a Monday, no holiday in any region that week (the week before has Juneteenth).
    const week = [
      '2026-06-22',
      '2026-06-23',
      '2026-06-24',
      '2026-06-25',
      '2026-06-26',
      '2026-06-27',
      '2026-06-28',
    ];
    const regions: Region[] = ['AMER', 'APJC', 'AUS', 'EU'];

    // Act
    const byRegion = regions.map((region) => week.map((date) => isBusinessDay(policy, region, date)));

    // Assess
    for (const days of byRegion) expect(days).toEqual([true, true, true, true, true, false, false]);
  });

  it('treats a holiday on a weekend as a holiday but no extra day off where none is given', () => {
    // Act / Assess
    expect(isHoliday(policy, 'EU', '2026-10-03')).toBe(true);
    expect(isHoliday(policy, 'EU', '2026-10-05')).toBe(false);
  });

  it('removes DE Christmas Eve when the policy also counts bank holidays', () => {
    // Prepare
    const withBankHolidays = parsePolicy({
      regions: { EU: { timezone: 'Europe/Berlin', holidays: { country: 'DE', types: ['public', 'bank'] } } },
    });

    // Act
    const christmasEve = isBusinessDay(withBankHolidays, 'EU', '2026-12-24');
    const dayBefore = isBusinessDay(withBankHolidays, 'EU', '2026-12-23');

    // Assess
    expect(christmasEve).toBe(false);
    expect(dayBefore).toBe(true);
  });

  it('removes the US day after Thanksgiving when the policy counts observances', () => {
    // Prepare
    const withObservances = parsePolicy({
      regions: {
        AMER: { timezone: 'America/New_York', holidays: { country: 'US', types: ['public', 'observance'] } },
      },
    });

    // Act
    const dayAfterThanksgiving = isBusinessDay(withObservances, 'AMER', '2026-11-27');

    // Assess
    expect(dayAfterThanksgiving).toBe(false);
    expect(isBusinessDay(policy, 'AMER', '2026-11-27')).toBe(true);
  });

  it('uses the state calendar: Canberra Day is no holiday in New South Wales', () => {
    // Prepare
    const sydneyCalendar = parsePolicy({
      regions: { AUS: { timezone: 'Australia/Sydney', holidays: { country: 'AU', state: 'NSW' } } },
    });

    // Act
    const canberraDay = isBusinessDay(sydneyCalendar, 'AUS', '2026-03-09');

    // Assess
    expect(canberraDay).toBe(true);
    expect(isBusinessDay(policy, 'AUS', '2026-03-09')).toBe(false);
  });
});

describe('addBusinessDays (rules section 2)', () => {
  it('never counts the start date, even when it is a business day', () => {
    // Prepare: Monday 2026-06-15 09:00 CEST.
    const monday = '2026-06-15T07:00:00Z';

    // Act
    const result = addBusinessDays(policy, 'EU', monday, 1);

    // Assess
    expect(local(result)).toBe('2026-06-16T09:00:00+02:00');
  });

  it.each([
    ['a Saturday', 'EU', '2026-06-13T10:00:00+02:00', '2026-06-15T10:00:00+02:00'],
    ['a Sunday', 'EU', '2026-06-14T23:30:00+02:00', '2026-06-15T23:30:00+02:00'],
    ['Thanksgiving', 'AMER', '2026-11-26T12:00:00-05:00', '2026-11-27T12:00:00-05:00'],
    [
      'ANZAC Day (a Saturday) with its Monday substitute',
      'AUS',
      '2026-04-25T08:00:00+10:00',
      '2026-04-28T08:00:00+10:00',
    ],
    ['Showa Day', 'APJC', '2026-04-29T15:00:00+09:00', '2026-04-30T15:00:00+09:00'],
  ] as const)('from %s makes the first business day after it day 1', (_case, region, from, expected) => {
    // Act
    const result = addBusinessDays(policy, region, from, 1);

    // Assess
    expect(local(result)).toBe(expected);
  });

  it.each([
    // A Monday 22:00 in New York is already Tuesday in UTC: the local Monday is the start date.
    ['AMER', '2026-06-16T02:00:00Z', '2026-06-16T22:00:00-04:00', '2026-06-17T02:00:00Z'],
    // A Monday 05:00 in Tokyo is still Sunday in UTC.
    ['APJC', '2026-06-14T20:00:00Z', '2026-06-16T05:00:00+09:00', '2026-06-15T20:00:00Z'],
    // A Monday 07:00 in Sydney is still Sunday in UTC.
    ['AUS', '2026-06-14T21:00:00Z', '2026-06-16T07:00:00+10:00', '2026-06-15T21:00:00Z'],
  ] as const)(
    'counts from the local date in %s: %s + 1 is %s',
    (region, from, expectedLocal, expectedUtc) => {
      // Act
      const result = addBusinessDays(policy, region, from, 1);

      // Assess
      expect(local(result)).toBe(expectedLocal);
      expect(utc(result)).toBe(expectedUtc);
    },
  );

  it.each([
    ['AMER', 'America/New_York'],
    ['APJC', 'Asia/Tokyo'],
    ['AUS', 'Australia/Sydney'],
    ['EU', 'Europe/Berlin'],
  ] as const)('returns the result in the zone of %s (%s)', (region, zone) => {
    // Act
    const result = addBusinessDays(policy, region, '2026-06-15T12:00:00Z', 2);

    // Assess
    expect(result.zoneName).toBe(zone);
  });

  it('accepts a Date, an ISO string and a DateTime for the same instant', () => {
    // Prepare: Wednesday 2026-11-25 10:00 EST.
    const iso = '2026-11-25T15:00:00Z';

    // Act
    const fromString = addBusinessDays(policy, 'AMER', iso, 3);
    const fromDate = addBusinessDays(policy, 'AMER', new Date(iso), 3);
    const fromDateTime = addBusinessDays(policy, 'AMER', DateTime.fromISO(iso, { zone: 'Asia/Tokyo' }), 3);

    // Assess
    expect(local(fromString)).toBe('2026-12-01T10:00:00-05:00');
    expect(local(fromDate)).toBe('2026-12-01T10:00:00-05:00');
    expect(local(fromDateTime)).toBe('2026-12-01T10:00:00-05:00');
  });

  it('keeps seconds and milliseconds of the wall-clock time', () => {
    // Act
    const result = addBusinessDays(policy, 'EU', '2026-06-15T07:08:09.123Z', 1);

    // Assess
    expect(result.toISO()).toBe('2026-06-16T09:08:09.123+02:00');
  });

  it('returns the same instant for 0 business days and refuses a negative or fractional count', () => {
    // Act
    const zero = addBusinessDays(policy, 'EU', '2026-06-13T08:00:00Z', 0);

    // Assess
    expect(utc(zero)).toBe('2026-06-13T08:00:00Z');
    expect(() => addBusinessDays(policy, 'EU', '2026-06-13T08:00:00Z', -1)).toThrow(RangeError);
    expect(() => addBusinessDays(policy, 'EU', '2026-06-13T08:00:00Z', 1.5)).toThrow(RangeError);
  });

  it('refuses an invalid instant', () => {
    expect(() => addBusinessDays(policy, 'EU', 'not a date', 1)).toThrow(RangeError);
  });
});

describe('notice and reply deadlines from notices sent just before holidays', () => {
  type NoticeCase = {
    holiday: string;
    region: Region;
    sentAt: string;
    replyBy: string;
    noticeEnds: string;
  };

  const cases: NoticeCase[] = [
    {
      // Wed 25 Nov; Thu 26 Thanksgiving; Fri 27 (1), Mon 30 (2), Tue 1 Dec (3) ... Thu 10 Dec (10).
      holiday: 'US Thanksgiving 2026-11-26',
      region: 'AMER',
      sentAt: '2026-11-25T10:00:00-05:00',
      replyBy: '2026-12-01T10:00:00-05:00',
      noticeEnds: '2026-12-10T10:00:00-05:00',
    },
    {
      // Wed 23 Dec; Thu 24 (1), Fri 25 Christmas, Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5),
      // Fri 1 Jan New Year, Mon 4 (6) ... Fri 8 Jan 2027 (10).
      holiday: 'US Christmas 2026-12-25',
      region: 'AMER',
      sentAt: '2026-12-23T10:00:00-05:00',
      replyBy: '2026-12-29T10:00:00-05:00',
      noticeEnds: '2027-01-08T10:00:00-05:00',
    },
    {
      // Thu 2 Jul; Fri 3 Independence Day observed; Mon 6 (1), Tue 7 (2), Wed 8 (3) ... Fri 17 (10).
      holiday: 'US Independence Day substitute 2026-07-03',
      region: 'AMER',
      sentAt: '2026-07-02T10:00:00-04:00',
      replyBy: '2026-07-08T10:00:00-04:00',
      noticeEnds: '2026-07-17T10:00:00-04:00',
    },
    {
      // Tue 28 Apr; Wed 29 Showa Day; Thu 30 (1), Fri 1 May (2), 3-6 May holidays/weekend,
      // Thu 7 (3), Fri 8 (4), Mon 11 (5) ... Mon 18 May (10).
      holiday: 'JP Showa Day 2026-04-29 and Golden Week',
      region: 'APJC',
      sentAt: '2026-04-28T10:00:00+09:00',
      replyBy: '2026-05-07T10:00:00+09:00',
      noticeEnds: '2026-05-18T10:00:00+09:00',
    },
    {
      // Fri 1 May; Sat 2, Sun 3, Mon 4, Tue 5, Wed 6 (substitute) off; Thu 7 (1), Fri 8 (2), Mon 11 (3)
      // ... Thu 14 (6), Fri 15 (7), Mon 18 (8), Tue 19 (9), Wed 20 (10).
      holiday: 'JP Golden Week 2026-05-03..05-06 with the substitute',
      region: 'APJC',
      sentAt: '2026-05-01T18:30:00+09:00',
      replyBy: '2026-05-11T18:30:00+09:00',
      noticeEnds: '2026-05-20T18:30:00+09:00',
    },
    {
      // Fri 24 Apr; Sat 25 ANZAC Day, Sun 26, Mon 27 substitute; Tue 28 (1), Wed 29 (2), Thu 30 (3),
      // Fri 1 May (4), Mon 4 (5) ... Fri 8 (9), Mon 11 May (10).
      holiday: 'AU ANZAC Day 2026-04-25 and its substitute 2026-04-27',
      region: 'AUS',
      sentAt: '2026-04-24T10:00:00+10:00',
      replyBy: '2026-04-30T10:00:00+10:00',
      noticeEnds: '2026-05-11T10:00:00+10:00',
    },
    {
      // Fri 6 Mar; Mon 9 Canberra Day; Tue 10 (1), Wed 11 (2), Thu 12 (3) ... Mon 23 Mar (10).
      holiday: 'AU Canberra Day (ACT) 2026-03-09',
      region: 'AUS',
      sentAt: '2026-03-06T10:00:00+11:00',
      replyBy: '2026-03-12T10:00:00+11:00',
      noticeEnds: '2026-03-23T10:00:00+11:00',
    },
    {
      // Fri 2 Oct; Sat 3 Unity Day changes nothing; Mon 5 (1), Tue 6 (2), Wed 7 (3) ... Fri 16 (10).
      holiday: 'DE German Unity Day 2026-10-03 (a Saturday)',
      region: 'EU',
      sentAt: '2026-10-02T10:00:00+02:00',
      replyBy: '2026-10-07T10:00:00+02:00',
      noticeEnds: '2026-10-16T10:00:00+02:00',
    },
    {
      // Fri 1 Oct 2027; Sun 3 Unity Day, no substitute; Mon 4 (1), Tue 5 (2), Wed 6 (3) ... Fri 15 (10).
      holiday: 'DE German Unity Day 2027-10-03 (a Sunday)',
      region: 'EU',
      sentAt: '2027-10-01T10:00:00+02:00',
      replyBy: '2027-10-06T10:00:00+02:00',
      noticeEnds: '2027-10-15T10:00:00+02:00',
    },
    {
      // Thu 2 Apr; Fri 3 Good Friday, Mon 6 Easter Monday; Tue 7 (1), Wed 8 (2), Thu 9 (3) ... Mon 20 (10).
      holiday: 'DE Good Friday 2026-04-03 and Easter Monday 2026-04-06',
      region: 'EU',
      sentAt: '2026-04-02T10:00:00+02:00',
      replyBy: '2026-04-09T10:00:00+02:00',
      noticeEnds: '2026-04-20T10:00:00+02:00',
    },
    {
      // Wed 23 Dec; Thu 24 (1), Fri 25 and Sat 26 holidays, Mon 28 (2), Tue 29 (3), Wed 30 (4),
      // Thu 31 (5), Fri 1 Jan holiday, Mon 4 (6) ... Fri 8 Jan 2027 (10).
      holiday: 'DE Christmas 2026-12-25/26',
      region: 'EU',
      sentAt: '2026-12-23T16:45:00+01:00',
      replyBy: '2026-12-29T16:45:00+01:00',
      noticeEnds: '2027-01-08T16:45:00+01:00',
    },
  ];

  it.each(cases)('before $holiday: reply by $replyBy', ({ region, sentAt, replyBy }) => {
    // Act
    const result = addBusinessDays(policy, region, sentAt, replyBusinessDays);

    // Assess
    expect(replyBusinessDays).toBe(3);
    expect(local(result)).toBe(replyBy);
  });

  it.each(cases)(
    'before $holiday: 10 business days of notice end on $noticeEnds',
    ({ region, sentAt, noticeEnds }) => {
      // Act
      const result = addBusinessDays(policy, region, sentAt, disruptiveBusinessDays);

      // Assess
      expect(disruptiveBusinessDays).toBe(10);
      expect(local(result)).toBe(noticeEnds);
    },
  );

  it.each(cases)('before $holiday: the date-only variant agrees', ({ region, sentAt, noticeEnds }) => {
    // Act
    const date = addBusinessDaysToDate(policy, region, sentAt.slice(0, 10), disruptiveBusinessDays);

    // Assess
    expect(date).toBe(noticeEnds.slice(0, 10));
  });

  it('gives one day less to reply to a DE Christmas notice when bank holidays count', () => {
    // Prepare: Wed 23 Dec; Thu 24 is now off; Mon 28 (1), Tue 29 (2), Wed 30 (3).
    const withBankHolidays = parsePolicy({
      regions: { EU: { timezone: 'Europe/Berlin', holidays: { country: 'DE', types: ['public', 'bank'] } } },
    });

    // Act
    const replyBy = addBusinessDays(withBankHolidays, 'EU', '2026-12-23T16:45:00+01:00', 3);

    // Assess
    expect(local(replyBy)).toBe('2026-12-30T16:45:00+01:00');
  });
});

describe('addBusinessDays across a daylight-saving change keeps the wall-clock time', () => {
  it.each([
    // Fri 6 Mar 10:00 EST -> Mon 9 Mar 10:00 EDT: one hour less in UTC.
    ['AMER spring', 'AMER', '2026-03-06T15:00:00Z', 1, '2026-03-09T10:00:00-04:00', '2026-03-09T14:00:00Z'],
    // Fri 30 Oct 10:00 EDT -> Mon 2 Nov 10:00 EST.
    ['AMER autumn', 'AMER', '2026-10-30T14:00:00Z', 1, '2026-11-02T10:00:00-05:00', '2026-11-02T15:00:00Z'],
    // Fri 27 Mar 10:00 CET -> Mon 30 Mar 10:00 CEST.
    ['EU spring', 'EU', '2026-03-27T09:00:00Z', 1, '2026-03-30T10:00:00+02:00', '2026-03-30T08:00:00Z'],
    // Fri 23 Oct 10:00 CEST -> Mon 26 Oct 10:00 CET.
    ['EU autumn', 'EU', '2026-10-23T08:00:00Z', 1, '2026-10-26T10:00:00+01:00', '2026-10-26T09:00:00Z'],
    // Thu 2 Apr 10:00 AEDT; Good Friday to Easter Monday off (ACT); Tue 7 Apr 10:00 AEST.
    ['AUS end of DST', 'AUS', '2026-04-01T23:00:00Z', 1, '2026-04-07T10:00:00+10:00', '2026-04-07T00:00:00Z'],
    // Fri 2 Oct 10:00 AEST; Mon 5 Oct is Labour Day (ACT); Tue 6 Oct 10:00 AEDT.
    [
      'AUS start of DST',
      'AUS',
      '2026-10-02T00:00:00Z',
      1,
      '2026-10-06T10:00:00+11:00',
      '2026-10-05T23:00:00Z',
    ],
    // 02:30 does not exist on the change night but does on the result day: Fri 6 Mar 02:30 EST ->
    // Tue 10 Mar 02:30 EDT (two business days).
    ['AMER at 02:30', 'AMER', '2026-03-06T07:30:00Z', 2, '2026-03-10T02:30:00-04:00', '2026-03-10T06:30:00Z'],
  ] as const)('%s: %s + %i business days is %s', (_case, region, from, n, expectedLocal, expectedUtc) => {
    // Act
    const result = addBusinessDays(policy, region, from, n);

    // Assess
    expect(local(result)).toBe(expectedLocal);
    expect(utc(result)).toBe(expectedUtc);
  });
});
