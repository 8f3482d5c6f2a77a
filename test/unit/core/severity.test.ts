import { describe, expect, it } from 'vitest';
import { DomainError } from '#core/errors.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import { assessSeverity, severityOf } from '#core/severity.ts';
import type { Impact, Urgency } from '#core/vocabulary.ts';

const policy = DEFAULT_POLICY;

describe('severityOf', () => {
  it.each([
    ['critical', 'widespread', 'S1'],
    ['critical', 'large', 'S1'],
    ['critical', 'localized', 'S2'],
    ['critical', 'individualized', 'S3'],
    ['high', 'widespread', 'S1'],
    ['high', 'large', 'S2'],
    ['high', 'localized', 'S2'],
    ['high', 'individualized', 'S3'],
    ['medium', 'widespread', 'S2'],
    ['medium', 'large', 'S3'],
    ['medium', 'localized', 'S3'],
    ['medium', 'individualized', 'S3'],
    ['low', 'widespread', 'S4'],
    ['low', 'large', 'S4'],
    ['low', 'localized', 'S4'],
    ['low', 'individualized', 'S4'],
  ] as [Urgency, Impact, string][])('rates %s urgency with %s impact %s', (urgency, impact, severity) => {
    expect(severityOf(policy, impact, urgency)).toBe(severity);
  });

  it('refuses a value outside the matrix', () => {
    expect(() => severityOf(policy, 'everyone' as Impact, 'high')).toThrow(RangeError);
    expect(() => severityOf(policy, 'large', 'toString' as Urgency)).toThrow(RangeError);
  });
});

describe('assessSeverity', () => {
  it('gives the target without respondBy when the opening time is unknown', () => {
    expect(assessSeverity(policy, { impact: 'widespread', urgency: 'critical' })).toEqual({
      severity: 'S1',
      responseTarget: 'PT15M',
      clock: 'continuous',
    });
    expect(assessSeverity(policy, { impact: 'large', urgency: 'medium' })).toEqual({
      severity: 'S3',
      responseTarget: 'P1D',
      clock: 'business-days',
      businessDays: 1,
    });
    expect(assessSeverity(policy, { impact: 'large', urgency: 'low' })).toEqual({
      severity: 'S4',
      responseTarget: 'P3D',
      clock: 'business-days',
      businessDays: 3,
    });
  });

  it('answers an S1 within 15 minutes across midnight and the new year', () => {
    expect(
      assessSeverity(policy, { impact: 'widespread', urgency: 'critical', openedAt: '2026-12-31T23:50:00Z' }),
    ).toEqual({
      severity: 'S1',
      responseTarget: 'PT15M',
      clock: 'continuous',
      respondBy: '2027-01-01T00:05:00Z',
    });
  });

  it('answers an S2 within 30 minutes over a weekend night', () => {
    // Saturday 5 December 2026, 23:45 UTC: the clock runs on into Sunday.
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'high', openedAt: '2026-12-05T23:45:00Z' })
        .respondBy,
    ).toBe('2026-12-06T00:15:00Z');
  });

  it('counts S1 minutes as elapsed time across a daylight-saving change', () => {
    // 01:50 EST on 8 March 2026 (06:50 UTC); New York springs forward at 02:00.
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'critical', openedAt: '2026-03-08T01:50:00-05:00' })
        .respondBy,
    ).toBe('2026-03-08T07:05:00Z');
  });

  it('answers an S3 opened Friday 16:00 in New York by Monday 16:00', () => {
    // Friday 4 December 2026 16:00 EST is 21:00 UTC; Monday 7 December 16:00 EST is 21:00 UTC.
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt: '2026-12-04T16:00:00-05:00' }),
    ).toEqual({
      severity: 'S3',
      responseTarget: 'P1D',
      clock: 'business-days',
      businessDays: 1,
      respondBy: '2026-12-07T21:00:00Z',
    });
  });

  it('keeps 16:00 on the wall clock when the weekend changes New York to daylight time', () => {
    // Friday 6 March 2026 16:00 EST (21:00 UTC) -> Monday 9 March 16:00 EDT (20:00 UTC).
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt: '2026-03-06T21:00:00Z' })
        .respondBy,
    ).toBe('2026-03-09T20:00:00Z');
  });

  it('skips Thanksgiving for an S3 opened the day before, but not the day after', () => {
    // Wednesday 25 November 2026 10:00 EST (15:00 UTC); Thursday 26 is Thanksgiving, Friday 27 a business day.
    expect(
      assessSeverity(policy, {
        impact: 'localized',
        urgency: 'medium',
        openedAt: '2026-11-25T15:00:00Z',
        region: 'AMER',
      }).respondBy,
    ).toBe('2026-11-27T15:00:00Z');
  });

  it('answers an S4 opened the day before Thanksgiving three business days later', () => {
    // Friday 27 (1), Monday 30 (2), Tuesday 1 December (3), 10:00 EST.
    expect(
      assessSeverity(policy, { impact: 'widespread', urgency: 'low', openedAt: '2026-11-25T15:00:00Z' })
        .respondBy,
    ).toBe('2026-12-01T15:00:00Z');
  });

  it('skips German Unity Day for an S4 in EU', () => {
    // Monday 1 October 2029 09:00 CEST (07:00 UTC): Tuesday 2 (1), Wednesday 3 holiday, Thursday 4 (2), Friday 5 (3).
    expect(
      assessSeverity(policy, {
        impact: 'large',
        urgency: 'low',
        openedAt: '2029-10-01T09:00:00+02:00',
        region: 'EU',
      }),
    ).toEqual({
      severity: 'S4',
      responseTarget: 'P3D',
      clock: 'business-days',
      businessDays: 3,
      respondBy: '2029-10-05T07:00:00Z',
    });
  });

  it('carries an S4 over German Unity Day and a weekend in EU', () => {
    // Wednesday 1 October 2025 09:00 CEST: Thursday 2 (1), Friday 3 holiday, Monday 6 (2), Tuesday 7 (3).
    expect(
      assessSeverity(policy, {
        impact: 'large',
        urgency: 'low',
        openedAt: '2025-10-01T07:00:00Z',
        region: 'EU',
      }).respondBy,
    ).toBe('2025-10-07T07:00:00Z');
  });

  it('counts S3/S4 in AMER business days when no region is given', () => {
    // Wednesday 25 November 2026 15:00 UTC. AMER skips Thanksgiving; EU (16:00 in Berlin) does not.
    const openedAt = '2026-11-25T15:00:00Z';

    expect(assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt }).respondBy).toBe(
      '2026-11-27T15:00:00Z',
    );
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt, region: 'EU' }).respondBy,
    ).toBe('2026-11-26T15:00:00Z');
  });

  it("counts from the local date in the region's zone", () => {
    // Friday 4 December 2026 23:30 UTC is Friday 18:30 in New York but Saturday 00:30 in Berlin.
    const openedAt = '2026-12-04T23:30:00Z';

    expect(assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt }).respondBy).toBe(
      '2026-12-07T23:30:00Z',
    );
    expect(
      assessSeverity(policy, { impact: 'large', urgency: 'medium', openedAt, region: 'EU' }).respondBy,
    ).toBe('2026-12-06T23:30:00Z');
  });

  it("uses the policy's default region", () => {
    const euDefault = parsePolicy({ severity: { defaultRegion: 'EU' } });

    expect(
      assessSeverity(euDefault, { impact: 'large', urgency: 'medium', openedAt: '2026-11-25T15:00:00Z' })
        .respondBy,
    ).toBe('2026-11-26T15:00:00Z');
  });

  it('follows response targets set by the policy', () => {
    const custom = parsePolicy({
      severity: {
        responseTargets: {
          S1: { clock: 'continuous', duration: 'PT10M' },
          S2: { clock: 'continuous', duration: 'PT1H' },
          S3: { clock: 'continuous', duration: 'PT4H' },
          S4: { clock: 'business-days', businessDays: 5 },
        },
      },
    });

    expect(
      assessSeverity(custom, { impact: 'large', urgency: 'medium', openedAt: '2026-12-04T22:00:00Z' }),
    ).toEqual({
      severity: 'S3',
      responseTarget: 'PT4H',
      clock: 'continuous',
      respondBy: '2026-12-05T02:00:00Z',
    });
    expect(assessSeverity(custom, { impact: 'large', urgency: 'low' }).responseTarget).toBe('P5D');
  });

  it('refuses an opening time that is not an instant', () => {
    expect(() => assessSeverity(policy, { impact: 'large', urgency: 'critical', openedAt: 'now' })).toThrow(
      RangeError,
    );
  });

  it('refuses, naming openedAt, a business-day target that runs past the years of the calendar', () => {
    // Saturday 31 December 2050: three business days of New York land in January 2051.
    const refusal = (() => {
      try {
        assessSeverity(policy, {
          impact: 'individualized',
          urgency: 'low',
          openedAt: '2050-12-31T23:59:59Z',
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      details: [{ path: 'openedAt', message: expect.stringMatching(/2051.*2020-2050/) }],
    });
  });
});
