import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CapacityUsed, type PlanRequest, planChange, windowKindFor } from '#core/planning.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';

// Every expected value below was worked out by hand from rules.md, a printed calendar and the
// holiday lists of the regions (US federal, JP, AU-ACT, DE), never by running the code under test.
// Offsets: New York EST -05/EDT -04 (EDT 2026-03-08 .. 2026-11-01), Berlin CET +01/CEST +02
// (CEST 2026-03-29 .. 2026-10-25), Sydney AEST +10/AEDT +11 (AEST 2026-04-05 .. 2026-10-04), Tokyo +09.

const policy = DEFAULT_POLICY;
const noneUsed: CapacityUsed = () => 0;

function fullWindows(...ids: string[]): CapacityUsed {
  const full = new Set(ids);
  return (id) => (full.has(id) ? 25 : 0);
}

function utc(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

function planned(request: PlanRequest, capacityUsed: CapacityUsed = noneUsed) {
  const result = planChange(policy, request, capacityUsed);
  if (!result.ok) throw new Error(`expected a plan, got ${result.code}: ${result.message}`);
  return result.plan;
}

describe('windowKindFor', () => {
  it('gives infrastructure work the infrastructure windows and every other type the customer windows', () => {
    expect(windowKindFor('infrastructure')).toBe('infrastructure');
    expect(windowKindFor('upgrade')).toBe('customer');
    expect(windowKindFor('patch')).toBe('customer');
    expect(windowKindFor('certificate-renewal')).toBe('customer');
    expect(windowKindFor('configuration')).toBe('customer');
  });
});

describe('planChange: disruptive changes wait for 10 business days of notice', () => {
  interface Case {
    name: string;
    request: PlanRequest;
    full?: string[];
    windowId: string;
    start: string;
    end: string;
    replyBy: string;
    rescheduleCutoff: string;
  }
  const cases: Case[] = [
    {
      // Fri 20 Nov 15:00 EST. Business days: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thanksgiving Thu 26
      // skipped, Fri 27 (4), Mon 30 (5), Tue 1 Dec (6), Wed 2 (7), Thu 3 (8), Fri 4 (9), Mon 7 Dec (10).
      name: 'AMER: a Friday-afternoon notice before Thanksgiving week lands on the 10th business day, Mon 7 Dec',
      request: {
        region: 'AMER',
        type: 'upgrade',
        disruptsCalling: true,
        noticeSentAt: '2026-11-20T20:00:00Z',
      },
      windowId: 'AMER#2026-12-07',
      start: '2026-12-08T02:00:00Z',
      end: '2026-12-08T11:00:00Z',
      replyBy: '2026-11-25T20:00:00Z', // Wed 25 Nov 15:00 EST
      rescheduleCutoff: '2026-12-01T02:00:00Z',
    },
    {
      // Sun 22 Nov 10:00 EST: Monday is business day 1, so the same 10th business day as from Friday.
      name: 'AMER: a notice sent on a Sunday counts Monday as business day 1',
      request: {
        region: 'AMER',
        type: 'configuration',
        disruptsCalling: true,
        noticeSentAt: '2026-11-22T15:00:00Z',
      },
      windowId: 'AMER#2026-12-07',
      start: '2026-12-08T02:00:00Z',
      end: '2026-12-08T11:00:00Z',
      replyBy: '2026-11-25T15:00:00Z', // Wed 25 Nov 10:00 EST
      rescheduleCutoff: '2026-12-01T02:00:00Z',
    },
    {
      // Sat 9 May 10:00 CEST: Mon 11 (1), 12 (2), 13 (3), Ascension Thu 14 skipped, Fri 15 (4), 18 (5),
      // 19 (6), 20 (7), 21 (8), 22 (9), Whit Monday 25 skipped, Tue 26 May (10).
      name: 'EU: a Saturday notice skips Ascension and Whit Monday and lands on Tue 26 May',
      request: { region: 'EU', type: 'patch', disruptsCalling: true, noticeSentAt: '2026-05-09T08:00:00Z' },
      windowId: 'EU#2026-05-26',
      start: '2026-05-26T19:00:00Z',
      end: '2026-05-27T04:00:00Z',
      replyBy: '2026-05-13T08:00:00Z', // Wed 13 May 10:00 CEST
      rescheduleCutoff: '2026-05-19T19:00:00Z',
    },
    {
      // Fri 11 Sep 18:00 JST: 14 (1), 15 (2), 16 (3), 17 (4), 18 (5), Silver Week 21-23 skipped,
      // 24 (6), 25 (7), 28 (8), 29 (9), Wed 30 Sep (10).
      name: 'APJC: Silver Week holidays push a Friday notice to Wed 30 Sep',
      request: {
        region: 'APJC',
        type: 'upgrade',
        disruptsCalling: true,
        noticeSentAt: '2026-09-11T09:00:00Z',
      },
      windowId: 'APJC#2026-09-30',
      start: '2026-09-30T12:00:00Z',
      end: '2026-09-30T21:00:00Z',
      replyBy: '2026-09-16T09:00:00Z', // Wed 16 Sep 18:00 JST
      rescheduleCutoff: '2026-09-23T12:00:00Z',
    },
    {
      // Mon 21 Sep 10:00 JST is itself a holiday, and so are 22 and 23: Thu 24 (1), 25 (2), 28 (3),
      // 29 (4), 30 (5), 1 Oct (6), 2 (7), 5 (8), 6 (9), Wed 7 Oct (10).
      name: 'APJC: a notice sent on a public holiday counts from the first business day after it',
      request: {
        region: 'APJC',
        type: 'configuration',
        disruptsCalling: true,
        noticeSentAt: '2026-09-21T01:00:00Z',
      },
      windowId: 'APJC#2026-10-07',
      start: '2026-10-07T12:00:00Z',
      end: '2026-10-07T21:00:00Z',
      replyBy: '2026-09-28T01:00:00Z', // Mon 28 Sep 10:00 JST
      rescheduleCutoff: '2026-09-30T12:00:00Z',
    },
    {
      // Mon 14 Dec 09:00 AEDT (still Sunday in UTC): 15 (1) .. 18 (4), 21 (5), 22 (6), 23 (7), 24 (8),
      // Christmas 25, Boxing Day substitute Mon 28 skipped, Tue 29 (9), Wed 30 Dec (10).
      name: 'AUS: the local date counts, not the UTC one, and Christmas holidays are skipped',
      request: {
        region: 'AUS',
        type: 'upgrade',
        disruptsCalling: true,
        noticeSentAt: '2026-12-13T22:00:00Z',
      },
      windowId: 'AUS#2026-12-30',
      start: '2026-12-30T10:00:00Z',
      end: '2026-12-30T19:00:00Z',
      replyBy: '2026-12-16T22:00:00Z', // Thu 17 Dec 09:00 AEDT
      rescheduleCutoff: '2026-12-23T10:00:00Z',
    },
    {
      // Thu 5 Mar 10:00 EST: Fri 6 (1), Mon 9 (2), Tue 10 (3), ..., Thu 19 Mar (10), after the DST change.
      name: 'AMER: the reply deadline keeps 10:00 on the wall clock across the spring DST change',
      request: { region: 'AMER', type: 'patch', disruptsCalling: true, noticeSentAt: '2026-03-05T15:00:00Z' },
      windowId: 'AMER#2026-03-19',
      start: '2026-03-20T01:00:00Z', // 21:00 EDT
      end: '2026-03-20T10:00:00Z',
      replyBy: '2026-03-10T14:00:00Z', // Tue 10 Mar 10:00 EDT, not 15:00Z
      rescheduleCutoff: '2026-03-13T01:00:00Z',
    },
  ];

  it.each(cases)('$name', ({ request, full = [], windowId, start, end, replyBy, rescheduleCutoff }) => {
    const plan = planned(request, fullWindows(...full));

    expect(plan.window.id).toBe(windowId);
    expect(utc(plan.window.start)).toBe(start);
    expect(utc(plan.window.end)).toBe(end);
    expect(utc(plan.noticeSentAt)).toBe(request.noticeSentAt);
    expect(utc(plan.replyBy)).toBe(replyBy);
    expect(utc(plan.rescheduleCutoff)).toBe(rescheduleCutoff);
    expect(plan.reschedulesRemaining).toBe(1);
  });

  it('shows the window at 21:00 on the region wall clock, in the region zone', () => {
    const plan = planned({
      region: 'AMER',
      type: 'upgrade',
      disruptsCalling: true,
      noticeSentAt: '2026-11-20T20:00:00Z',
    });

    expect(plan.window.start.zoneName).toBe('America/New_York');
    expect(plan.window.start.toISO({ suppressMilliseconds: true })).toBe('2026-12-07T21:00:00-05:00');
    expect(plan.window.end.toISO({ suppressMilliseconds: true })).toBe('2026-12-08T06:00:00-05:00');
    expect(plan.noticeSentAt.toISO({ suppressMilliseconds: true })).toBe('2026-11-20T15:00:00-05:00');
    expect(plan.replyBy.toISO({ suppressMilliseconds: true })).toBe('2026-11-25T15:00:00-05:00');
  });

  it('accepts the notice as a luxon DateTime as well as an ISO string', () => {
    const fromString = planned({
      region: 'EU',
      type: 'patch',
      disruptsCalling: true,
      noticeSentAt: '2026-05-09T08:00:00Z',
    });
    const fromDateTime = planned({
      region: 'EU',
      type: 'patch',
      disruptsCalling: true,
      noticeSentAt: fromString.noticeSentAt.setZone('UTC'),
    });

    expect(fromDateTime.window.id).toBe('EU#2026-05-26');
  });
});

describe('planChange: non-disruptive changes take the next window at least 24 hours away', () => {
  it('APJC: a Tuesday 20:00 notice lands in Wednesday 21:00, 25 hours later', () => {
    const plan = planned({
      region: 'APJC',
      type: 'patch',
      disruptsCalling: false,
      noticeSentAt: '2026-06-09T11:00:00Z',
    });

    expect(plan.window.id).toBe('APJC#2026-06-10');
    expect(utc(plan.window.start)).toBe('2026-06-10T12:00:00Z');
  });

  it('APJC: a notice exactly 24 hours before a window may use that window', () => {
    // Tue 9 Jun 21:00 JST + 24 h = Wed 10 Jun 21:00 JST, the start of Wednesday's window.
    const plan = planned({
      region: 'APJC',
      type: 'patch',
      disruptsCalling: false,
      noticeSentAt: '2026-06-09T12:00:00Z',
    });

    expect(plan.window.id).toBe('APJC#2026-06-10');
  });

  it('APJC: a notice at 21:30 misses the next evening by 30 minutes and goes to the day after', () => {
    const plan = planned({
      region: 'APJC',
      type: 'patch',
      disruptsCalling: false,
      noticeSentAt: '2026-06-09T12:30:00Z',
    });

    expect(plan.window.id).toBe('APJC#2026-06-11');
    expect(utc(plan.window.start)).toBe('2026-06-11T12:00:00Z');
  });

  it('AUS: a Friday notice for a customer change skips the weekend to Monday', () => {
    // Fri 17 Jul 10:00 AEST + 24 h = Sat 18 Jul 10:00; customer windows start Monday to Friday.
    const plan = planned({
      region: 'AUS',
      type: 'configuration',
      disruptsCalling: false,
      noticeSentAt: '2026-07-17T00:00:00Z',
    });

    expect(plan.window.id).toBe('AUS#2026-07-20');
    expect(utc(plan.window.start)).toBe('2026-07-20T11:00:00Z');
  });

  it('AUS: the same Friday notice for infrastructure work takes the Saturday window', () => {
    const plan = planned({
      region: 'AUS',
      type: 'infrastructure',
      disruptsCalling: false,
      noticeSentAt: '2026-07-17T00:00:00Z',
    });

    expect(plan.window.id).toBe('AUS#2026-07-18');
    expect(plan.window.customer).toBe(false);
    expect(utc(plan.window.start)).toBe('2026-07-18T11:00:00Z');
    expect(utc(plan.window.end)).toBe('2026-07-18T20:00:00Z');
  });

  it('AMER: 24 hours are real hours, and the reschedule cutoff is 168 real hours before a window after the DST change', () => {
    // Mon 9 Mar 20:00 EDT + 24 h = Tue 10 Mar 20:00 EDT -> Tuesday's window, 21:00 EDT = 01:00Z.
    // 168 h earlier is 3 Mar 01:00Z = Tue 3 Mar 20:00 EST: one hour earlier on the wall clock.
    const plan = planned({
      region: 'AMER',
      type: 'patch',
      disruptsCalling: false,
      noticeSentAt: '2026-03-10T00:00:00Z',
    });

    expect(plan.window.id).toBe('AMER#2026-03-10');
    expect(utc(plan.window.start)).toBe('2026-03-11T01:00:00Z');
    expect(utc(plan.rescheduleCutoff)).toBe('2026-03-04T01:00:00Z');
    expect(plan.rescheduleCutoff.setZone('America/New_York').hour).toBe(20);
    expect(plan.window.start.diff(plan.rescheduleCutoff, 'hours').hours).toBe(168);
    // Thu 12 Mar 20:00 EDT: three business days on, same wall clock.
    expect(utc(plan.replyBy)).toBe('2026-03-13T00:00:00Z');
  });
});

describe('planChange: windows across daylight-saving changes', () => {
  it('EU: the Saturday window of the spring change is 8 hours long (21:00 CET to 06:00 CEST)', () => {
    // Fri 27 Mar 12:00 CET + 24 h = Sat 28 Mar 12:00 -> infrastructure may use Saturday's window.
    const plan = planned({
      region: 'EU',
      type: 'infrastructure',
      disruptsCalling: false,
      noticeSentAt: '2026-03-27T11:00:00Z',
    });

    expect(plan.window.id).toBe('EU#2026-03-28');
    expect(utc(plan.window.start)).toBe('2026-03-28T20:00:00Z');
    expect(utc(plan.window.end)).toBe('2026-03-29T04:00:00Z');
    expect(plan.window.end.diff(plan.window.start, 'hours').hours).toBe(8);
    expect(utc(plan.rescheduleCutoff)).toBe('2026-03-21T20:00:00Z');
  });

  it('EU: a customer change from the same notice waits for Monday, 21:00 CEST', () => {
    const plan = planned({
      region: 'EU',
      type: 'upgrade',
      disruptsCalling: false,
      noticeSentAt: '2026-03-27T11:00:00Z',
    });

    expect(plan.window.id).toBe('EU#2026-03-30');
    expect(utc(plan.window.start)).toBe('2026-03-30T19:00:00Z');
    // 168 h before 30 Mar 19:00Z is 23 Mar 19:00Z = Mon 23 Mar 20:00 CET.
    expect(utc(plan.rescheduleCutoff)).toBe('2026-03-23T19:00:00Z');
  });

  it('AUS: the Saturday window of the autumn change is 10 hours long (21:00 AEDT to 06:00 AEST)', () => {
    // Fri 3 Apr 09:00 AEDT (Good Friday; holidays do not matter without a business-day count) + 24 h.
    const plan = planned({
      region: 'AUS',
      type: 'infrastructure',
      disruptsCalling: false,
      noticeSentAt: '2026-04-02T22:00:00Z',
    });

    expect(plan.window.id).toBe('AUS#2026-04-04');
    expect(utc(plan.window.start)).toBe('2026-04-04T10:00:00Z');
    expect(utc(plan.window.end)).toBe('2026-04-04T20:00:00Z');
    expect(plan.window.end.diff(plan.window.start, 'hours').hours).toBe(10);
  });
});

describe('planChange: earliestStart', () => {
  // EU, Mon 1 Jun 09:00 CEST: 10 business days reach Mon 15 Jun (no German public holiday in between).
  const base: PlanRequest = {
    region: 'EU',
    type: 'configuration',
    disruptsCalling: true,
    noticeSentAt: '2026-06-01T07:00:00Z',
  };

  it('without earliestStart, takes the window of the 10th business day', () => {
    expect(planned(base).window.id).toBe('EU#2026-06-15');
  });

  it('a later earliestStart on a Saturday moves a customer change to the Monday after', () => {
    const plan = planned({ ...base, earliestStart: '2026-06-20T00:00:00+02:00' });

    expect(plan.window.id).toBe('EU#2026-06-22');
    expect(utc(plan.window.start)).toBe('2026-06-22T19:00:00Z');
  });

  it('the same earliestStart lets infrastructure work take the Saturday window', () => {
    const plan = planned({ ...base, type: 'infrastructure', earliestStart: '2026-06-20T00:00:00+02:00' });

    expect(plan.window.id).toBe('EU#2026-06-20');
    expect(utc(plan.window.start)).toBe('2026-06-20T19:00:00Z');
  });

  it('earliestStart exactly at a window start may use that window; one minute later may not', () => {
    expect(planned({ ...base, earliestStart: '2026-06-22T19:00:00Z' }).window.id).toBe('EU#2026-06-22');
    expect(planned({ ...base, earliestStart: '2026-06-22T19:01:00Z' }).window.id).toBe('EU#2026-06-23');
  });

  it('an earliestStart before the notice period changes nothing', () => {
    expect(planned({ ...base, earliestStart: '2026-06-03T00:00:00Z' }).window.id).toBe('EU#2026-06-15');
  });
});

describe('planChange: capacity', () => {
  const thanksgiving: PlanRequest = {
    region: 'AMER',
    type: 'upgrade',
    disruptsCalling: true,
    noticeSentAt: '2026-11-20T20:00:00Z',
  };

  it('skips full windows and takes the next one with room', () => {
    const plan = planned(thanksgiving, fullWindows('AMER#2026-12-07', 'AMER#2026-12-08'));

    expect(plan.window.id).toBe('AMER#2026-12-09');
    expect(utc(plan.window.start)).toBe('2026-12-10T02:00:00Z');
  });

  it('a window with 24 of 25 changes still has room', () => {
    const plan = planned(thanksgiving, (id) => (id === 'AMER#2026-12-07' ? 24 : 0));

    expect(plan.window.id).toBe('AMER#2026-12-07');
  });

  it('with the whole week full, infrastructure work takes Saturday and a customer change the next Monday', () => {
    const weekFull = fullWindows(
      'AMER#2026-12-07',
      'AMER#2026-12-08',
      'AMER#2026-12-09',
      'AMER#2026-12-10',
      'AMER#2026-12-11',
    );

    expect(planned({ ...thanksgiving, type: 'infrastructure' }, weekFull).window.id).toBe('AMER#2026-12-12');
    expect(utc(planned({ ...thanksgiving, type: 'infrastructure' }, weekFull).window.start)).toBe(
      '2026-12-13T02:00:00Z',
    );
    expect(planned(thanksgiving, weekFull).window.id).toBe('AMER#2026-12-14');
  });

  it('refuses with NO_ELIGIBLE_WINDOW when every window up to the search horizon is full', () => {
    const shortHorizon = parsePolicy({ windows: { searchHorizonDays: 30 } });

    const result = planChange(shortHorizon, thanksgiving, () => 25);

    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (!result.ok) expect(result.message).toMatch(/full/);
  });

  it('refuses with NO_ELIGIBLE_WINDOW when the notice period reaches past the search horizon', () => {
    const shortHorizon = parsePolicy({ windows: { searchHorizonDays: 7 } });

    const result = planChange(shortHorizon, thanksgiving, noneUsed);

    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (!result.ok) expect(result.message).toMatch(/10 business days/);
  });
});

describe('planChange: certificate renewals start 7 to 3 days before expiry', () => {
  // AMER, Mon 5 Oct 10:00 EDT: Tue 6 (1) .. Fri 9 (4), Columbus Day 12 skipped, 13 (5) .. Tue 20 Oct (10).
  const notice = '2026-10-05T14:00:00Z';

  it('takes the first window on or after expiry - 7 days when the notice allows it', () => {
    // Expires Mon 2 Nov 12:00 EST; 7 days before is Mon 26 Oct 12:00 EDT -> Monday's window 21:00 EDT.
    const plan = planned({
      region: 'AMER',
      type: 'certificate-renewal',
      disruptsCalling: true,
      noticeSentAt: notice,
      certificateExpiresAt: '2026-11-02T17:00:00Z',
      urgent: true,
    });

    expect(plan.window.id).toBe('AMER#2026-10-26');
    expect(utc(plan.window.start)).toBe('2026-10-27T01:00:00Z');
  });

  it('counts the 7 and 3 days as calendar days on the local wall clock, across the DST change', () => {
    // Expires Mon 2 Nov 21:00 EST (03 Nov 02:00Z). 7 calendar days before: Mon 26 Oct 21:00 EDT (01:00Z),
    // exactly the start of Monday's window (168 real hours would be 22:00 EDT and miss it).
    // 3 days before: Fri 30 Oct 21:00 EDT, exactly the start of Friday's window, the last one allowed.
    const request: PlanRequest = {
      region: 'AMER',
      type: 'certificate-renewal',
      disruptsCalling: true,
      noticeSentAt: notice,
      certificateExpiresAt: '2026-11-03T02:00:00Z',
    };

    expect(planned(request).window.id).toBe('AMER#2026-10-26');
    const lastAllowed = planned(
      request,
      fullWindows('AMER#2026-10-26', 'AMER#2026-10-27', 'AMER#2026-10-28', 'AMER#2026-10-29'),
    );
    expect(lastAllowed.window.id).toBe('AMER#2026-10-30');
    expect(utc(lastAllowed.window.start)).toBe('2026-10-31T01:00:00Z');

    const noneLeft = planChange(
      policy,
      request,
      fullWindows(
        'AMER#2026-10-26',
        'AMER#2026-10-27',
        'AMER#2026-10-28',
        'AMER#2026-10-29',
        'AMER#2026-10-30',
      ),
    );
    expect(noneLeft).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (!noneLeft.ok) expect(noneLeft.message).toMatch(/certificate/);
  });

  it('EU: a window that starts before expiry - 7 days (21:00 < 22:00) is not allowed', () => {
    // Expires Wed 30 Sep 22:00 CEST: range Wed 23 Sep 22:00 .. Sun 27 Sep 22:00 CEST. Wednesday's window at 21:00
    // is too early; the weekend is not for customer changes, so Thursday and Friday are the only candidates.
    const request: PlanRequest = {
      region: 'EU',
      type: 'certificate-renewal',
      disruptsCalling: true,
      noticeSentAt: '2026-09-07T07:00:00Z',
      certificateExpiresAt: '2026-09-30T20:00:00Z',
    };

    const plan = planned(request);
    expect(plan.window.id).toBe('EU#2026-09-24');
    expect(utc(plan.window.start)).toBe('2026-09-24T19:00:00Z');

    const result = planChange(policy, request, fullWindows('EU#2026-09-24', 'EU#2026-09-25'));
    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (!result.ok) expect(result.message).toMatch(/full/);
  });

  it('refuses with NO_ELIGIBLE_WINDOW, saying why, when the notice period reaches past the last allowed start', () => {
    // Notice Fri 20 Nov reaches Mon 7 Dec; the certificate expires Tue 1 Dec 12:00 EST, so the window
    // had to start by Sat 28 Nov 12:00 EST.
    const result = planChange(
      policy,
      {
        region: 'AMER',
        type: 'certificate-renewal',
        disruptsCalling: true,
        noticeSentAt: '2026-11-20T20:00:00Z',
        certificateExpiresAt: '2026-12-01T17:00:00Z',
      },
      noneUsed,
    );

    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (result.ok) return;
    expect(result.message).toContain('certificate expires 2026-12-01 12:00');
    expect(result.message).toContain('2026-11-28 12:00');
    expect(result.message).toContain('10 business days');
    expect(result.message).toContain('2026-12-07');
  });

  it('blames the notice when it reaches the last allowed date but that evening’s window starts too late', () => {
    // Notice Thu 19 Nov 15:00 EST: 20 (1), 23 (2), 24 (3), 25 (4), 27 (5), 30 (6), 1 Dec (7), 2 (8), 3 (9),
    // Fri 4 Dec (10). Expires Mon 7 Dec 12:00 EST: the window must start by Fri 4 Dec 12:00, and Friday's
    // window starts at 21:00.
    const result = planChange(
      policy,
      {
        region: 'AMER',
        type: 'certificate-renewal',
        disruptsCalling: true,
        noticeSentAt: '2026-11-19T20:00:00Z',
        certificateExpiresAt: '2026-12-07T17:00:00Z',
      },
      noneUsed,
    );

    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
    if (result.ok) return;
    expect(result.message).toContain('2026-12-04 12:00');
    expect(result.message).toContain('10 business days');
    expect(result.message).toContain('reaches 2026-12-04');
  });

  it('a non-disruptive renewal with the same certificate still fits, in the first customer window of the range', () => {
    // Range Tue 24 Nov 12:00 .. Sat 28 Nov 12:00 EST; the notice + 24 h (Sat 21 Nov) is earlier.
    const plan = planned({
      region: 'AMER',
      type: 'certificate-renewal',
      disruptsCalling: false,
      noticeSentAt: '2026-11-20T20:00:00Z',
      certificateExpiresAt: '2026-12-01T17:00:00Z',
    });

    expect(plan.window.id).toBe('AMER#2026-11-24');
    expect(utc(plan.window.start)).toBe('2026-11-25T02:00:00Z');
  });

  it('refuses with NO_ELIGIBLE_WINDOW when the certificate has already expired', () => {
    const result = planChange(
      policy,
      {
        region: 'APJC',
        type: 'certificate-renewal',
        disruptsCalling: false,
        noticeSentAt: '2026-11-20T00:00:00Z',
        certificateExpiresAt: '2026-11-19T00:00:00Z',
      },
      noneUsed,
    );

    expect(result).toMatchObject({ ok: false, code: 'NO_ELIGIBLE_WINDOW', status: 422 });
  });

  it('refuses a certificate renewal without certificateExpiresAt with VALIDATION_FAILED', () => {
    const result = planChange(
      policy,
      {
        region: 'EU',
        type: 'certificate-renewal',
        disruptsCalling: true,
        noticeSentAt: '2026-09-07T07:00:00Z',
      },
      noneUsed,
    );

    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', status: 400 });
    if (!result.ok) expect(result.message).toContain('certificateExpiresAt');
  });
});

describe('planChange: reschedules and validation', () => {
  it('gives an urgent change no reschedule and a normal one the policy count', () => {
    const request: PlanRequest = {
      region: 'EU',
      type: 'upgrade',
      disruptsCalling: true,
      noticeSentAt: '2026-06-01T07:00:00Z',
    };

    expect(planned({ ...request, urgent: true }).reschedulesRemaining).toBe(0);
    expect(planned({ ...request, urgent: false }).reschedulesRemaining).toBe(1);
    expect(planned(request).reschedulesRemaining).toBe(1);
  });

  it.each([
    ['an unparseable noticeSentAt', { noticeSentAt: 'next tuesday' }],
    ['a noticeSentAt without an offset', { noticeSentAt: '2026-06-01T09:00:00' }],
    ['a date-only noticeSentAt', { noticeSentAt: '2026-06-01' }],
    ['an unparseable earliestStart', { earliestStart: '2026-13-40T00:00:00Z' }],
  ])('refuses %s with VALIDATION_FAILED', (_name, override) => {
    const result = planChange(
      policy,
      {
        region: 'EU',
        type: 'upgrade',
        disruptsCalling: true,
        noticeSentAt: '2026-06-01T07:00:00Z',
        ...override,
      },
      noneUsed,
    );

    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', status: 400 });
  });
});
