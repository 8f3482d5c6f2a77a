/**
 * Support-case severity and response targets (rules section 10).
 *
 * Severity is a lookup in the policy's matrix (urgency row, impact column). The response target
 * is either a fixed duration counted around the clock (S1 15 minutes, S2 30 minutes: midnight,
 * weekends and daylight-saving changes make no difference, it is elapsed time) or a number of
 * business days of a region (S3 1, S4 3): `addBusinessDays` of section 2, at the same local
 * wall-clock time the case was opened. The region defaults to `policy.severity.defaultRegion`.
 * A business-day target is shown as an ISO-8601 duration in days (`P1D`, `P3D`); `clock` tells
 * the reader that those are business days, not calendar days.
 */
import { DateTime, Duration } from 'luxon';
import { addBusinessDays, toUtcIso } from './calendar.ts';
import type { Policy } from './policy.ts';
import { IMPACTS, type Impact, type Region, type Severity, URGENCIES, type Urgency } from './vocabulary.ts';

export interface SeverityAnswer {
  severity: Severity;
  /** ISO-8601 duration: 'PT15M', 'PT30M', or 'P1D' / 'P3D' counted in business days. */
  responseTarget: string;
  clock: 'continuous' | 'business-days';
  /** ISO UTC instant the provider must respond by; present when the case's opening time is known. */
  respondBy?: string;
}

export interface SeverityInput {
  impact: Impact;
  urgency: Urgency;
  /** When the case was opened; an ISO string without an offset is read as UTC. */
  openedAt?: DateTime | string;
  /** Region whose business days count S3/S4 targets (default `policy.severity.defaultRegion`). */
  region?: Region;
}

/** The matrix cell for the case; throws a RangeError for a value outside the matrix. */
export function severityOf(policy: Policy, impact: Impact, urgency: Urgency): Severity {
  if (!(IMPACTS as readonly string[]).includes(impact)) {
    throw new RangeError(`unknown impact: ${String(impact)}`);
  }
  if (!(URGENCIES as readonly string[]).includes(urgency)) {
    throw new RangeError(`unknown urgency: ${String(urgency)}`);
  }
  return policy.severity.matrix[urgency][impact];
}

function utcInstant(value: DateTime | string, what: string): DateTime {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc', setZone: true }) : value;
  if (!dt.isValid) throw new RangeError(`${what} is not a valid instant: ${String(value)}`);
  return dt.toUTC();
}

/** Severity, response target and, given `openedAt`, the instant to respond by. */
export function assessSeverity(policy: Policy, input: SeverityInput): SeverityAnswer {
  const severity = severityOf(policy, input.impact, input.urgency);
  const target = policy.severity.responseTargets[severity];

  if (target.clock === 'continuous') {
    const answer: SeverityAnswer = { severity, responseTarget: target.duration, clock: 'continuous' };
    if (input.openedAt !== undefined) {
      const openedAt = utcInstant(input.openedAt, 'openedAt');
      answer.respondBy = toUtcIso(openedAt.plus(Duration.fromISO(target.duration)));
    }
    return answer;
  }

  const answer: SeverityAnswer = {
    severity,
    responseTarget: `P${target.businessDays}D`,
    clock: 'business-days',
  };
  if (input.openedAt !== undefined) {
    const openedAt = utcInstant(input.openedAt, 'openedAt');
    const region = input.region ?? policy.severity.defaultRegion;
    answer.respondBy = toUtcIso(addBusinessDays(policy, region, openedAt, target.businessDays));
  }
  return answer;
}
