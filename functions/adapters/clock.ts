/**
 * The one source of "now" for handlers, the workflow's tasks and the jobs. In AWS it is the real
 * clock; the local runtime installs its own (settable, fast-forwardable) clock so a whole lifecycle
 * can run in seconds. Nothing else may read Date.now() for a business decision.
 */
import { DateTime } from 'luxon';

export interface Clock {
  now(): DateTime;
}

export const systemClock: Clock = { now: () => DateTime.utc() };

let current: Clock = systemClock;

export function now(): DateTime {
  return current.now();
}

/** Local runtime and tests only. */
export function installClock(clock: Clock): void {
  current = clock;
}

export function resetClock(): void {
  current = systemClock;
}
