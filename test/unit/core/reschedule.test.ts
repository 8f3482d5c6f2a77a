import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { checkReschedule, type ReschedulableChange } from '#core/reschedule.ts';
import { CHANGE_STATUSES, type ChangeStatus } from '#core/vocabulary.ts';

// Expected values worked out by hand from rules.md section 4 and api.md. New York is EST (-05:00) from
// 1 Nov 2026; Berlin switches to CEST (+02:00) on 29 Mar 2026.

const policy = DEFAULT_POLICY;

function utc(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

// An AMER change in the window of Mon 7 Dec 2026, 21:00 EST. Its cutoff is Mon 30 Nov 21:00 EST
// (1 Dec 02:00Z). "now" is Fri 20 Nov 15:00 EST.
const change: ReschedulableChange = {
  region: 'AMER',
  type: 'configuration',
  status: 'SCHEDULED',
  emergency: false,
  urgent: false,
  reschedulesRemaining: 1,
  windowStart: '2026-12-08T02:00:00Z',
};
const now = '2026-11-20T20:00:00Z';
const tuesday15Dec = '2026-12-16T02:00:00Z'; // Tue 15 Dec 21:00 EST

function check(overrides: Partial<ReschedulableChange>, requestedStart: string, at: string = now) {
  return checkReschedule(policy, { ...change, ...overrides }, requestedStart, at);
}

describe('checkReschedule: accepted requests', () => {
  it('accepts the start of another weekday window and gives the new reschedule cutoff', () => {
    const result = check({}, tuesday15Dec);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.window.id).toBe('AMER#2026-12-15');
    expect(utc(result.window.start)).toBe('2026-12-16T02:00:00Z');
    expect(utc(result.window.end)).toBe('2026-12-16T11:00:00Z');
    expect(utc(result.rescheduleCutoff)).toBe('2026-12-09T02:00:00Z');
  });

  it('accepts a weekend window for a rescheduled customer change', () => {
    const result = check({}, '2026-12-13T02:00:00Z'); // Sat 12 Dec 21:00 EST

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.window.id).toBe('AMER#2026-12-12');
    expect(result.window.customer).toBe(false);
  });

  it('accepts the window start written with its local offset', () => {
    const result = check({}, '2026-12-15T21:00:00-05:00');

    expect(result).toMatchObject({ ok: true, window: { id: 'AMER#2026-12-15' } });
  });

  it('accepts an earlier window than the current one when it is at least 7 days away', () => {
    const result = check({}, '2026-12-02T02:00:00Z'); // Tue 1 Dec 21:00 EST, 11 days after the request

    expect(result).toMatchObject({ ok: true, window: { id: 'AMER#2026-12-01' } });
  });

  it('accepts a CONFIRMED change as well as a SCHEDULED one', () => {
    expect(check({ status: 'CONFIRMED' }, tuesday15Dec).ok).toBe(true);
  });
});

describe('checkReschedule: refusals', () => {
  it('refuses an emergency change with NOT_RESCHEDULABLE 409 and says why', () => {
    const result = check({ emergency: true, reschedulesRemaining: 0 }, tuesday15Dec);

    expect(result).toMatchObject({ ok: false, code: 'NOT_RESCHEDULABLE', status: 409 });
    if (!result.ok) expect(result.message).toMatch(/emergency/);
  });

  it('refuses an urgent planned change with NOT_RESCHEDULABLE 409 and says why', () => {
    const result = check({ urgent: true }, tuesday15Dec);

    expect(result).toMatchObject({ ok: false, code: 'NOT_RESCHEDULABLE', status: 409 });
    if (!result.ok) expect(result.message).toMatch(/urgent/);
  });

  it('checks NOT_RESCHEDULABLE before the status', () => {
    expect(check({ emergency: true, status: 'IN_PROGRESS' }, tuesday15Dec)).toMatchObject({
      code: 'NOT_RESCHEDULABLE',
    });
  });

  const notMovable = CHANGE_STATUSES.filter((status) => status !== 'SCHEDULED' && status !== 'CONFIRMED');

  it('lists every status of the change resource', () => {
    expect([...CHANGE_STATUSES].sort()).toEqual(
      ['CANCELLED', 'COMPLETED', 'CONFIRMED', 'FAILED', 'IN_PROGRESS', 'ROLLED_BACK', 'SCHEDULED'].sort(),
    );
    expect(notMovable).toHaveLength(5);
  });

  it.each(notMovable)('refuses a %s change with INVALID_STATE 409', (status: ChangeStatus) => {
    const result = check({ status }, tuesday15Dec);

    expect(result).toMatchObject({ ok: false, code: 'INVALID_STATE', status: 409 });
    if (!result.ok) expect(result.message).toContain(status);
  });

  it('refuses a second reschedule with RESCHEDULE_LIMIT_REACHED 409', () => {
    const result = check({ reschedulesRemaining: 0 }, tuesday15Dec);

    expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_LIMIT_REACHED', status: 409 });
  });

  it('checks the status before the reschedule count, and the count before the cutoff', () => {
    expect(check({ status: 'CANCELLED', reschedulesRemaining: 0 }, tuesday15Dec)).toMatchObject({
      code: 'INVALID_STATE',
    });
    expect(check({ reschedulesRemaining: 0 }, tuesday15Dec, '2026-12-05T00:00:00Z')).toMatchObject({
      code: 'RESCHEDULE_LIMIT_REACHED',
    });
  });

  it('accepts a request exactly at the cutoff, 168 hours before the window', () => {
    expect(check({}, tuesday15Dec, '2026-12-01T02:00:00Z').ok).toBe(true);
  });

  it('refuses a request one millisecond after the cutoff with RESCHEDULE_CUTOFF_PASSED 409, naming the cutoff', () => {
    const result = check({}, tuesday15Dec, '2026-12-01T02:00:00.001Z');

    expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_CUTOFF_PASSED', status: 409 });
    if (!result.ok) expect(result.message).toContain('2026-11-30 21:00'); // the cutoff on the local clock
  });

  it('checks the cutoff before the requested window', () => {
    expect(check({}, '2026-12-16T03:00:00Z', '2026-12-05T00:00:00Z')).toMatchObject({
      code: 'RESCHEDULE_CUTOFF_PASSED',
    });
  });

  it.each([
    ['22:00 local, an hour into the window', '2026-12-16T03:00:00Z'],
    ['21:00 UTC, which is 16:00 in New York', '2026-12-15T21:00:00Z'],
    ['one second after a window start', '2026-12-16T02:00:01Z'],
    ['the start of a Tokyo window, not a New York one', '2026-12-15T12:00:00Z'],
  ])('refuses %s with OUTSIDE_MAINTENANCE_WINDOW 422', (_name, requestedStart) => {
    const result = check({}, requestedStart);

    expect(result).toMatchObject({ ok: false, code: 'OUTSIDE_MAINTENANCE_WINDOW', status: 422 });
  });

  it.each([
    ['in UTC', '2026-12-08T02:00:00Z'],
    ['with its local offset', '2026-12-07T21:00:00-05:00'],
  ])('refuses the current window %s with SAME_WINDOW 422', (_name, requestedStart) => {
    const result = check({}, requestedStart);

    expect(result).toMatchObject({ ok: false, code: 'SAME_WINDOW', status: 422 });
  });

  describe('at least 7 days after the request', () => {
    const tuesday24Nov = '2026-11-25T02:00:00Z'; // request at Tue 24 Nov 21:00 EST

    it('accepts a window exactly 7 days after the request', () => {
      expect(check({}, '2026-12-02T02:00:00Z', tuesday24Nov)).toMatchObject({
        ok: true,
        window: { id: 'AMER#2026-12-01' },
      });
    });

    it('refuses a window 6 days after the request with RESCHEDULE_TOO_SOON 422', () => {
      const result = check({}, '2026-12-01T02:00:00Z', tuesday24Nov);

      expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_TOO_SOON', status: 422 });
      if (!result.ok) expect(result.message).toContain('2026-12-01 21:00'); // the soonest allowed start
    });

    it('refuses a window that starts one millisecond less than 7 days after the request', () => {
      expect(check({}, '2026-12-02T02:00:00Z', '2026-11-25T02:00:00.001Z')).toMatchObject({
        code: 'RESCHEDULE_TOO_SOON',
      });
    });
  });

  describe('at most 60 days after the original window', () => {
    it('accepts the window exactly 60 days after the original (Fri 5 Feb 2027 21:00 EST)', () => {
      expect(check({}, '2027-02-06T02:00:00Z')).toMatchObject({
        ok: true,
        window: { id: 'AMER#2027-02-05' },
      });
    });

    it('refuses the window after it with RESCHEDULE_TOO_LATE 422', () => {
      const result = check({}, '2027-02-07T02:00:00Z');

      expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_TOO_LATE', status: 422 });
      if (!result.ok) expect(result.message).toContain('2027-02-05 21:00');
    });

    it('counts from originalWindowStart when the change was moved before', () => {
      // Original window Mon 30 Nov 21:00 EST + 60 days = Fri 29 Jan 2027 21:00 EST.
      const moved = { originalWindowStart: '2026-12-01T02:00:00Z' };

      expect(check(moved, '2027-01-30T02:00:00Z')).toMatchObject({
        ok: true,
        window: { id: 'AMER#2027-01-29' },
      });
      expect(check(moved, '2027-01-31T02:00:00Z')).toMatchObject({ code: 'RESCHEDULE_TOO_LATE' });
    });
  });

  describe('certificate renewals stay 7 to 3 days before expiry', () => {
    // Expires Sat 12 Dec 12:00 EST: the window must start between Sat 5 Dec 12:00 and Wed 9 Dec 12:00 EST.
    const certificate: Partial<ReschedulableChange> = {
      type: 'certificate-renewal',
      certificateExpiresAt: '2026-12-12T17:00:00Z',
    };

    it('accepts a window inside the range, weekend included', () => {
      expect(check(certificate, '2026-12-09T02:00:00Z')).toMatchObject({
        ok: true,
        window: { id: 'AMER#2026-12-08' },
      });
      expect(check(certificate, '2026-12-06T02:00:00Z')).toMatchObject({
        ok: true,
        window: { id: 'AMER#2026-12-05' },
      });
    });

    it('refuses a window less than 3 days before expiry with RESCHEDULE_TOO_LATE, naming the certificate', () => {
      const result = check(certificate, '2026-12-10T02:00:00Z'); // Wed 9 Dec 21:00 EST

      expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_TOO_LATE', status: 422 });
      if (!result.ok) expect(result.message).toMatch(/certificate expires 2026-12-12 12:00/);
    });

    it('refuses a window more than 7 days before expiry with RESCHEDULE_TOO_SOON, naming the certificate', () => {
      const result = check(certificate, '2026-12-05T02:00:00Z'); // Fri 4 Dec 21:00 EST

      expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_TOO_SOON', status: 422 });
      if (!result.ok) expect(result.message).toMatch(/certificate/);
    });
  });

  // The new window's capacity is the store's condition when the move is written (core/capacity.ts):
  // a full window, a window with one place left, and the date rules coming first are tested with
  // the move itself (test/unit/app/move-change.test.ts) and on DynamoDB Local (reschedule.test.ts).
  it('answers the window the capacity reservation is for', () => {
    const result = check({}, tuesday15Dec);

    expect(result.ok && result.window.id).toBe('AMER#2026-12-15');
  });

  it.each([
    ['words', 'next tuesday'],
    ['a date without a time', '2026-12-15'],
    ['a time without an offset', '2026-12-15T21:00:00'],
    ['an impossible date', '2026-02-30T02:00:00Z'],
  ])('refuses %s as requestedStart with VALIDATION_FAILED 400', (_name, requestedStart) => {
    const result = check({}, requestedStart);

    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', status: 400 });
  });
});

describe('checkReschedule across daylight-saving changes (Berlin, 29 Mar 2026)', () => {
  // Window Wed 1 Apr 21:00 CEST (19:00Z). The cutoff is 168 real hours earlier: 25 Mar 19:00Z, which is
  // 20:00 CET on the wall clock, not 21:00.
  const april: ReschedulableChange = { ...change, region: 'EU', windowStart: '2026-04-01T19:00:00Z' };
  const thursday2Apr = '2026-04-02T19:00:00Z';

  it('accepts a request exactly 168 hours before the window', () => {
    const result = checkReschedule(policy, april, thursday2Apr, '2026-03-25T19:00:00Z');

    expect(result).toMatchObject({ ok: true, window: { id: 'EU#2026-04-02' } });
    if (result.ok) expect(utc(result.rescheduleCutoff)).toBe('2026-03-26T19:00:00Z');
  });

  it('refuses a request at 20:30 CET, before 21:00 on the wall clock but after the 168-hour cutoff', () => {
    const result = checkReschedule(policy, april, thursday2Apr, '2026-03-25T19:30:00Z');

    expect(result).toMatchObject({ ok: false, code: 'RESCHEDULE_CUTOFF_PASSED' });
  });

  it('counts the 7 days after the request as calendar days: Sun 22 Mar 21:00 CET to Sun 29 Mar 21:00 CEST', () => {
    // 7 calendar days across the spring change are 167 real hours.
    const later: ReschedulableChange = { ...april, windowStart: '2026-04-15T19:00:00Z' };
    const sunday22Mar = '2026-03-22T20:00:00Z';

    expect(checkReschedule(policy, later, '2026-03-29T19:00:00Z', sunday22Mar)).toMatchObject({
      ok: true,
      window: { id: 'EU#2026-03-29' },
    });
    expect(checkReschedule(policy, later, '2026-03-28T20:00:00Z', sunday22Mar)).toMatchObject({
      code: 'RESCHEDULE_TOO_SOON',
    });
  });

  it('accepts the 8-hour Saturday window of the change night as a window start (21:00 CET)', () => {
    const later: ReschedulableChange = { ...april, windowStart: '2026-04-15T19:00:00Z' };

    const result = checkReschedule(policy, later, '2026-03-28T20:00:00Z', '2026-03-20T12:00:00Z');

    expect(result).toMatchObject({ ok: true, window: { id: 'EU#2026-03-28' } });
    if (result.ok) expect(utc(result.window.end)).toBe('2026-03-29T04:00:00Z');
  });
});
