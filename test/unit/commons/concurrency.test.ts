/** The bounded concurrency the nightly jobs walk their listings with (commons/concurrency.ts). */
import { describe, expect, it } from 'vitest';
import { forEachBounded, walkPages } from '#commons/concurrency.ts';

describe('forEachBounded', () => {
  it('never runs more than the limit at once', async () => {
    // Prepare
    let running = 0;
    let peak = 0;

    // Act
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((done) => setTimeout(done, 1));
        running--;
      },
    );

    // Assess
    expect(peak).toBe(4);
  });

  it('starts nothing new after a failure, waits for the work in flight, then throws the first error', async () => {
    // Prepare
    const started: number[] = [];
    const finished: number[] = [];

    // Act
    const outcome = forEachBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        started.push(i);
        if (i === 1) throw new Error('boom');
        await new Promise((done) => setTimeout(done, 5));
        finished.push(i);
      },
    );

    // Assess
    await expect(outcome).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([0, 2]);
  });
});

describe('walkPages', () => {
  /** A listing of `count` items in pages of `size`; the key is the index the next page starts at. */
  const listing = (count: number, size: number) => async (start: number | undefined) => {
    const from = start ?? 0;
    const items = Array.from({ length: Math.min(size, count - from) }, (_, i) => from + i);
    const next = from + items.length;
    return next < count ? { items, nextKey: next } : { items };
  };
  const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

  it('reports pages in order with their counts, and keeps working across page ends', async () => {
    // Prepare: page 0's first item is slow; the rest are quick.
    const reports: [Record<string, number>, number | undefined][] = [];
    let running = 0;
    let peak = 0;

    // Act
    await walkPages({
      start: undefined,
      fetchPage: listing(10, 3),
      concurrency: 4,
      async work(item, tally) {
        running++;
        peak = Math.max(peak, running);
        await sleep(item === 0 ? 30 : 2);
        running--;
        tally('records', item);
        tally('customers');
      },
      async pageDone(counts, nextKey) {
        reports.push([Object.fromEntries(counts), nextKey]);
      },
    });

    // Assess
    expect(reports).toEqual([
      [{ records: 0 + 1 + 2, customers: 3 }, 3],
      [{ records: 3 + 4 + 5, customers: 3 }, 6],
      [{ records: 6 + 7 + 8, customers: 3 }, 9],
      [{ records: 9, customers: 1 }, undefined],
    ]);
    // While item 0 was slow, the other workers went on into the next pages.
    expect(peak).toBe(4);
  });

  it('resumes from a start key', async () => {
    const seen: number[] = [];
    await walkPages({
      start: 6,
      fetchPage: listing(10, 3),
      concurrency: 2,
      async work(item) {
        seen.push(item);
      },
      async pageDone() {},
    });
    expect(seen.sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
  });

  it('after a failure reports only the pages finished before it, starts nothing new, and throws', async () => {
    // Prepare
    const reported: (number | undefined)[] = [];
    const started: number[] = [];

    // Act
    const outcome = walkPages({
      start: undefined,
      fetchPage: listing(30, 3),
      concurrency: 2,
      async work(item) {
        started.push(item);
        await sleep(1);
        if (item === 4) throw new Error('boom');
      },
      async pageDone(_counts, nextKey) {
        reported.push(nextKey);
      },
    });

    // Assess
    await expect(outcome).rejects.toThrow('boom');
    expect(reported).toEqual([3]);
    expect(Math.max(...started)).toBeLessThanOrEqual(5);
  });
});
