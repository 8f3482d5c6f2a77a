/**
 * The nightly backup retention job (rules section 8, alerts section 11). For every customer:
 * - classifies each application's backup history at the run's instant (`planRetention`) and stores
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

import { raiseAlert } from '#app/alerts/raise-alert.ts';
import type { PageCursor, Ports } from '#app/ports.ts';
import { forEachBounded, type Tally, walkPages } from '#commons/concurrency.ts';
import { toUtcIso } from '#core/calendar.ts';
import type { Customer } from '#core/directory.ts';
import { lastNightStart, planRetention, type RetentionAction } from '#core/retention.ts';
import type { JobContext, JobPorts } from './run-job.ts';

/** What the job reads and writes: the backups, the customers, and alerts. */
export type BackupRetentionPorts = JobPorts & Pick<Ports, 'backups' | 'directory'>;

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
type Count = (typeof COUNT_NAMES)[number];

async function applyAction(
  backups: Ports['backups'],
  action: RetentionAction,
  tally: Tally<Count>,
): Promise<void> {
  if (action.kind === 'drop') {
    const outcome = await backups.deleteFailed(action.record);
    tally(outcome === 'written' ? 'dropped' : 'skipped');
    return;
  }
  const outcome = await backups.updateRetention(action.record, action.record, action.next);
  if (outcome === 'skipped') {
    tally('skipped');
    return;
  }
  if (action.reclassified) tally('reclassified');
  if (action.expires) tally('expired');
}

async function processCustomer(
  ports: BackupRetentionPorts,
  { at, runKey }: JobContext,
  customer: Customer,
  tally: Tally<Count>,
): Promise<void> {
  const records = await ports.backups.retentionRecords(customer.customerId);
  const plan = planRetention(ports.policy, records, at);
  await forEachBounded(plan.actions, WRITE_CONCURRENCY, (action) =>
    applyAction(ports.backups, action, tally),
  );
  const customerName = customer.name ? `${customer.name} (${customer.customerId})` : customer.customerId;
  for (const missing of plan.missingNights) {
    const { created } = await raiseAlert(ports, 'NO_GOOD_BACKUP', {
      raisedAt: ports.clock.now(),
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

export async function backupRetention(ports: BackupRetentionPorts, context: JobContext): Promise<void> {
  const pageSize = pageSizeOf(context.event);
  for (const name of COUNT_NAMES) context.count(name, 0);
  await walkPages<Customer, PageCursor, Count>({
    start: context.cursor,
    fetchPage: async (after) => {
      const page = await ports.directory.customerPage({ limit: pageSize, ...(after ? { after } : {}) });
      return { items: page.items, ...(page.next ? { nextKey: page.next } : {}) };
    },
    concurrency: CUSTOMER_CONCURRENCY,
    work: (customer, tally) => processCustomer(ports, context, customer, tally),
    async pageDone(counts, nextKey) {
      for (const [name, by] of counts) context.count(name, by);
      // After the last page the runner records the run FINISHED: no cursor to keep.
      if (nextKey) await context.checkpoint(nextKey);
    },
  });
}
