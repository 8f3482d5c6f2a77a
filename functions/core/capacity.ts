/**
 * Window capacity (rules section 1): a maintenance window holds at most `policy.windows.capacity`
 * planned changes. The rule in one place:
 * - the planner skips a window without room (`hasRoom`, core/planning.ts);
 * - a move that takes a place reserves it (`reservePlace`): the store writes the reservation on the
 *   condition that the window still has room, and reports a full window as a neutral CapacityExceeded;
 *   the refusal the caller gets is worded here (`windowFull`);
 * - an emergency is counted in its window but never refused (`countEmergency`);
 * - a cancelled or moved change gives its place back (`givePlaceBack`).
 */
import { DateTime } from 'luxon';
import { describeInstant } from './calendar.ts';
import { type Refusal, refuse } from './errors.ts';
import type { Policy } from './policy.ts';

/** A change to a window's count of changes, written with the change in one transaction. */
export interface CapacityAdjustment {
  windowId: string;
  delta: 1 | -1;
  /** Refuse the whole transition if the window already holds this many changes. */
  limit?: number;
}

/** Whether a window holding `used` changes can take one more. */
export function hasRoom(policy: Policy, used: number): boolean {
  return used < policy.windows.capacity;
}

/** Takes a place in a window, on the condition that it has room. */
export function reservePlace(policy: Policy, windowId: string): CapacityAdjustment {
  return { windowId, delta: 1, limit: policy.windows.capacity };
}

/** Counts an emergency in its window: emergencies are never refused for capacity. */
export function countEmergency(windowId: string): CapacityAdjustment {
  return { windowId, delta: 1 };
}

export function givePlaceBack(windowId: string): CapacityAdjustment {
  return { windowId, delta: -1 };
}

/** The refusal when a window turned out to be full (stated in the window's own zone, and in UTC). */
export function windowFull(
  policy: Policy,
  window: { start: string; timezone: string },
): Refusal<'WINDOW_FULL'> {
  const start = DateTime.fromISO(window.start, { zone: 'utc' }).setZone(window.timezone);
  return refuse(
    'WINDOW_FULL',
    409,
    `The window starting ${describeInstant(start)} is full: it already holds ` +
      `${policy.windows.capacity} changes, the most ops runs in one window.`,
  );
}
