/**
 * What a change needs next, decided from its record, its history, the notices already settled and
 * the time: the whole lifecycle as one pure function. The workflow's Advance step asks it again and
 * again, does what it says (send a notice, confirm, start, raise an alert) and parks when it says
 * park; because every answer is derived from the stored state, a retried or repeated step never does
 * anything twice, and a decision that arrives while the workflow is busy is simply seen next time.
 */
import { DateTime } from 'luxon';
import type { ChangeRecord, HistoryRecord } from './change.ts';
import type { Policy } from './policy.ts';
import { FINAL_STATUSES, type NoticeKind, type ParkPhase } from './vocabulary.ts';

/** A notice is settled once it was sent, or given up after the workflow's retries (recorded). */
export type NoticeState = 'SENT' | 'FAILED';

export interface LifecycleView {
  change: ChangeRecord;
  history: readonly HistoryRecord[];
  /** Settled notices by key (see `noticeKey`). */
  notices: Readonly<Record<string, NoticeState>>;
}

export type LifecycleAction =
  | { kind: 'notify'; notice: NoticeKind; key: string; reminderHours?: number }
  | { kind: 'confirm' }
  | { kind: 'start' }
  | { kind: 'alert-outcome-overdue' }
  | { kind: 'park'; phase: ParkPhase; until: DateTime }
  | { kind: 'done' };

/**
 * The ledger key of a notice. Reminders are keyed by their offset and the window they announce,
 * so a rescheduled change gets reminders for its new window.
 */
export function noticeKey(notice: NoticeKind, change: ChangeRecord, reminderHours?: number): string {
  if (notice === 'reminder') return `reminder-${reminderHours}h@${change.window.start}`;
  // Each reschedule announces its own new window (a policy may allow more than one).
  if (notice === 'rescheduled') return `rescheduled@${change.window.start}`;
  return notice;
}

const OUTCOME_ALERT = 'OUTCOME_OVERDUE';
/** After the overdue alert, the workflow looks again this often while it waits for ops' outcome. */
const OVERDUE_RECHECK_HOURS = 24;

function notify(view: LifecycleView, notice: NoticeKind, reminderHours?: number): LifecycleAction | null {
  const key = noticeKey(notice, view.change, reminderHours);
  if (view.notices[key]) return null;
  return reminderHours === undefined
    ? { kind: 'notify', notice, key }
    : { kind: 'notify', notice, key, reminderHours };
}

function instant(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

/** Reminders due for the current window: their time came after the change was announced. */
function reminders(policy: Policy, change: ChangeRecord): { hours: number; at: DateTime }[] {
  const start = instant(change.window.start);
  const announced = instant(change.noticeSentAt ?? change.createdAt);
  return [...policy.notice.reminderOffsetsHours]
    .sort((a, b) => b - a)
    .map((hours) => ({ hours, at: start.minus({ hours }) }))
    .filter((reminder) => reminder.at > announced);
}

export function hasOutcomeAlert(history: readonly HistoryRecord[]): boolean {
  return history.some((entry) => entry.event === 'ALERT_RAISED' && entry.detail.event === OUTCOME_ALERT);
}

export function nextLifecycleAction(policy: Policy, view: LifecycleView, now: DateTime): LifecycleAction {
  const { change, history } = view;

  // An emergency is announced when it is triggered, even if it was closed before the first step ran.
  if (change.emergency) {
    const announced = notify(view, 'emergency');
    if (announced) return announced;
  }
  if (change.status === 'CANCELLED') return notify(view, 'cancelled') ?? { kind: 'done' };
  if (FINAL_STATUSES.includes(change.status)) return notify(view, 'outcome') ?? { kind: 'done' };

  if (!change.emergency) {
    const announcement = notify(view, 'scheduled');
    if (announcement) return announcement;
  }
  if (history.some((entry) => entry.event === 'RESCHEDULED')) {
    const update = notify(view, 'rescheduled');
    if (update) return update;
  }

  if (change.status === 'SCHEDULED' || change.status === 'CONFIRMED') {
    const windowStart = instant(change.window.start);
    // The window has come: the work starts, whether or not the partner answered (a change placed
    // in the next window needs no reply; silence confirms).
    if (now >= windowStart) return { kind: 'start' };
    const replyBy = change.status === 'SCHEDULED' && change.replyBy ? instant(change.replyBy) : null;
    if (change.status === 'SCHEDULED' && (!replyBy || now >= replyBy)) return { kind: 'confirm' };
    const pending = reminders(policy, change).filter(
      (r) => !view.notices[noticeKey('reminder', change, r.hours)],
    );
    const due = pending.find((r) => now >= r.at);
    if (due) return notify(view, 'reminder', due.hours) as LifecycleAction;
    const wakeUps = [windowStart, ...pending.map((r) => r.at), ...(replyBy ? [replyBy] : [])];
    const until = DateTime.min(...wakeUps) as DateTime;
    return { kind: 'park', phase: replyBy ? 'reply' : 'confirmed', until };
  }

  // IN_PROGRESS: tell the partner the work started (an emergency run `now` was announced as started),
  // then wait for ops' outcome; past the window's end plus the grace period, alert ops once.
  if (!(change.emergency && change.when === 'now')) {
    const started = notify(view, 'started');
    if (started) return started;
  }
  const overdueAt = instant(change.window.end).plus({ hours: policy.notice.outcomeGraceHours });
  if (now < overdueAt) return { kind: 'park', phase: 'outcome', until: overdueAt };
  if (!hasOutcomeAlert(history)) return { kind: 'alert-outcome-overdue' };
  return { kind: 'park', phase: 'outcome', until: now.plus({ hours: OVERDUE_RECHECK_HOURS }) };
}
