/** Window capacity (rules section 1): 25 changes per window; the refusal names the window by its start. */
import { describe, expect, it } from 'vitest';
import { countEmergency, givePlaceBack, hasRoom, reservePlace, windowFull } from '#core/capacity.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';

const policy = DEFAULT_POLICY;

describe('window capacity', () => {
  it('has room for a 25th change and none for a 26th', () => {
    expect(hasRoom(policy, 24)).toBe(true);
    expect(hasRoom(policy, 25)).toBe(false);
  });

  it('reserves a place on the condition that the window holds fewer than 25', () => {
    expect(reservePlace(policy, 'AMER#2026-12-15')).toEqual({
      windowId: 'AMER#2026-12-15',
      delta: 1,
      limit: 25,
    });
  });

  it('counts an emergency without a limit, and gives a place back', () => {
    expect(countEmergency('AMER#2026-12-15')).toEqual({ windowId: 'AMER#2026-12-15', delta: 1 });
    expect(givePlaceBack('AMER#2026-12-15')).toEqual({ windowId: 'AMER#2026-12-15', delta: -1 });
  });

  it('refuses a full window with WINDOW_FULL 409, naming its start in its zone and in UTC, not its id', () => {
    const refusal = windowFull(policy, { start: '2026-12-16T02:00:00Z', timezone: 'America/New_York' });

    expect(refusal).toMatchObject({ ok: false, code: 'WINDOW_FULL', status: 409 });
    expect(refusal.message).toBe(
      'The window starting 2026-12-15 21:00 America/New_York (2026-12-16T02:00:00Z) is full: it already ' +
        'holds 25 changes, the most ops runs in one window.',
    );
    expect(refusal.message).not.toContain('AMER#');
  });
});
