import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { windowOn } from '#core/calendar.ts';
import { placeEmergency, slotOf } from '#core/emergency.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';

// Expected values worked out by hand: windows run 21:00 to 06:00 local, every day for emergencies.
// New York is EST (-05:00) in December; Berlin switches to CEST on 29 Mar 2026; Sydney switches to AEDT
// (+11:00) on 4 Oct 2026 and back to AEST (+10:00) on 5 Apr 2026.

const policy = DEFAULT_POLICY;

function utc(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

function slot(region: Parameters<typeof placeEmergency>[1], when: 'now' | 'next-window', at: string) {
  const placed = placeEmergency(policy, region, when, at);
  return {
    windowId: placed.windowId,
    start: utc(placed.start),
    end: utc(placed.end),
    timezone: placed.timezone,
  };
}

describe('placeEmergency: now', () => {
  it('inside a window, runs from now to the end of that window and counts in it', () => {
    // Tue 8 Dec 23:30 EST, inside Tuesday's window (ends Wed 06:00 EST = 11:00Z).
    expect(slot('AMER', 'now', '2026-12-09T04:30:00Z')).toEqual({
      windowId: 'AMER#2026-12-08',
      start: '2026-12-09T04:30:00Z',
      end: '2026-12-09T11:00:00Z',
      timezone: 'America/New_York',
    });
  });

  it('after midnight, still belongs to the window that started the evening before', () => {
    expect(slot('AMER', 'now', '2026-12-09T08:00:00Z').windowId).toBe('AMER#2026-12-08'); // Wed 03:00 EST
  });

  it('exactly at a window start is inside it; exactly at its end is not', () => {
    expect(slot('AMER', 'now', '2026-12-09T02:00:00Z').windowId).toBe('AMER#2026-12-08'); // Tue 21:00 EST
    expect(slot('AMER', 'now', '2026-12-09T11:00:00Z')).toEqual({
      windowId: null,
      start: '2026-12-09T11:00:00Z',
      end: '2026-12-09T15:00:00Z',
      timezone: 'America/New_York',
    });
  });

  it('outside a window, runs for 4 hours from now with no window', () => {
    expect(slot('AMER', 'now', '2026-12-08T19:00:00Z')).toEqual({
      windowId: null,
      start: '2026-12-08T19:00:00Z',
      end: '2026-12-08T23:00:00Z',
      timezone: 'America/New_York',
    });
  });

  it('counts in a weekend window too', () => {
    expect(slot('AMER', 'now', '2026-12-13T03:00:00Z').windowId).toBe('AMER#2026-12-12'); // Sat 22:00 EST
  });

  it('shows the start on the region clock', () => {
    const placed = placeEmergency(policy, 'APJC', 'now', '2026-12-08T03:00:00Z');

    expect(placed.start.toISO({ suppressMilliseconds: true })).toBe('2026-12-08T12:00:00+09:00');
  });

  it('EU: inside the window of the spring change night, ends at 06:00 CEST (04:00Z)', () => {
    // Sun 29 Mar 01:30 CET, inside Saturday's window.
    expect(slot('EU', 'now', '2026-03-29T00:30:00Z')).toMatchObject({
      windowId: 'EU#2026-03-28',
      end: '2026-03-29T04:00:00Z',
    });
  });

  it('AUS: the duration outside a window is in real hours across the DST change', () => {
    // Sat 3 Oct 20:00 AEST, before the window. 10 real hours later is 20:00Z = Sun 4 Oct 07:00 AEDT.
    const tenHours = parsePolicy({ emergency: { nowDurationHours: 10 } });

    const placed = placeEmergency(tenHours, 'AUS', 'now', '2026-10-03T10:00:00Z');

    expect(placed.windowId).toBeNull();
    expect(utc(placed.end)).toBe('2026-10-03T20:00:00Z');
    expect(placed.end.toISO({ suppressMilliseconds: true })).toBe('2026-10-04T07:00:00+11:00');
  });
});

describe('placeEmergency: next-window', () => {
  it('on a Friday evening after 21:00, picks Saturday’s window', () => {
    // Fri 11 Dec 21:30 EST: Friday's window has started; the next one is Sat 12 Dec 21:00 EST.
    expect(slot('AMER', 'next-window', '2026-12-12T02:30:00Z')).toEqual({
      windowId: 'AMER#2026-12-12',
      start: '2026-12-13T02:00:00Z',
      end: '2026-12-13T11:00:00Z',
      timezone: 'America/New_York',
    });
  });

  it('exactly at 21:00 on Friday, picks Saturday: the window must start strictly after the request', () => {
    expect(slot('AMER', 'next-window', '2026-12-12T02:00:00Z').windowId).toBe('AMER#2026-12-12');
  });

  it('at 20:59 on Friday, picks Friday’s window', () => {
    expect(slot('AMER', 'next-window', '2026-12-12T01:59:00Z')).toMatchObject({
      windowId: 'AMER#2026-12-11',
      start: '2026-12-12T02:00:00Z',
    });
  });

  it('on a Saturday afternoon, picks the same evening’s weekend window', () => {
    // Sat 12 Dec 15:00 JST.
    expect(slot('APJC', 'next-window', '2026-12-12T06:00:00Z')).toMatchObject({
      windowId: 'APJC#2026-12-12',
      start: '2026-12-12T12:00:00Z',
      end: '2026-12-12T21:00:00Z',
    });
  });

  it('in the small hours inside a window, picks the window of the coming evening', () => {
    // Sat 12 Dec 03:00 JST, inside Friday's window.
    expect(slot('APJC', 'next-window', '2026-12-11T18:00:00Z').windowId).toBe('APJC#2026-12-12');
  });

  it('EU: the Saturday window of the spring change runs 21:00 CET to 06:00 CEST, 8 hours', () => {
    expect(slot('EU', 'next-window', '2026-03-28T11:00:00Z')).toMatchObject({
      windowId: 'EU#2026-03-28',
      start: '2026-03-28T20:00:00Z',
      end: '2026-03-29T04:00:00Z',
    });
  });

  it('EU: on the Sunday after the change the window starts at 21:00 CEST (19:00Z)', () => {
    expect(slot('EU', 'next-window', '2026-03-29T10:00:00Z')).toMatchObject({
      windowId: 'EU#2026-03-29',
      start: '2026-03-29T19:00:00Z',
      end: '2026-03-30T04:00:00Z',
    });
  });

  it('AUS: the Saturday window of the autumn change runs 21:00 AEDT to 06:00 AEST, 10 hours', () => {
    expect(slot('AUS', 'next-window', '2026-04-04T01:00:00Z')).toMatchObject({
      windowId: 'AUS#2026-04-04',
      start: '2026-04-04T10:00:00Z',
      end: '2026-04-04T20:00:00Z',
    });
  });
});

describe('slotOf', () => {
  it('takes the id, start, end and zone of the window', () => {
    const window = windowOn(policy, 'EU', '2026-06-15');
    if (!window) throw new Error('expected a window on Mon 15 Jun');

    const result = slotOf(window);

    expect(result.windowId).toBe('EU#2026-06-15');
    expect(utc(result.start)).toBe('2026-06-15T19:00:00Z');
    expect(utc(result.end)).toBe('2026-06-16T04:00:00Z');
    expect(result.timezone).toBe('Europe/Berlin');
  });
});
