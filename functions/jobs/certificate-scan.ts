/**
 * The nightly certificate scan (rules sections 5 and 6). It reads the certificates expiring within
 * the scan horizon (gsi2 `CERTIFICATES`, ordered by expiry, a page at a time with a checkpoint after
 * each page), and for each one asks the core (`certificateRenewalDecision`) whether to schedule a
 * planned renewal; the planner puts it 7..3 days before the expiry, after the full notice.
 *
 * Exactly one renewal per certificate, however often or concurrently the scan runs: the change id
 * is derived from the decision's key (customer, certificate, expiry, attempt), so a second writer
 * of the same renewal finds it written (CHANGE_EXISTS) and counts it as already scheduled; the
 * store's conditional write lets only one of two concurrent runs create it.
 *
 * Too close to the expiry for the full notice (the planner answers NO_ELIGIBLE_WINDOW, also when
 * every window of the range is full): an expired certificate takes calling down, so the scan
 * renews it as an emergency "to avoid a potential outage" (section 5), which needs no notice, under
 * the same id. The emergency keeps to the 7..3-day range when it still can: while the region's
 * next window starts before the range, the scan waits for a later night (see
 * `certificateEmergencyDecision`). No alert is raised: none of the policy's alert events says
 * "a certificate is at risk" (reported as missing); the emergency's own notices tell the partner,
 * and the run's counts and log lines tell ops.
 *
 * Counts: certificates, scheduled, alreadyScheduled, skipped, tooLate (no planned window),
 * emergencies (of those, renewed as an emergency tonight).
 */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import { raiseAlert } from '#adapters/alerts.ts';
import { documents, tableName } from '#adapters/clients.ts';
import { now } from '#adapters/clock.ts';
import { derivedId } from '#adapters/ids.ts';
import { policy } from '#adapters/policy-source.ts';
import { queryAllChanges } from '#adapters/store/change-store.ts';
import { type Certificate, type Customer, readCustomer } from '#adapters/store/directory-store.ts';
import { sortableInstant } from '#adapters/store/keys.ts';
import { createEmergencyChange, createPlannedChange } from '#app/changes/schedule-change.ts';
import { logger } from '#commons/logger.ts';
import { hasCode } from '#core/errors.ts';
import {
  CERTIFICATE_SCAN,
  certificateEmergencyDecision,
  certificateRenewalDecision,
  type ScanCertificate,
} from '#core/scans.ts';
import { type JobContext, jobHandler, startKeyOf } from './job-runner.ts';

/** Certificates per page: a checkpoint is written after each page. */
const PAGE_SIZE = 25;

interface StoredCertificate extends Certificate {
  customerId: string;
}

interface CertificatePage {
  certificates: StoredCertificate[];
  lastKey?: Record<string, unknown>;
}

/** One page of the certificates expiring between `from` and `to` (both included), by expiry. */
async function certificatesExpiring(
  from: DateTime,
  to: DateTime,
  startKey: Record<string, unknown> | undefined,
): Promise<CertificatePage> {
  const page = await documents.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'CERTIFICATES',
        ':from': sortableInstant(from.toISO() as string),
        // '~' sorts after '#': a certificate expiring exactly at `to` is included.
        ':to': `${sortableInstant(to.toISO() as string)}~`,
      },
      Limit: PAGE_SIZE,
      ExclusiveStartKey: startKey,
    }),
  );
  const certificates = (page.Items ?? []).map((item) => ({
    customerId: String(item.customerId),
    certificateId: String(item.certificateId),
    commonName: String(item.commonName),
    expiresAt: String(item.expiresAt),
  }));
  return page.LastEvaluatedKey ? { certificates, lastKey: page.LastEvaluatedKey } : { certificates };
}

/** The deterministic id of the change a decision schedules. */
export function certificateChangeId(dedupeKey: string): string {
  return derivedId('chg_cert', dedupeKey);
}

async function scanCertificate(
  context: JobContext,
  stored: StoredCertificate,
  customers: Map<string, Customer | null>,
): Promise<void> {
  context.count('certificates');
  const { customerId, ...certificate } = stored;
  const where = { customerId, certificateId: certificate.certificateId, expiresAt: certificate.expiresAt };
  if (!customers.has(customerId)) customers.set(customerId, await readCustomer(customerId));
  const customer = customers.get(customerId);
  if (!customer) {
    context.count('skipped');
    logger.warn('certificate of an unknown customer skipped', where);
    return;
  }

  const at = now();
  const decision = certificateRenewalDecision(policy, {
    certificate,
    customer,
    changes: await queryAllChanges({ kind: 'customer', customerId }),
    now: at,
  });
  if (decision.action === 'skip') {
    context.count(decision.reason === 'renewal-open' ? 'alreadyScheduled' : 'skipped');
    const log = decision.reason === 'renewal-open' || decision.reason === 'beyond-horizon' ? 'debug' : 'warn';
    logger[log]('certificate skipped', { ...where, reason: decision.reason, detail: decision.detail });
    return;
  }

  const changeId = certificateChangeId(decision.dedupeKey);
  let planRefusal: string;
  try {
    await createPlannedChange({ ...decision.request, changeId }, at);
    context.count('scheduled');
    logger.info('certificate renewal scheduled', { ...where, changeId, urgent: decision.request.urgent });
    return;
  } catch (error) {
    if (hasCode(error, 'CHANGE_EXISTS')) {
      context.count('alreadyScheduled');
      return;
    }
    if (!hasCode(error, 'NO_ELIGIBLE_WINDOW')) throw error;
    planRefusal = error.message;
  }

  context.count('tooLate');
  await renewAsEmergency(context, { certificate, customer, changeId, at, planRefusal, where });
}

async function renewAsEmergency(
  context: JobContext,
  input: {
    certificate: ScanCertificate;
    customer: Customer;
    changeId: string;
    at: DateTime;
    planRefusal: string;
    where: Record<string, string>;
  },
): Promise<void> {
  const { certificate, customer, changeId, at, planRefusal, where } = input;
  const emergency = certificateEmergencyDecision(policy, { certificate, customer, now: at, planRefusal });
  // An expired certificate takes calling down: ops hear of it now, whatever the renewal path.
  await raiseAlert('CERTIFICATE_AT_RISK', {
    raisedAt: at,
    subject: `Certificate ${certificate.commonName} of ${customer.customerId} expires ${certificate.expiresAt} without a planned renewal`,
    detail: {
      ...where,
      expiresAt: certificate.expiresAt,
      planRefusal,
      renewal: emergency.action === 'wait' ? 'emergency on a later night' : `emergency (${emergency.when})`,
    },
    dedupeKey: `CERTIFICATE_AT_RISK#${certificate.certificateId}#${certificate.expiresAt}`,
  });
  if (emergency.action === 'wait') {
    logger.warn('certificate renewal too late for a planned window: emergency on a later night', {
      ...where,
      rangeStart: emergency.rangeStart,
      detail: emergency.detail,
    });
    return;
  }
  try {
    // The fields carry certificateId and certificateExpiresAt through to the change record, so the
    // next nights see this renewal as the certificate's active one.
    await createEmergencyChange({ ...emergency.fields, changeId }, emergency.when, at);
    context.count('emergencies');
    logger.warn('certificate renewed as an emergency', {
      ...where,
      changeId,
      when: emergency.when,
      detail: emergency.detail,
    });
  } catch (error) {
    if (!hasCode(error, 'CHANGE_EXISTS')) throw error;
    context.count('alreadyScheduled');
  }
}

export const handler = jobHandler('certificate-scan', async (context) => {
  const from = context.at;
  const to = context.at.toUTC().plus({ days: CERTIFICATE_SCAN.certificateHorizonDays });
  const customers = new Map<string, Customer | null>();
  let startKey = startKeyOf(context.cursor);
  do {
    const page = await certificatesExpiring(from, to, startKey);
    for (const certificate of page.certificates) await scanCertificate(context, certificate, customers);
    startKey = page.lastKey;
    await context.checkpoint(startKey ? { lastKey: startKey } : undefined);
  } while (startKey);
});
