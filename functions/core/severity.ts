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
 *
 * The holiday table covers a fixed range of years. A business-day target that would need a year
 * outside it (a case opened in the last days of the last year) cannot be answered correctly, and
 * answering it without that year's holidays would be a guess: it is refused with a 400 naming
 * `openedAt`, the input that led there. Extending the table would only move that edge, since any
 * table ends somewhere and the policy may set targets of up to 30 business days. A target that the
 * table can count is answered, even when the opening instant is the year before on the region's clock
 * (the opening day itself never counts).
 */
import { DateTime, Duration } from 'luxon';
import { addBusinessDays, toUtcIso } from './calendar.ts';
import { DomainError } from './errors.ts';
import { HOLIDAY_YEARS, OutsideCalendarYearsError } from './holidays.ts';
import type { Policy } from './policy.ts';
import { IMPACTS, type Impact, type Region, type Severity, URGENCIES, type Urgency } from './vocabulary.ts';

export interface SeverityAnswer {
  severity: Severity;
  /** ISO-8601 duration: 'PT15M', 'PT30M', or 'P1D' / 'P3D' counted in business days. */
  responseTarget: string;
  clock: 'continuous' | 'business-days';
  /** The target in business days, for a business-day target (`responseTarget` is then `P<n>D`). */
  businessDays?: number;
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
    businessDays: target.businessDays,
  };
  if (input.openedAt !== undefined) {
    const openedAt = utcInstant(input.openedAt, 'openedAt');
    const region = input.region ?? policy.severity.defaultRegion;
    answer.respondBy = toUtcIso(respondByInBusinessDays(policy, region, openedAt, target.businessDays));
  }
  return answer;
}

/**
 * `addBusinessDays`, or a 400 naming `openedAt` when the count needs a year the calendar lacks.
 * Thrown as the API's error (not a core refusal) because it carries the field it names.
 */
function respondByInBusinessDays(policy: Policy, region: Region, openedAt: DateTime, days: number): DateTime {
  try {
    return addBusinessDays(policy, region, openedAt, days);
  } catch (error) {
    if (!(error instanceof OutsideCalendarYearsError)) throw error;
    const message =
      `${days} business day${days === 1 ? '' : 's'} of ${region} from ${toUtcIso(openedAt)} run into ` +
      `${error.year}, past the years the calendar covers (${HOLIDAY_YEARS.first}-${HOLIDAY_YEARS.last})`;
    throw new DomainError('VALIDATION_FAILED', 400, `the request is not valid: check openedAt`, [
      { path: 'openedAt', message },
    ]);
  }
}
