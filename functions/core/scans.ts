/**
 * What the nightly scans decide, as pure functions (rules sections 3, 5, 6 and 7): whether a
 * certificate needs a renewal scheduled, how to renew one that is too close to its expiry for a
 * planned change, and whether a customer needs an upgrade. The jobs read the store, call these and
 * write what they return; nothing here reads a clock or a table.
 *
 * Choices:
 * - Scan settings are not (yet) policy fields: `CERTIFICATE_SCAN` holds them, and every decision
 *   takes them as an optional argument so a provider's numbers can be passed in.
 *   The certificate scan looks 60 days ahead (a certificate is picked up about two months before
 *   it expires, long before the 10 business days of notice plus the 7..3-day range need it), and a
 *   renewal is `urgent` (section 4: never reschedulable) when the certificate expires within
 *   30 days: by then the range of 7..3 days before expiry has only one or two weeks of slack left.
 * - A change is active while SCHEDULED, CONFIRMED or IN_PROGRESS (`ACTIVE_STATUSES`): a renewal or
 *   an upgrade being carried out blocks a second one as much as one waiting for its window.
 *   (`OPEN_STATUSES` of change.ts leaves IN_PROGRESS out: it lists the statuses a change may
 *   still be started or cancelled from.)
 * - A finished renewal for the same certificate and the same expiry (COMPLETED), or a finished
 *   upgrade of the customer to the same target, means the work was done and the directory has not
 *   caught up yet: nothing is scheduled again (renewing again would disrupt calling for nothing,
 *   and a few days before expiry it would even be an emergency).
 * - A cancelled, failed or rolled-back one does not block: a later night schedules it again. Each
 *   decision returns a `dedupeKey` the job turns into the change id: it names the customer, the
 *   certificate and its expiry (or the target version) and the number of earlier attempts, so a
 *   re-run or a concurrent run of the same night derives the same id (and the store keeps one
 *   change), while a new attempt after a cancelled one gets a new id.
 * - An expiry written without an offset is read as UTC (the directory stores UTC instants).
 */
import { DateTime } from 'luxon';
import { inRegion, toUtcIso } from './calendar.ts';
import type { Actor, ChangeRecord, NewChangeFields } from './change.ts';
import { nextWindowAfter } from './emergency.ts';
import type { Policy } from './policy.ts';
import { versionCompliance } from './releases.ts';
import { ACTIVE_STATUSES, type Region } from './vocabulary.ts';

export interface ScanSettings {
  /** Certificates expiring within this many days (24-hour days) are scheduled. */
  readonly certificateHorizonDays: number;
  /** A renewal is urgent (not reschedulable) when the certificate expires within this many days. */
  readonly certificateUrgentWithinDays: number;
}

export const CERTIFICATE_SCAN: ScanSettings = {
  certificateHorizonDays: 60,
  certificateUrgentWithinDays: 30,
};

const SYSTEM: Actor = 'system';

export interface ScanCertificate {
  certificateId: string;
  commonName: string;
  expiresAt: string;
}

export interface ScanCustomer {
  customerId: string;
  partnerId: string;
  name: string;
  region: Region;
}

/** What a decision needs to know about a customer's earlier changes. */
export type ScanChange = Pick<
  ChangeRecord,
  'changeId' | 'type' | 'status' | 'certificateId' | 'certificateExpiresAt' | 'targetVersion'
>;

/** A planned change to schedule (a `PlannedChangeRequest` of the scheduling service). */
export type ScanRequest = Omit<NewChangeFields, 'changeId'> & { actor: Actor };

export type Skip<Reason extends string> = { action: 'skip'; reason: Reason; detail: string };
export type Schedule = { action: 'schedule'; request: ScanRequest; dedupeKey: string };

export type CertificateSkipReason =
  | 'invalid-expiry'
  | 'expired'
  | 'beyond-horizon'
  | 'renewal-open'
  | 'renewed';
export type CertificateDecision = Skip<CertificateSkipReason> | Schedule;

function isActive(change: ScanChange): boolean {
  return ACTIVE_STATUSES.includes(change.status);
}

/** An instant of the directory: with its offset, or UTC when it has none; null when unreadable. */
function parseExpiry(value: string): DateTime | null {
  const parsed = DateTime.fromISO(value, { zone: 'utc', setZone: true });
  return parsed.isValid ? parsed.toUTC() : null;
}

function sameInstant(a: string | undefined, b: DateTime): boolean {
  if (a === undefined) return false;
  const parsed = parseExpiry(a);
  return parsed !== null && parsed.toMillis() === b.toMillis();
}

function describeUtc(dt: DateTime): string {
  return `${dt.toUTC().toFormat('yyyy-MM-dd HH:mm')} UTC`;
}

function renewalTitle(certificate: ScanCertificate, expiresAt: DateTime): string {
  return `Renew certificate ${certificate.commonName} (expires ${describeUtc(expiresAt)})`;
}

/**
 * Whether tonight's certificate scan schedules a renewal for this certificate: skipped when its
 * expiry is unreadable, passed, or beyond the scan horizon, when a renewal for it is active, or
 * when a renewal for this very expiry was completed; otherwise a planned, disruptive
 * certificate-renewal (the planner puts it 7..3 days before expiry, after the full notice).
 */
export function certificateRenewalDecision(
  _policy: Policy,
  input: {
    certificate: ScanCertificate;
    customer: ScanCustomer;
    /** The customer's changes, any status: active ones block, finished ones count attempts. */
    changes: readonly ScanChange[];
    now: DateTime;
  },
  settings: ScanSettings = CERTIFICATE_SCAN,
): CertificateDecision {
  const { certificate, customer, changes, now } = input;
  const expiresAt = parseExpiry(certificate.expiresAt);
  if (expiresAt === null) {
    return {
      action: 'skip',
      reason: 'invalid-expiry',
      detail: `certificate ${certificate.certificateId} has no readable expiry (${certificate.expiresAt})`,
    };
  }
  const expiry = toUtcIso(expiresAt);
  if (expiresAt.toMillis() <= now.toMillis()) {
    return {
      action: 'skip',
      reason: 'expired',
      detail: `certificate ${certificate.certificateId} expired ${expiry}`,
    };
  }
  const horizon = now.toUTC().plus({ days: settings.certificateHorizonDays });
  if (expiresAt.toMillis() > horizon.toMillis()) {
    return {
      action: 'skip',
      reason: 'beyond-horizon',
      detail: `certificate ${certificate.certificateId} expires ${expiry}, after the scan horizon ${toUtcIso(horizon)}`,
    };
  }

  const renewals = changes.filter(
    (c) => c.type === 'certificate-renewal' && c.certificateId === certificate.certificateId,
  );
  const active = renewals.find(isActive);
  if (active) {
    return {
      action: 'skip',
      reason: 'renewal-open',
      detail: `renewal ${active.changeId} of certificate ${certificate.certificateId} is ${active.status}`,
    };
  }
  const forThisExpiry = renewals.filter((c) => sameInstant(c.certificateExpiresAt, expiresAt));
  const completed = forThisExpiry.find((c) => c.status === 'COMPLETED');
  if (completed) {
    return {
      action: 'skip',
      reason: 'renewed',
      detail:
        `renewal ${completed.changeId} of certificate ${certificate.certificateId} (expiry ${expiry}) ` +
        'was completed; the directory still shows the old expiry',
    };
  }

  const urgentBy = now.toUTC().plus({ days: settings.certificateUrgentWithinDays });
  const urgent = expiresAt.toMillis() <= urgentBy.toMillis();
  const attempt = forThisExpiry.length;
  return {
    action: 'schedule',
    dedupeKey: [
      'certificate-renewal',
      customer.customerId,
      certificate.certificateId,
      expiry,
      String(attempt),
    ].join('#'),
    request: {
      partnerId: customer.partnerId,
      customerId: customer.customerId,
      region: customer.region,
      type: 'certificate-renewal',
      title: renewalTitle(certificate, expiresAt),
      description:
        `The certificate ${certificate.commonName} (${certificate.certificateId}) of ${customer.name} ` +
        `expires ${expiry}. Scheduled by the nightly certificate scan` +
        (attempt > 0 ? ` (attempt ${attempt + 1}: the earlier renewal did not complete).` : '.'),
      disruptsCalling: true,
      certificateExpiresAt: expiry,
      certificateId: certificate.certificateId,
      urgent,
      ...(urgent
        ? {
            urgentReason:
              `the certificate ${certificate.commonName} expires ${expiry}, within ` +
              `${settings.certificateUrgentWithinDays} days: it is about to expire`,
          }
        : {}),
      actor: SYSTEM,
    },
  };
}

/** The fields of an emergency renewal, for the scheduling service's `createEmergencyChange`. */
export interface CertificateEmergencyFields {
  partnerId: string;
  customerId: string;
  region: Region;
  type: 'certificate-renewal';
  title: string;
  description: string;
  reason: 'prevent-outage';
  customerImpact: string;
  certificateId: string;
  certificateExpiresAt: string;
  actor: Actor;
}

export type CertificateEmergencyDecision =
  | { action: 'wait'; detail: string; rangeStart: string }
  | {
      action: 'emergency';
      when: 'next-window' | 'now';
      fields: CertificateEmergencyFields;
      detail: string;
    };

/**
 * A renewal that no planned window can take (the full notice ends after the 7..3-day range, or
 * every window of the range is full) is renewed as an emergency to avoid an outage (section 5: an
 * expired certificate takes calling down). The emergency bypasses the notice, not the range:
 * - while the region's next window (any kind, weekends included) still starts before the range,
 *   wait: a later night's scan (the range holds several windows) places it inside the range;
 * - once the next window starts inside the range, or after it but before the expiry, the
 *   emergency takes that window;
 * - when no window starts before the expiry, it runs now.
 * `planRefusal` is the planner's sentence, kept in the description for ops and the partner.
 */
export function certificateEmergencyDecision(
  policy: Policy,
  input: {
    certificate: ScanCertificate;
    customer: ScanCustomer;
    now: DateTime;
    planRefusal: string;
  },
): CertificateEmergencyDecision {
  const { certificate, customer, now, planRefusal } = input;
  const parsed = parseExpiry(certificate.expiresAt);
  if (parsed === null) throw new RangeError(`not a valid instant: ${certificate.expiresAt}`);
  const expiresAt = inRegion(policy, customer.region, parsed);
  const rangeStart = expiresAt.minus({ days: policy.certificate.maxDaysBeforeExpiry });
  const rangeEnd = expiresAt.minus({ days: policy.certificate.minDaysBeforeExpiry });
  const next = nextWindowAfter(policy, customer.region, now);
  const expiry = toUtcIso(expiresAt);

  if (next.start.toMillis() < rangeStart.toMillis()) {
    return {
      action: 'wait',
      rangeStart: toUtcIso(rangeStart),
      detail:
        `no planned window can renew certificate ${certificate.certificateId} (expires ${expiry}); ` +
        `the next window starts ${toUtcIso(next.start)}, before the renewal range opens ` +
        `${toUtcIso(rangeStart)}: a later scan schedules the emergency inside the range`,
    };
  }
  const when = next.start.toMillis() < expiresAt.toMillis() ? 'next-window' : 'now';
  const placement =
    when === 'now'
      ? `no window starts before the expiry, so it runs now`
      : next.start.toMillis() <= rangeEnd.toMillis()
        ? `it takes the next window (${toUtcIso(next.start)}), inside the range of ` +
          `${policy.certificate.maxDaysBeforeExpiry}..${policy.certificate.minDaysBeforeExpiry} days before expiry`
        : `the range of ${policy.certificate.maxDaysBeforeExpiry}..${policy.certificate.minDaysBeforeExpiry} ` +
          `days before expiry has passed; it takes the next window (${toUtcIso(next.start)}) before the expiry`;
  return {
    action: 'emergency',
    when,
    detail: `emergency renewal of certificate ${certificate.certificateId} (expires ${expiry}): ${placement}`,
    fields: {
      partnerId: customer.partnerId,
      customerId: customer.customerId,
      region: customer.region,
      type: 'certificate-renewal',
      title: renewalTitle(certificate, parsed),
      description:
        `The certificate ${certificate.commonName} (${certificate.certificateId}) of ${customer.name} ` +
        `expires ${expiry}, and no planned window can renew it with the full notice: ${planRefusal} ` +
        `Renewed as an emergency to avoid an outage: ${placement}.`,
      reason: 'prevent-outage',
      customerImpact:
        `Calling may be briefly interrupted while the certificate ${certificate.commonName} is replaced; ` +
        `without the renewal, the expired certificate would take calling down at ${expiry}.`,
      certificateId: certificate.certificateId,
      certificateExpiresAt: expiry,
      actor: SYSTEM,
    },
  };
}

export type UpgradeSkipReason = 'compliant' | 'unknown-version' | 'no-trigger' | 'upgrade-open' | 'upgraded';
export type UpgradeDecision = Skip<UpgradeSkipReason> | Schedule;

const TRIGGER_REASONS = {
  'end-of-life': 'is at n-1 of the release matrix and near its end of life',
  'below-n-1': 'is at n-2 of the release matrix, below n-1',
} as const;

/**
 * Whether tonight's release scan schedules an upgrade for the customer (sections 6 and 7): on a
 * version the matrix lets stay (n), on a version it does not list, or with no section-6 trigger,
 * nothing; with an active upgrade of any target, nothing (it is under way); after a completed
 * upgrade to the target, nothing (the directory has not caught up); otherwise a planned,
 * disruptive upgrade to `mustUpgradeTo` with the trigger of its position (n-1: end-of-life,
 * n-2: below-n-1).
 */
export function releaseUpgradeDecision(
  policy: Policy,
  input: {
    customer: ScanCustomer & { version: string };
    /** The customer's changes, any status: active upgrades block, finished ones count attempts. */
    changes: readonly ScanChange[];
  },
): UpgradeDecision {
  const { customer, changes } = input;
  const compliance = versionCompliance(policy, customer.version);
  if (compliance.position === 'unknown') {
    return {
      action: 'skip',
      reason: 'unknown-version',
      detail: `version ${JSON.stringify(customer.version)} is not in the release matrix`,
    };
  }
  if (compliance.mayStay || compliance.mustUpgradeTo === undefined) {
    return {
      action: 'skip',
      reason: 'compliant',
      detail: `${customer.version} is at ${compliance.position} and may stay`,
    };
  }
  const { mustUpgradeTo: target, trigger } = compliance;
  if (trigger === undefined) {
    return {
      action: 'skip',
      reason: 'no-trigger',
      detail:
        `${customer.version} must upgrade to ${target}, but no section-6 trigger applies at ` +
        `${compliance.position}: an upgrade needs a partner request or a vulnerability`,
    };
  }
  const upgrades = changes.filter((c) => c.type === 'upgrade');
  const active = upgrades.find(isActive);
  if (active) {
    return {
      action: 'skip',
      reason: 'upgrade-open',
      detail: `upgrade ${active.changeId} is ${active.status}`,
    };
  }
  const toTarget = upgrades.filter((c) => c.targetVersion === target);
  const completed = toTarget.find((c) => c.status === 'COMPLETED');
  if (completed) {
    return {
      action: 'skip',
      reason: 'upgraded',
      detail: `upgrade ${completed.changeId} to ${target} was completed; the directory still shows ${customer.version}`,
    };
  }
  const attempt = toTarget.length;
  return {
    action: 'schedule',
    dedupeKey: ['upgrade', customer.customerId, target, String(attempt)].join('#'),
    request: {
      partnerId: customer.partnerId,
      customerId: customer.customerId,
      region: customer.region,
      type: 'upgrade',
      title: `Upgrade ${customer.name} from ${customer.version} to ${target}`,
      description:
        `${customer.version} ${TRIGGER_REASONS[trigger]}: customers on it must upgrade to ${target}. ` +
        'Scheduled by the nightly release scan' +
        (attempt > 0 ? ` (attempt ${attempt + 1}: the earlier upgrade did not complete).` : '.'),
      disruptsCalling: true,
      trigger,
      targetVersion: target,
      actor: SYSTEM,
    },
  };
}
