/**
 * Proactive alerts the system raises about itself (rules section 11). The event decides the
 * priority (`policy.alerts.priorities`), the priority decides the response target
 * (`policy.alerts.responseTargets`, P1 1 h ... P4 8 h), counted around the clock from the moment
 * the alert is raised: ops is on call, so elapsed time is what counts, not business hours.
 * A draft is what the alert store keeps; `dedupeKey` lets it keep one open alert per condition
 * (e.g. `NO_GOOD_BACKUP#<customer>#<application>#<night>`), which the caller chooses.
 */
import { DateTime, Duration } from 'luxon';
import { toUtcIso } from './calendar.ts';
import type { Policy } from './policy.ts';
import {
  ALERT_EVENTS,
  ALERT_PRIORITIES,
  type AlertEvent,
  type AlertPriority,
  type AlertStatus,
} from './vocabulary.ts';

export interface AlertDraft {
  event: AlertEvent;
  priority: AlertPriority;
  /** ISO UTC instant. */
  raisedAt: string;
  /** ISO UTC instant: raisedAt + the priority's response target. */
  respondBy: string;
  subject: string;
  detail: Record<string, unknown>;
  dedupeKey: string;
}

/** An alert as it is kept: its id derives from the dedupe key, so raising it again finds the first. */
export interface Alert extends AlertDraft {
  alertId: string;
  status: AlertStatus;
  acknowledgedAt?: string;
}

export interface AlertInput {
  /** When the condition was detected; an ISO string without an offset is read as UTC. */
  raisedAt: DateTime | string;
  subject: string;
  detail?: Record<string, unknown>;
  dedupeKey: string;
}

function utcInstant(value: DateTime | string, what: string): DateTime {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc', setZone: true }) : value;
  if (!dt.isValid) throw new RangeError(`${what} is not a valid instant: ${String(value)}`);
  return dt.toUTC();
}

/** raisedAt plus the priority's response target, as a UTC DateTime. */
export function alertRespondBy(
  policy: Policy,
  priority: AlertPriority,
  raisedAt: DateTime | string,
): DateTime {
  if (!(ALERT_PRIORITIES as readonly string[]).includes(priority)) {
    throw new RangeError(`unknown alert priority: ${String(priority)}`);
  }
  const target = policy.alerts.responseTargets[priority];
  return utcInstant(raisedAt, 'raisedAt').plus(Duration.fromISO(target));
}

/**
 * The alert to store for an event. Throws a RangeError for an unknown event, a blank subject or
 * a blank dedupe key (an alert nobody can read or deduplicate is a bug in the caller).
 */
export function draftAlert(policy: Policy, event: AlertEvent, input: AlertInput): AlertDraft {
  if (!(ALERT_EVENTS as readonly string[]).includes(event))
    throw new RangeError(`unknown alert event: ${String(event)}`);
  const priority = policy.alerts.priorities[event];
  if (input.subject.trim() === '') throw new RangeError('an alert needs a subject');
  if (input.dedupeKey.trim() === '') throw new RangeError('an alert needs a dedupe key');
  const raisedAt = utcInstant(input.raisedAt, 'raisedAt');
  return {
    event,
    priority,
    raisedAt: toUtcIso(raisedAt),
    respondBy: toUtcIso(alertRespondBy(policy, priority, raisedAt)),
    subject: input.subject,
    detail: { ...(input.detail ?? {}) },
    dedupeKey: input.dedupeKey,
  };
}
