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

import type { DateTime } from 'luxon';
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import { scheduleEmergencyChange } from '#app/changes/schedule-emergency-change.ts';
import { schedulePlannedChange } from '#app/changes/schedule-planned-change.ts';
import type { Ports } from '#app/ports.ts';
import { logger } from '#commons/logger.ts';
import type { Customer, StoredCertificate } from '#core/directory.ts';
import { hasCode } from '#core/errors.ts';
import { derivedId } from '#core/ids.ts';
import {
  CERTIFICATE_SCAN,
  certificateEmergencyDecision,
  certificateRenewalDecision,
  type ScanCertificate,
} from '#core/scans.ts';
import { type JobContext, type JobPorts, startKeyOf } from './run-job.ts';

/** What the scan reads (certificates, customers, changes) and schedules with. */
export type CertificateScanPorts = JobPorts &
  Pick<Ports, 'directory' | 'changes' | 'events' | 'workflow' | 'ids'>;

/** Certificates per page: a checkpoint is written after each page. */
const PAGE_SIZE = 25;

/** The deterministic id of the change a decision schedules. */
export function certificateChangeId(dedupeKey: string): string {
  return derivedId('chg_cert', dedupeKey);
}

async function scanCertificate(
  ports: CertificateScanPorts,
  context: JobContext,
  stored: StoredCertificate,
  customers: Map<string, Customer | null>,
): Promise<void> {
  context.count('certificates');
  const { customerId, ...certificate } = stored;
  const where = { customerId, certificateId: certificate.certificateId, expiresAt: certificate.expiresAt };
  if (!customers.has(customerId)) customers.set(customerId, await ports.directory.readCustomer(customerId));
  const customer = customers.get(customerId);
  if (!customer) {
    context.count('skipped');
    logger.warn('certificate of an unknown customer skipped', where);
    return;
  }

  const at = ports.clock.now();
  const decision = certificateRenewalDecision(ports.policy, {
    certificate,
    customer,
    changes: await ports.changes.queryAll({ kind: 'customer', customerId }),
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
    await schedulePlannedChange(ports, { ...decision.request, changeId });
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
  await renewAsEmergency(ports, context, { certificate, customer, changeId, at, planRefusal, where });
}

async function renewAsEmergency(
  ports: CertificateScanPorts,
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
  const emergency = certificateEmergencyDecision(ports.policy, {
    certificate,
    customer,
    now: at,
    planRefusal,
  });
  // An expired certificate takes calling down: ops hear of it now, whatever the renewal path.
  await raiseAlert(ports, 'CERTIFICATE_AT_RISK', {
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
    await scheduleEmergencyChange(ports, { ...emergency.fields, changeId, when: emergency.when });
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

export async function certificateScan(ports: CertificateScanPorts, context: JobContext): Promise<void> {
  const from = context.at;
  const to = context.at.toUTC().plus({ days: CERTIFICATE_SCAN.certificateHorizonDays });
  const customers = new Map<string, Customer | null>();
  let startKey = startKeyOf(context.cursor);
  do {
    const page = await ports.directory.certificatesExpiring({
      from,
      to,
      limit: PAGE_SIZE,
      ...(startKey ? { after: startKey } : {}),
    });
    for (const certificate of page.items) await scanCertificate(ports, context, certificate, customers);
    startKey = page.next;
    await context.checkpoint(startKey ? { lastKey: startKey } : undefined);
  } while (startKey);
}
