/**
 * Bounded concurrency for the nightly jobs: work on many items at once, but never more than a limit,
 * and walk a paged listing with progress reported page by page, in order (so a checkpoint never covers
 * an unfinished item).
 */

/**
 * Runs `work` on every item, at most `limit` at a time. After a failure no new item starts; the
 * ones in flight are awaited (a crashed run leaves no write behind it running) and the first error
 * is thrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/** Counts of one page, added to the run's counts when the page is done (and checkpointed). */
export type Tally<Name extends string = string> = (name: Name, by?: number) => void;

export interface WalkOptions<T, K, Name extends string = string> {
  /** Where to start (a checkpoint), or undefined for the beginning. */
  start: K | undefined;
  fetchPage(start: K | undefined): Promise<{ items: T[]; nextKey?: K }>;
  concurrency: number;
  work(item: T, tally: Tally<Name>): Promise<void>;
  /**
   * Called once per page, in page order, when its items and all earlier pages' are done, with the
   * page's counts and where the next page starts (undefined after the last). Calls never overlap.
   */
  pageDone(counts: Map<string, number>, nextKey: K | undefined): Promise<void>;
}

interface PageState<K> {
  remaining: number;
  counts: Map<string, number>;
  nextKey: K | undefined;
}

/**
 * Walks a paged listing with up to `concurrency` items in flight ACROSS page boundaries: a page
 * does not wait for the slowest item of the one before it, and the next page is fetched while the
 * current one is still being worked on (at most one page is buffered ahead). Progress is still
 * reported page by page, in order (`pageDone`), so a checkpoint never covers an unfinished item.
 * After a failure nothing new starts, the items in flight and the pending `pageDone` calls (of
 * pages that did finish) are awaited, and the first error is thrown.
 */
export async function walkPages<T, K, Name extends string = string>(
  options: WalkOptions<T, K, Name>,
): Promise<void> {
  const queue: { item: T; page: PageState<K> }[] = [];
  const pages: PageState<K>[] = [];
  let failure: { error: unknown } | undefined;
  let nextStart: K | undefined = options.start;
  let exhausted = false;
  let fetching: Promise<void> | undefined;
  let reporting: Promise<void> = Promise.resolve();

  const fail = (error: unknown) => {
    failure ??= { error };
  };
  /** Reports finished pages from the front, in order, one `pageDone` at a time. */
  const flush = () => {
    while (pages[0] && pages[0].remaining === 0) {
      const page = pages.shift() as PageState<K>;
      // A page finished before a failure elsewhere is still reported: its progress is real.
      reporting = reporting.then(() => options.pageDone(page.counts, page.nextKey)).catch(fail);
    }
  };
  const fetchNext = () => {
    fetching ??= options
      .fetchPage(nextStart)
      .then(({ items, nextKey }) => {
        const page: PageState<K> = { remaining: items.length, counts: new Map(), nextKey };
        pages.push(page);
        for (const item of items) queue.push({ item, page });
        nextStart = nextKey;
        exhausted = nextKey === undefined;
        flush();
      }, fail)
      .finally(() => {
        fetching = undefined;
      });
    return fetching;
  };
  const worker = async () => {
    for (;;) {
      if (failure) return;
      if (queue.length < options.concurrency && !exhausted) void fetchNext();
      const entry = queue.shift();
      if (!entry) {
        if (fetching) {
          await fetching;
          continue;
        }
        if (exhausted) return;
        continue;
      }
      const { item, page } = entry;
      const tally: Tally<Name> = (name, by = 1) => page.counts.set(name, (page.counts.get(name) ?? 0) + by);
      try {
        await options.work(item, tally);
      } catch (error) {
        fail(error);
        return;
      }
      page.remaining--;
      flush();
    }
  };
  await fetchNext();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await reporting;
  if (failure) throw failure.error;
}
