/**
 * The nightly release scan (rules sections 6 and 7). It walks every customer (gsi2 `CUSTOMERS`, a
 * page at a time with a checkpoint after each page) and asks the core (`releaseUpgradeDecision`)
 * whether the customer's version must be upgraded; if so it schedules a planned, disruptive upgrade
 * to the matrix's target with the trigger of the version's position (n-1: end-of-life, n-2:
 * below-n-1), with the full notice.
 *
 * Exactly one upgrade per customer: the decision skips a customer with an active upgrade, and the
 * change id is derived from customer, target and the number of earlier upgrades to that target, so
 * two runs of the same night (a re-run, a Lambda retry, a manual run beside the scheduled one)
 * write the same id and only one change (the other finds CHANGE_EXISTS). The attempt number, not
 * the run key, is what changes between tries: after an upgrade was cancelled, failed or rolled back,
 * the count of earlier upgrades has grown, so a later night schedules a new one under a new id;
 * a run key would instead let two runs on different dates (a delayed retry past midnight UTC, a
 * manual run with another `time`) create two upgrades whenever the second does not yet see the
 * first through the eventually consistent customer index.
 *
 * Counts: customers, scheduled, alreadyOpen (an active upgrade, including one a concurrent run just
 * wrote), compliant, unknownVersion, noTrigger (must upgrade but no section-6 trigger applies),
 * alreadyUpgraded (a completed upgrade to the target; the directory still shows the old version),
 * noWindow (no window with capacity within the planning horizon).
 */

import { schedulePlannedChange } from '#app/changes/schedule-planned-change.ts';
import type { Ports } from '#app/ports.ts';
import { logger } from '#commons/logger.ts';
import type { Customer } from '#core/directory.ts';
import { DomainError } from '#core/errors.ts';
import { derivedId } from '#core/ids.ts';
import { releaseUpgradeDecision, type UpgradeSkipReason } from '#core/scans.ts';
import { type JobContext, type JobPorts, startKeyOf } from './run-job.ts';

/** What the scan reads (customers, changes) and schedules with. */
export type ReleaseScanPorts = JobPorts &
  Pick<Ports, 'directory' | 'changes' | 'events' | 'workflow' | 'ids'>;

/** Customers per page: a checkpoint is written after each page. */
const PAGE_SIZE = 25;

const SKIP_COUNTS: Record<UpgradeSkipReason, string> = {
  compliant: 'compliant',
  'unknown-version': 'unknownVersion',
  'no-trigger': 'noTrigger',
  'upgrade-open': 'alreadyOpen',
  upgraded: 'alreadyUpgraded',
};

/** The deterministic id of the upgrade a decision schedules. */
export function upgradeChangeId(dedupeKey: string): string {
  return derivedId('chg_upg', dedupeKey);
}

async function scanCustomer(ports: ReleaseScanPorts, context: JobContext, customer: Customer): Promise<void> {
  context.count('customers');
  const where = { customerId: customer.customerId, version: customer.version };
  const decision = releaseUpgradeDecision(ports.policy, {
    customer,
    changes: await ports.changes.queryAll({ kind: 'customer', customerId: customer.customerId }),
  });
  if (decision.action === 'skip') {
    context.count(SKIP_COUNTS[decision.reason]);
    const log = decision.reason === 'compliant' || decision.reason === 'upgrade-open' ? 'debug' : 'warn';
    logger[log]('customer skipped', { ...where, reason: decision.reason, detail: decision.detail });
    return;
  }
  const changeId = upgradeChangeId(decision.dedupeKey);
  try {
    await schedulePlannedChange(ports, { ...decision.request, changeId });
    context.count('scheduled');
    logger.info('upgrade scheduled', {
      ...where,
      changeId,
      trigger: decision.request.trigger,
      targetVersion: decision.request.targetVersion,
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === 'CHANGE_EXISTS') {
      context.count('alreadyOpen');
      return;
    }
    if (error.code !== 'NO_ELIGIBLE_WINDOW') throw error;
    // Every window within the planning horizon is full: the next nights try again.
    context.count('noWindow');
    logger.error('no window for an upgrade', { ...where, changeId, detail: error.message });
  }
}

export async function releaseScan(ports: ReleaseScanPorts, context: JobContext): Promise<void> {
  let startKey = startKeyOf(context.cursor);
  do {
    const page = await ports.directory.customerPage({
      limit: PAGE_SIZE,
      ...(startKey ? { after: startKey } : {}),
    });
    for (const customer of page.items) await scanCustomer(ports, context, customer);
    startKey = page.next;
    await context.checkpoint(startKey ? { lastKey: startKey } : undefined);
  } while (startKey);
}
