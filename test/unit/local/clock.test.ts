import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockMoveRefused, LocalClock } from '#local/clock.ts';

const START = '2026-03-01T09:00:00.000Z';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LocalClock', () => {
  const clocks: LocalClock[] = [];
  const clock = (options: ConstructorParameters<typeof LocalClock>[0] = {}) => {
    const created = new LocalClock(options);
    clocks.push(created);
    return created;
  };
  afterEach(() => {
    for (const created of clocks.splice(0)) created.stop();
  });

  it('starts at the given instant, in UTC', () => {
    const frozen = clock({ start: START, speed: 0 });

    expect(frozen.now().toISO()).toBe(START);
    expect(frozen.now().zoneName).toBe('UTC');
    expect(frozen.describe()).toEqual({ now: START, speed: 0 });
  });

  it('defaults to the real now at speed 1', () => {
    const before = Date.now();
    const real = clock();

    const now = real.now().toMillis();

    expect(now).toBeGreaterThanOrEqual(before - 5);
    expect(now).toBeLessThanOrEqual(Date.now() + 5);
    expect(real.describe().speed).toBe(1);
  });

  it('runs speed local seconds per real second', async () => {
    const fast = clock({ start: START, speed: 3600 });

    await sleep(100);

    const elapsedSeconds = fast.now().diff(DateTime.fromISO(START)).as('seconds');
    expect(elapsedSeconds).toBeGreaterThanOrEqual(350);
    expect(elapsedSeconds).toBeLessThan(3600);
  });

  it('keeps time continuous across a speed change', async () => {
    const fast = clock({ start: START, speed: 3600 });
    await sleep(50);
    const beforeChange = fast.now();

    fast.setSpeed(0);
    const afterChange = fast.now();
    await sleep(30);

    expect(afterChange.toMillis()).toBeGreaterThanOrEqual(beforeChange.toMillis());
    expect(afterChange.diff(beforeChange).as('seconds')).toBeLessThan(60);
    expect(fast.now().toMillis()).toBe(afterChange.toMillis());
  });

  it('jumps to an instant with set, backwards too', () => {
    const frozen = clock({ start: START, speed: 0 });

    frozen.set('2027-01-01T00:00:00Z');
    expect(frozen.now().toISO()).toBe('2027-01-01T00:00:00.000Z');

    frozen.set(DateTime.fromISO('2025-06-01T12:00:00Z'));
    expect(frozen.now().toISO()).toBe('2025-06-01T12:00:00.000Z');
  });

  it('refuses to move backwards when forward-only, by set or by a negative advance, and stays put', () => {
    const kept = clock({ start: START, speed: 0, forwardOnly: true });

    expect(() => kept.set('2026-03-01T08:00:00Z')).toThrow(
      /^the local clock only moves forward while the data is kept \(it is 2026-03-01T09:00:00.000Z; asked for 2026-03-01T08:00:00.000Z\)/,
    );
    expect(() => kept.advance('-PT1H')).toThrow(ClockMoveRefused);
    expect(kept.now().toISO()).toBe(START);

    kept.set(START);
    kept.advance('PT1H');
    expect(kept.now().toISO()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('advances by an object or an ISO duration', () => {
    const frozen = clock({ start: START, speed: 0 });

    frozen.advance('PT24H');
    expect(frozen.now().toISO()).toBe('2026-03-02T09:00:00.000Z');

    frozen.advance({ days: 1, hours: 2, minutes: 3, seconds: 4 });
    expect(frozen.now().toISO()).toBe('2026-03-03T11:03:04.000Z');
  });

  it('refuses an invalid duration, instant or speed', () => {
    const frozen = clock({ start: START, speed: 0 });

    expect(() => frozen.advance('a day')).toThrow(RangeError);
    expect(() => frozen.set('not a date')).toThrow(RangeError);
    expect(() => frozen.setSpeed(-1)).toThrow(RangeError);
  });

  it('fires due timers in instant order, not in the order they were set', () => {
    const frozen = clock({ start: START, speed: 0 });
    const fired: string[] = [];
    frozen.at('2026-03-01T12:00:00Z', () => fired.push('noon'));
    frozen.at('2026-03-01T10:00:00Z', () => fired.push('ten'));
    frozen.at('2026-03-02T00:00:00Z', () => fired.push('midnight'));
    frozen.at('2026-03-01T10:00:00Z', () => fired.push('ten again'));

    frozen.advance({ hours: 4 });

    expect(fired).toEqual(['ten', 'ten again', 'noon']);
  });

  it('fires a timer 60 days ahead only once the clock is advanced past it', async () => {
    const frozen = clock({ start: START, speed: 1 });
    let fired = false;
    frozen.at(DateTime.fromISO(START).plus({ days: 60 }), () => {
      fired = true;
    });

    await sleep(80);
    expect(fired).toBe(false);

    frozen.advance({ days: 59 });
    await sleep(60);
    expect(fired).toBe(false);

    frozen.advance({ days: 1 });
    expect(fired).toBe(true);
  });

  it('fires on the polling interval when local time catches up by itself', async () => {
    const fast = clock({ start: START, speed: 36_000 });
    let fired = false;
    fast.at(DateTime.fromISO(START).plus({ hours: 1 }), () => {
      fired = true;
    });

    await sleep(250);

    expect(fired).toBe(true);
  });

  it('fires a timer that is already due on the next tick, not inside at', async () => {
    const frozen = clock({ start: START, speed: 0 });
    let fired = false;

    frozen.at('2026-01-01T00:00:00Z', () => {
      fired = true;
    });
    expect(fired).toBe(false);

    await sleep(5);
    expect(fired).toBe(true);
  });

  it('never fires a cancelled timer', async () => {
    const frozen = clock({ start: START, speed: 0 });
    let fired = false;
    const timer = frozen.at('2026-03-02T00:00:00Z', () => {
      fired = true;
    });

    timer.cancel();
    frozen.advance({ days: 2 });
    await sleep(40);

    expect(fired).toBe(false);
  });

  it('keeps firing the other timers when a callback throws', () => {
    const errors: unknown[] = [];
    const frozen = clock({ start: START, speed: 0, onTimerError: (error) => errors.push(error) });
    const fired: string[] = [];
    frozen.at('2026-03-01T10:00:00Z', () => {
      throw new Error('broken callback');
    });
    frozen.at('2026-03-01T11:00:00Z', () => fired.push('eleven'));

    frozen.advance({ hours: 3 });

    expect(fired).toEqual(['eleven']);
    expect(errors).toHaveLength(1);
  });

  describe('sleepUntil', () => {
    it('resolves when local time reaches the instant', async () => {
      const frozen = clock({ start: START, speed: 0 });
      let woke = false;
      const sleeping = frozen.sleepUntil('2026-04-01T00:00:00Z').then(() => {
        woke = true;
      });

      await sleep(30);
      expect(woke).toBe(false);

      frozen.set('2026-04-01T00:00:00Z');
      await sleeping;
      expect(woke).toBe(true);
    });

    it('rejects with the abort reason when aborted first, and never wakes later', async () => {
      const frozen = clock({ start: START, speed: 0 });
      const controller = new AbortController();
      const sleeping = frozen.sleepUntil('2026-04-01T00:00:00Z', controller.signal);

      controller.abort(new Error('stopped'));

      await expect(sleeping).rejects.toThrow('stopped');
      frozen.advance({ days: 40 });
    });

    it('rejects at once when the signal is already aborted', async () => {
      const frozen = clock({ start: START, speed: 0 });

      await expect(frozen.sleepUntil(START, AbortSignal.abort(new Error('too late')))).rejects.toThrow(
        'too late',
      );
    });
  });

  it('still fires timers on set and advance after stop, but no longer by itself', async () => {
    const fast = clock({ start: START, speed: 36_000 });
    let fired = false;
    fast.at(DateTime.fromISO(START).plus({ hours: 1 }), () => {
      fired = true;
    });

    fast.stop();
    await sleep(200);
    expect(fired).toBe(false);

    fast.advance({ seconds: 0 });
    expect(fired).toBe(true);
  });
});
