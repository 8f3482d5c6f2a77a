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

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';
import { now } from '#adapters/clock.ts';
import { derivedId } from '#adapters/ids.ts';
import { policy } from '#adapters/policy-source.ts';
import { queryAllChanges } from '#adapters/store/change-store.ts';
import type { Customer } from '#adapters/store/directory-store.ts';
import { withoutKeys } from '#adapters/store/keys.ts';
import { createPlannedChange } from '#app/changes/schedule-change.ts';
import { logger } from '#commons/logger.ts';
import { DomainError } from '#core/errors.ts';
import { releaseUpgradeDecision, type UpgradeSkipReason } from '#core/scans.ts';
import { type JobContext, jobHandler, startKeyOf } from './job-runner.ts';

/** Customers per page: a checkpoint is written after each page. */
const PAGE_SIZE = 25;

const SKIP_COUNTS: Record<UpgradeSkipReason, string> = {
  compliant: 'compliant',
  'unknown-version': 'unknownVersion',
  'no-trigger': 'noTrigger',
  'upgrade-open': 'alreadyOpen',
  upgraded: 'alreadyUpgraded',
};

async function customersPage(
  startKey: Record<string, unknown> | undefined,
): Promise<{ customers: Customer[]; lastKey?: Record<string, unknown> }> {
  const page = await documents.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
      Limit: PAGE_SIZE,
      ExclusiveStartKey: startKey,
    }),
  );
  const customers = (page.Items ?? []).map((item) => withoutKeys<Customer>(item));
  return page.LastEvaluatedKey ? { customers, lastKey: page.LastEvaluatedKey } : { customers };
}

/** The deterministic id of the upgrade a decision schedules. */
export function upgradeChangeId(dedupeKey: string): string {
  return derivedId('chg_upg', dedupeKey);
}

async function scanCustomer(context: JobContext, customer: Customer): Promise<void> {
  context.count('customers');
  const where = { customerId: customer.customerId, version: customer.version };
  const decision = releaseUpgradeDecision(policy, {
    customer,
    changes: await queryAllChanges({ kind: 'customer', customerId: customer.customerId }),
  });
  if (decision.action === 'skip') {
    context.count(SKIP_COUNTS[decision.reason]);
    const log = decision.reason === 'compliant' || decision.reason === 'upgrade-open' ? 'debug' : 'warn';
    logger[log]('customer skipped', { ...where, reason: decision.reason, detail: decision.detail });
    return;
  }
  const changeId = upgradeChangeId(decision.dedupeKey);
  try {
    await createPlannedChange({ ...decision.request, changeId }, now());
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

export const handler = jobHandler('release-scan', async (context) => {
  let startKey = startKeyOf(context.cursor);
  do {
    const page = await customersPage(startKey);
    for (const customer of page.customers) await scanCustomer(context, customer);
    startKey = page.lastKey;
    await context.checkpoint(startKey ? { lastKey: startKey } : undefined);
  } while (startKey);
});
