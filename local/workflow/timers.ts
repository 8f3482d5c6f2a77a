/**
 * Time in a local run. Step Functions counts a callback's timeout, a Wait and an execution's
 * TimeoutSeconds on its own clock, for days or months; locally they are counted on the LocalClock, so
 * a test or a demo can move time forward instead of waiting, and a duration over Node's timer limit
 * (~24.8 days, gap 2: such a timer fires after 1 ms) still fires at the right instant. A plain Lambda
 * call is the exception: its handler runs in real time, so its TimeoutSeconds counts real seconds.
 *
 * The definition transforms that hand these durations to this module are in definition.ts (T1, T3, T4, T5).
 */
import { DateTime } from 'luxon';
import type { LocalClock } from '../clock.ts';
import { StatesRuntimeError, StatesTimeoutError } from './errors.ts';
import { bump, type ExecutionRecord } from './executions.ts';
import type { JsonObject } from './json.ts';

/** Node fires a timer over 2^31-1 ms at once: the largest TimeoutSeconds the library can safely hold. */
export const NODE_TIMER_MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * T4, at run time: a Wait (turned into a local Task by the transform) sleeps on the LocalClock until its
 * `seconds` from now or its `timestamp`, both as the library evaluated them from the Wait's fields, then
 * passes its input on. A stopped execution's signal ends the sleep.
 */
export async function sleepThroughWait(
  clock: LocalClock,
  execution: ExecutionRecord,
  state: string,
  request: JsonObject,
): Promise<unknown> {
  let deadline: DateTime;
  if ('seconds' in request) {
    const seconds = request.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(`Wait '${state}': seconds must be a non-negative integer, got ${seconds}`);
    }
    deadline = clock.now().plus({ seconds });
  } else {
    deadline = DateTime.fromISO(String(request.timestamp), { zone: 'utc' });
    if (!deadline.isValid) {
      throw new StatesRuntimeError(`Wait '${state}': invalid timestamp ${request.timestamp}`);
    }
  }
  bump(execution.parked, state, 1);
  try {
    await clock.sleepUntil(deadline, execution.controller.signal);
  } finally {
    bump(execution.parked, state, -1);
  }
  return request.input;
}

/**
 * T1, at run time: when a callback task times out, on the LocalClock: the payload's `until` (the instant
 * the machine computed, exact at any clock speed), else the state's TimeoutSeconds/TimeoutSecondsPath in
 * local seconds from now, else never (AWS: no timeout; the library's 60 s default is lifted by T3).
 */
export function callbackDeadline(
  clock: LocalClock,
  payload: unknown,
  timeoutSeconds: number | undefined,
): DateTime | undefined {
  const until =
    payload !== null && typeof payload === 'object' && typeof (payload as JsonObject).until === 'string'
      ? DateTime.fromISO((payload as JsonObject).until as string, { zone: 'utc' })
      : undefined;
  if (until?.isValid) return until;
  return timeoutSeconds !== undefined ? clock.now().plus({ seconds: timeoutSeconds }) : undefined;
}

/** A plain Lambda call's TimeoutSeconds counts real seconds (the handler runs in real time). */
export async function withRealTimeout<T>(work: Promise<T>, timeoutSeconds: number | undefined): Promise<T> {
  if (timeoutSeconds === undefined || timeoutSeconds > NODE_TIMER_MAX_SECONDS) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StatesTimeoutError()), timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
