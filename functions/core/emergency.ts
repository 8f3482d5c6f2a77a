/**
 * Placing an emergency change (rules section 5). An emergency bypasses notice and reply, runs now or in
 * the next window of the region (weekend windows included), and is never refused for capacity: the caller
 * counts it in the window, but nothing here looks at the counters.
 */
import type { DateTime } from 'luxon';
import {
  inRegion,
  type LocalDate,
  type MaintenanceWindow,
  plusDays,
  windowOn,
  windowOpenAt,
  zoneOf,
} from './calendar.ts';
import type { Policy } from './policy.ts';
import type { Region } from './vocabulary.ts';

export const EMERGENCY_WHEN = ['now', 'next-window'] as const;
export type EmergencyWhen = (typeof EMERGENCY_WHEN)[number];

/** Where an emergency runs: a window (its id) or, for `now` outside any window, an ad-hoc slot (null). */
export interface Slot {
  windowId: string | null;
  start: DateTime;
  end: DateTime;
  timezone: string;
}

export function slotOf(window: MaintenanceWindow): Slot {
  return { windowId: window.id, start: window.start, end: window.end, timezone: window.timezone };
}

/**
 * The next window of the region, of any kind, that starts strictly after the instant. Every weekday that
 * has a window of some kind recurs within a week, so eight local dates always suffice.
 */
export function nextWindowAfter(
  policy: Policy,
  region: Region,
  instant: DateTime | string,
): MaintenanceWindow {
  const at = inRegion(policy, region, instant);
  const atMillis = at.toMillis();
  let date = at.toISODate() as LocalDate;
  for (let step = 0; step <= 8; step++, date = plusDays(date, 1)) {
    const window = windowOn(policy, region, date);
    if (window && window.start.toMillis() > atMillis) return window;
  }
  throw new Error(
    `no window of ${region} starts within 8 days after ${at.toISO()}: the policy has no window days`,
  );
}

/**
 * `now`: starts at once; inside an open window it runs to that window's end (and counts in it), otherwise
 * it gets `policy.emergency.nowDurationHours` real hours. `next-window`: the next window after now.
 */
export function placeEmergency(
  policy: Policy,
  region: Region,
  when: EmergencyWhen,
  now: DateTime | string,
): Slot {
  const at = inRegion(policy, region, now);
  if (when === 'next-window') return slotOf(nextWindowAfter(policy, region, at));
  const open = windowOpenAt(policy, region, at);
  if (open) return { windowId: open.id, start: at, end: open.end, timezone: open.timezone };
  return {
    windowId: null,
    start: at,
    end: at.plus({ hours: policy.emergency.nowDurationHours }),
    timezone: zoneOf(policy, region),
  };
}
