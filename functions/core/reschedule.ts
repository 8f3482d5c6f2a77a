/**
 * Whether a partner may move a planned change to another window (rules section 4, api.md reschedule route).
 *
 * The checks run in a fixed order and the first that fails decides the refusal:
 * 1. `requestedStart` is an instant at all                                  -> VALIDATION_FAILED 400
 * 2. emergency or urgent changes are never rescheduled                      -> NOT_RESCHEDULABLE 409
 * 3. only SCHEDULED or CONFIRMED changes move                               -> INVALID_STATE 409
 * 4. a reschedule left                                                      -> RESCHEDULE_LIMIT_REACHED 409
 * 5. now <= window start - 168 h (exactly at the cutoff is still in time)   -> RESCHEDULE_CUTOFF_PASSED 409
 * 6. the start of a window of the region, weekday or weekend                -> OUTSIDE_MAINTENANCE_WINDOW 422
 * 7. another window than the current one                                    -> SAME_WINDOW 422
 * 8. at least 7 days after the request                                      -> RESCHEDULE_TOO_SOON 422
 * 9. at most 60 days after the original window start                        -> RESCHEDULE_TOO_LATE 422
 * 10. certificate renewals: 7..3 days before expiry                         -> RESCHEDULE_TOO_SOON / _TOO_LATE 422
 * The new window's capacity is not read here: the move reserves its place when it is written, on the
 * condition that the window has room (core/capacity.ts), and a full window refuses it with WINDOW_FULL 409.
 */
import type { DateTime } from 'luxon';
import { describeInstant, inRegion, type MaintenanceWindow, windowStartingAt } from './calendar.ts';
import { type Refusal, refuse } from './errors.ts';
import { parseInstant } from './planning.ts';
import type { Policy } from './policy.ts';
import { type ChangeStatus, type ChangeType, OPEN_STATUSES, type Region } from './vocabulary.ts';

/** The statuses a change may be rescheduled in: the open ones. */
export const RESCHEDULABLE_STATUSES: readonly ChangeStatus[] = OPEN_STATUSES;

export interface ReschedulableChange {
  region: Region;
  type: ChangeType;
  status: ChangeStatus;
  emergency: boolean;
  urgent: boolean;
  reschedulesRemaining: number;
  /** ISO instant of the current window's start. */
  windowStart: string;
  /** ISO instant of the window first planned; defaults to `windowStart`. */
  originalWindowStart?: string;
  certificateExpiresAt?: string;
}

export type RescheduleRefusalCode =
  | 'VALIDATION_FAILED'
  | 'NOT_RESCHEDULABLE'
  | 'INVALID_STATE'
  | 'RESCHEDULE_LIMIT_REACHED'
  | 'RESCHEDULE_CUTOFF_PASSED'
  | 'OUTSIDE_MAINTENANCE_WINDOW'
  | 'SAME_WINDOW'
  | 'RESCHEDULE_TOO_SOON'
  | 'RESCHEDULE_TOO_LATE';

export type RescheduleResult =
  | { ok: true; window: MaintenanceWindow; rescheduleCutoff: DateTime }
  | Refusal<RescheduleRefusalCode>;

export function checkReschedule(
  policy: Policy,
  change: ReschedulableChange,
  requestedStart: string,
  now: DateTime | string,
): RescheduleResult {
  const { region } = change;
  const rules = policy.reschedule;

  const requested = parseInstant(policy, region, requestedStart);
  if (!requested.ok) {
    return refuse(
      'VALIDATION_FAILED',
      400,
      `requestedStart must be an ISO-8601 instant with an offset, e.g. 2026-12-15T02:00:00Z; got "${requestedStart}".`,
    );
  }
  const at = requested.value;
  const current = inRegion(policy, region, now);
  const windowStart = inRegion(policy, region, change.windowStart);

  if (change.emergency || change.urgent) {
    const reason = change.emergency
      ? 'it is an emergency change, and emergency changes are never rescheduled'
      : 'it is an urgent planned change (a severe vulnerability fix or a certificate about to expire), ' +
        'and urgent changes are not rescheduled';
    return refuse('NOT_RESCHEDULABLE', 409, `This change cannot be rescheduled: ${reason}.`);
  }
  if (!RESCHEDULABLE_STATUSES.includes(change.status)) {
    return refuse(
      'INVALID_STATE',
      409,
      `Only a SCHEDULED or CONFIRMED change can be rescheduled; this change is ${change.status}.`,
    );
  }
  if (change.reschedulesRemaining <= 0) {
    return refuse(
      'RESCHEDULE_LIMIT_REACHED',
      409,
      `This change has no reschedule left: a planned change may be rescheduled ${times(rules.maxCount)}.`,
    );
  }
  const cutoff = windowStart.minus({ hours: rules.cutoffHours });
  if (current.toMillis() > cutoff.toMillis()) {
    return refuse(
      'RESCHEDULE_CUTOFF_PASSED',
      409,
      `A reschedule must be requested at least ${rules.cutoffHours} hours before the window starts ` +
        `(${describeInstant(windowStart)}), so by ${describeInstant(cutoff)}; it was requested ${describeInstant(current)}.`,
    );
  }

  const window = windowStartingAt(policy, region, at, 'infrastructure');
  if (window === null) {
    return refuse(
      'OUTSIDE_MAINTENANCE_WINDOW',
      422,
      `${describeInstant(at)} is not the start of a maintenance window of ${region}: windows start at ` +
        `${String(policy.windows.startHour).padStart(2, '0')}:00 ${windowStart.zoneName}.`,
    );
  }
  if (window.start.toMillis() === windowStart.toMillis()) {
    return refuse(
      'SAME_WINDOW',
      422,
      `The change is already scheduled in the window starting ${describeInstant(windowStart)}.`,
    );
  }
  const soonest = current.plus({ days: rules.minDaysAfterRequest });
  if (window.start.toMillis() < soonest.toMillis()) {
    return refuse(
      'RESCHEDULE_TOO_SOON',
      422,
      `The new window must start at least ${rules.minDaysAfterRequest} days after the request ` +
        `(${describeInstant(current)}), so no earlier than ${describeInstant(soonest)}; ` +
        `${describeInstant(window.start)} is too soon.`,
    );
  }
  const original = inRegion(policy, region, change.originalWindowStart ?? change.windowStart);
  const latest = original.plus({ days: rules.maxDaysAfterOriginal });
  if (window.start.toMillis() > latest.toMillis()) {
    return refuse(
      'RESCHEDULE_TOO_LATE',
      422,
      `The new window must start at most ${rules.maxDaysAfterOriginal} days after the original window ` +
        `(${describeInstant(original)}), so no later than ${describeInstant(latest)}; ` +
        `${describeInstant(window.start)} is too late.`,
    );
  }
  if (change.type === 'certificate-renewal' && change.certificateExpiresAt !== undefined) {
    const expiresAt = inRegion(policy, region, change.certificateExpiresAt);
    const { minDaysBeforeExpiry, maxDaysBeforeExpiry } = policy.certificate;
    const first = expiresAt.minus({ days: maxDaysBeforeExpiry });
    const last = expiresAt.minus({ days: minDaysBeforeExpiry });
    const range =
      `the certificate expires ${describeInstant(expiresAt)}, so its renewal window must start between ` +
      `${describeInstant(first)} and ${describeInstant(last)}`;
    if (window.start.toMillis() > last.toMillis()) {
      return refuse('RESCHEDULE_TOO_LATE', 422, `${describeInstant(window.start)} is too late: ${range}.`);
    }
    if (window.start.toMillis() < first.toMillis()) {
      return refuse('RESCHEDULE_TOO_SOON', 422, `${describeInstant(window.start)} is too early: ${range}.`);
    }
  }
  return { ok: true, window, rescheduleCutoff: window.start.minus({ hours: rules.cutoffHours }) };
}

/** 1 -> "once", 2 -> "twice", n -> "n times". */
function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}
