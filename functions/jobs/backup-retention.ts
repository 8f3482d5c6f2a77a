/**
 * The nightly backup retention job (rules section 8, alerts section 11). For every customer:
 * - classifies each application's backup history at the run's instant (`classifyBackups`) and stores
 *   the class on each record (`retention`, `expiresAt`), writing only what differs from what is
 *   stored, conditionally on the stored values it read: a re-run, a resumed run or a concurrent run
 *   changes nothing twice, and a write another run already made counts as `skipped`;
 * - expires the data of good backups that became EXPIRED (`expiredAt`; the record stays for audit);
 * - deletes failed results older than `failedRecordDays` (conditionally: still there, still failed);
 * - raises a P2 NO_GOOD_BACKUP alert for each application of the policy with no good backup in the
 *   24 h before the run's instant, once per customer, application and run key.
 *
 * Customers are walked in pages of the 'CUSTOMERS' listing (gsi2), `pageSize` at a time (event
 * field, default 100), with up to CUSTOMER_CONCURRENCY customers in flight, across page ends (see
 * walkPages). When a page and all before it are done, its counts are added to the run's and the
 * listing's LastEvaluatedKey is checkpointed, so a crashed run resumes at the first page not
 * finished (its customers are processed again, which changes nothing twice). After the last page
 * nothing is checkpointed: the runner records the run FINISHED right after.
 *
 * Memory stays flat: one customer's records at a time per worker, at most one page buffered ahead.
 *
 * Counts: customers, records (read), reclassified (class or expiry written), expired (good backups
 * whose data was expired; also counted in reclassified when their class changed), dropped (failed
 * results deleted), skipped (writes another run had already made), alerts (raised, not repeated).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import { raiseAlert } from '#adapters/alerts.ts';
import { documents, tableName } from '#adapters/clients.ts';
import { now } from '#adapters/clock.ts';
import { policy } from '#adapters/policy-source.ts';
import {
  deleteFailedBackup,
  queryRetentionRecords,
  type RetentionRecord,
  type StoredRetention,
  updateBackupRetention,
} from '#adapters/store/backup-store.ts';
import { toUtcIso } from '#core/calendar.ts';
import type { Policy } from '#core/policy.ts';
import { classifyBackups, lastNightStart, nightlyGap } from '#core/retention.ts';
import type { UcApplication } from '#core/vocabulary.ts';
import { type JobContext, jobHandler } from './job-runner.ts';

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/**
 * Customers processed at once (each a query, then its writes and alerts). In bench/backup-retention.ts
 * 16 was slower and 48 no faster than 32; the SDK's 50 sockets bound the requests in flight anyway.
 */
export const CUSTOMER_CONCURRENCY = 32;
/** Writes of one customer in flight at once (a long failing streak can mean hundreds). */
const WRITE_CONCURRENCY = 8;

export const COUNT_NAMES = [
  'customers',
  'records',
  'reclassified',
  'expired',
  'dropped',
  'skipped',
  'alerts',
] as const;

// ------------------------------------------------------------------------------------------------
// What to do for one customer: pure, from its records and the run's instant.

export type RetentionAction =
  | {
      kind: 'update';
      record: RetentionRecord;
      next: StoredRetention & { expiredAt?: string };
      /** The stored class or expiry changes. */
      reclassified: boolean;
      /** A good backup's data expires now. */
      expires: boolean;
    }
  | { kind: 'drop'; record: RetentionRecord };

export interface MissingNight {
  application: UcApplication;
  /** takenAt of the latest good backup at or before the run's instant, if there is one. */
  lastGoodTakenAt?: string;
}

export interface CustomerPlan {
  actions: RetentionAction[];
  missingNights: MissingNight[];
}

/** The writes that bring a customer's stored classes up to date at `at`, and the nights without a good backup. */
export function planCustomer(
  policy: Policy,
  records: readonly RetentionRecord[],
  at: DateTime,
): CustomerPlan {
  const byApplication = Map.groupBy(records, (record) => record.application);
  const actions: RetentionAction[] = [];
  const expiredAt = toUtcIso(at);
  for (const group of byApplication.values()) {
    const classes = classifyBackups(policy, group, at);
    group.forEach((record, index) => {
      const c = classes[index];
      if (!c) throw new Error(`no class for backup ${record.backupId}`);
      if (c.dropRecord) {
        actions.push({ kind: 'drop', record });
        return;
      }
      const reclassified = record.retention !== c.retention || record.expiresAt !== c.expiresAt;
      const expires = record.status === 'succeeded' && c.retention === 'EXPIRED' && !record.expiredAt;
      if (!reclassified && !expires) return;
      actions.push({
        kind: 'update',
        record,
        next: {
          retention: c.retention,
          ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
          ...(expires ? { expiredAt } : {}),
        },
        reclassified,
        expires,
      });
    });
  }

  const missingNights: MissingNight[] = [];
  const atMillis = at.toMillis();
  for (const application of policy.backups.applications) {
    const history = byApplication.get(application) ?? [];
    if (!nightlyGap(history, at)) continue;
    let lastGood: { takenAt: string; millis: number } | undefined;
    for (const record of history) {
      const millis = Date.parse(record.takenAt);
      if (record.status === 'succeeded' && millis <= atMillis && (!lastGood || millis > lastGood.millis)) {
        lastGood = { takenAt: record.takenAt, millis };
      }
    }
    missingNights.push({ application, ...(lastGood ? { lastGoodTakenAt: lastGood.takenAt } : {}) });
  }
  return { actions, missingNights };
}

// ------------------------------------------------------------------------------------------------
// The walk.

interface CustomerRef {
  customerId: string;
  name?: string;
}

/**
 * One page of the customer listing (gsi2 'CUSTOMERS'), only the fields the job needs.
 * (A paged variant of directory-store's listCustomers; kept here as it is this job's access pattern.)
 */
async function customerPage(
  limit: number,
  startKey: Record<string, unknown> | undefined,
): Promise<{ items: CustomerRef[]; nextKey?: Record<string, unknown> }> {
  const page = await documents.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
      ProjectionExpression: 'customerId, #name',
      ExpressionAttributeNames: { '#name': 'name' },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return {
    items: (page.Items ?? []) as CustomerRef[],
    ...(page.LastEvaluatedKey ? { nextKey: page.LastEvaluatedKey } : {}),
  };
}

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
export type Tally = (name: (typeof COUNT_NAMES)[number], by?: number) => void;

export interface WalkOptions<T, K> {
  /** Where to start (a checkpoint), or undefined for the beginning. */
  start: K | undefined;
  fetchPage(start: K | undefined): Promise<{ items: T[]; nextKey?: K }>;
  concurrency: number;
  work(item: T, tally: Tally): Promise<void>;
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
export async function walkPages<T, K>(options: WalkOptions<T, K>): Promise<void> {
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
      const tally: Tally = (name, by = 1) => page.counts.set(name, (page.counts.get(name) ?? 0) + by);
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

async function applyAction(action: RetentionAction, tally: Tally): Promise<void> {
  if (action.kind === 'drop') {
    const outcome = await deleteFailedBackup(action.record);
    tally(outcome === 'written' ? 'dropped' : 'skipped');
    return;
  }
  const outcome = await updateBackupRetention(action.record, action.record, action.next);
  if (outcome === 'skipped') {
    tally('skipped');
    return;
  }
  if (action.reclassified) tally('reclassified');
  if (action.expires) tally('expired');
}

async function processCustomer(
  { at, runKey }: JobContext,
  customer: CustomerRef,
  tally: Tally,
): Promise<void> {
  const records = await queryRetentionRecords(customer.customerId);
  const plan = planCustomer(policy, records, at);
  await forEachBounded(plan.actions, WRITE_CONCURRENCY, (action) => applyAction(action, tally));
  const customerName = customer.name ? `${customer.name} (${customer.customerId})` : customer.customerId;
  for (const missing of plan.missingNights) {
    const { created } = await raiseAlert('NO_GOOD_BACKUP', {
      raisedAt: now(),
      subject: `No good ${missing.application} backup for ${customerName} in the 24 h before ${toUtcIso(at)}`,
      detail: {
        customerId: customer.customerId,
        application: missing.application,
        nightFrom: toUtcIso(lastNightStart(at)),
        nightTo: toUtcIso(at),
        lastGoodTakenAt: missing.lastGoodTakenAt ?? null,
      },
      dedupeKey: `NO_GOOD_BACKUP#${customer.customerId}#${missing.application}#${runKey}`,
    });
    if (created) tally('alerts');
  }
  tally('customers');
  tally('records', records.length);
}

function pageSizeOf(event: JobContext['event']): number {
  const value = event.pageSize ?? DEFAULT_PAGE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(value)}`);
  }
  return value;
}

export const handler = jobHandler('backup-retention', async (context) => {
  const pageSize = pageSizeOf(context.event);
  for (const name of COUNT_NAMES) context.count(name, 0);
  await walkPages({
    start: context.cursor,
    fetchPage: (start) => customerPage(pageSize, start),
    concurrency: CUSTOMER_CONCURRENCY,
    work: (customer, tally) => processCustomer(context, customer, tally),
    async pageDone(counts, nextKey) {
      for (const [name, by] of counts) context.count(name, by);
      // After the last page the runner records the run FINISHED: no cursor to keep.
      if (nextKey) await context.checkpoint(nextKey);
    },
  });
});
