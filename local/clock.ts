/**
 * The local runtime's clock: one settable, fast-forwardable time line shared by the handlers (through
 * the local wiring), the workflow runner's timeouts and Wait states, and the schedules. Local time runs at
 * `speed` local seconds per real second from the instant it was last set; `advance` jumps ahead.
 *
 * Timers live on the local time line. They are checked on one short real interval and at once whenever
 * the time line is moved (set, advance, setSpeed), never by a long Node timer: Node fires any timer over
 * ~24.8 days after 1 ms, and a timer in real milliseconds would be wrong as soon as the clock is moved.
 */
import { DateTime, Duration, type DurationLikeObject } from 'luxon';
import type { Clock } from '#app/ports.ts';

export type Instant = DateTime | string;

export interface LocalClockOptions {
  /** Where local time starts. @default the real now */
  start?: Instant;
  /** Local seconds per real second; 0 freezes the clock. @default 1 */
  speed?: number;
  /** How often due timers are checked, in real milliseconds. @default 25 */
  pollMs?: number;
  /** Where an exception thrown by a timer callback goes. @default console.error */
  onTimerError?: (error: unknown) => void;
  /**
   * Refuse to move backwards (set to an earlier instant, advance by a negative duration): with kept
   * data, stored changes and job runs would lie in the clock's future. @default false
   */
  forwardOnly?: boolean;
}

/** A move the clock refuses (backwards while forward-only); the admin route answers it with a 400. */
export class ClockMoveRefused extends RangeError {
  override name = 'ClockMoveRefused';
}

export interface LocalTimer {
  cancel(): void;
}

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
}

export class LocalClock implements Clock {
  #anchorLocalMs: number;
  #anchorRealMs: number;
  #speed: number;
  readonly #pollMs: number;
  readonly #onTimerError: (error: unknown) => void;
  /** Sorted by (at, seq): the first one is the next to fire. */
  #timers: PendingTimer[] = [];
  #seq = 0;
  #interval: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #forwardOnly: boolean;

  constructor(options: LocalClockOptions = {}) {
    this.#anchorRealMs = performance.now();
    this.#anchorLocalMs = options.start === undefined ? Date.now() : toMillis(options.start);
    this.#speed = checkSpeed(options.speed ?? 1);
    this.#pollMs = options.pollMs ?? 25;
    this.#onTimerError = options.onTimerError ?? ((error) => console.error('LocalClock timer failed', error));
    this.#forwardOnly = options.forwardOnly ?? false;
  }

  now(): DateTime {
    return DateTime.fromMillis(this.#nowMs(), { zone: 'utc' });
  }

  /** Jumps to an instant (backwards only when not forward-only); timers now due fire before this returns. */
  set(instant: Instant): void {
    const target = toMillis(instant);
    this.#refuseBackwards(target);
    this.#rebase(target);
    this.#fireDue();
  }

  /** Moves forwards by a duration (`{ days: 31 }` or an ISO duration such as `PT24H`); due timers fire before this returns. */
  advance(duration: DurationLikeObject | string): void {
    const parsed = typeof duration === 'string' ? Duration.fromISO(duration) : Duration.fromObject(duration);
    if (!parsed.isValid) {
      throw new RangeError(`LocalClock.advance: invalid duration ${JSON.stringify(duration)}`);
    }
    const target = this.#nowMs() + parsed.as('milliseconds');
    this.#refuseBackwards(target);
    this.#rebase(target);
    this.#fireDue();
  }

  /** Changes the pace from now on; local time stays continuous. */
  setSpeed(speed: number): void {
    const speedChecked = checkSpeed(speed);
    this.#rebase(this.#nowMs());
    this.#speed = speedChecked;
    this.#fireDue();
  }

  describe(): { now: string; speed: number } {
    return { now: this.now().toISO()!, speed: this.#speed };
  }

  /**
   * Calls back once when local time reaches the instant. Timers fire in instant order (ties in the order
   * they were set); one already due fires on the next tick, never inside this call.
   */
  at(instant: Instant, callback: () => void): LocalTimer {
    const timer: PendingTimer = { at: toMillis(instant), seq: this.#seq++, callback };
    const index = this.#timers.findIndex((t) => t.at > timer.at);
    this.#timers.splice(index === -1 ? this.#timers.length : index, 0, timer);
    this.#ensurePolling();
    if (timer.at <= this.#nowMs()) setImmediate(() => this.#fireDue());
    return {
      cancel: () => {
        const i = this.#timers.indexOf(timer);
        if (i !== -1) this.#timers.splice(i, 1);
        if (this.#timers.length === 0) this.#stopPolling();
      },
    };
  }

  /** Resolves when local time reaches the instant; rejects with the signal's reason if aborted first. */
  sleepUntil(instant: Instant, signal?: AbortSignal): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    if (signal?.aborted) {
      reject(signal.reason);
      return promise;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = this.at(instant, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    return promise;
  }

  /**
   * Stops the real polling interval. Pending timers stay registered and still fire when the time line
   * is moved by set, advance or setSpeed (a manually driven clock).
   */
  stop(): void {
    this.#stopped = true;
    this.#stopPolling();
  }

  #nowMs(): number {
    return this.#anchorLocalMs + (performance.now() - this.#anchorRealMs) * this.#speed;
  }

  #refuseBackwards(targetMs: number): void {
    const nowMs = this.#nowMs();
    if (!this.#forwardOnly || targetMs >= nowMs) return;
    const at = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toISO();
    throw new ClockMoveRefused(
      `the local clock only moves forward while the data is kept (it is ${at(nowMs)}; asked for ${at(targetMs)}): ` +
        'the stored changes, notices and job runs would be in its future. Start with --in-memory to move it back.',
    );
  }

  #rebase(localMs: number): void {
    this.#anchorLocalMs = localMs;
    this.#anchorRealMs = performance.now();
  }

  #fireDue(): void {
    // Re-read the time on each turn: a callback may move the clock or set another timer.
    while (this.#timers.length > 0 && this.#timers[0]!.at <= this.#nowMs()) {
      const timer = this.#timers.shift()!;
      try {
        timer.callback();
      } catch (error) {
        this.#onTimerError(error);
      }
    }
    if (this.#timers.length === 0) this.#stopPolling();
  }

  #ensurePolling(): void {
    if (this.#interval || this.#stopped) return;
    this.#interval = setInterval(() => this.#fireDue(), this.#pollMs);
    // Local timers never keep the process alive on their own.
    this.#interval.unref();
  }

  #stopPolling(): void {
    if (this.#interval) clearInterval(this.#interval);
    this.#interval = undefined;
  }
}

function toMillis(instant: Instant): number {
  const dateTime = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : instant;
  if (!dateTime.isValid) throw new RangeError(`LocalClock: invalid instant ${String(instant)}`);
  return dateTime.toMillis();
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < 0) {
    throw new RangeError(`LocalClock: speed must be >= 0, got ${speed}`);
  }
  return speed;
}
