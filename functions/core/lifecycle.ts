/**
 * What a change needs next, decided from its record, its history, the notices already settled and
 * the time: the whole lifecycle as one pure function. The workflow's Advance step asks it again and
 * again, does what it says (send a notice, confirm, start, raise an alert) and parks when it says
 * park; because every answer is derived from the stored state, a retried or repeated step never does
 * anything twice, and a decision that arrives while the workflow is busy is simply seen next time.
 */
import { DateTime } from 'luxon';
import type { ChangeRecord, HistoryRecord } from './change.ts';
import { LATE_NOTICE } from './notice-timing.ts';
import { noticeRuleHolds } from './planning.ts';
import type { Policy } from './policy.ts';
import { FINAL_STATUSES, NOTICE_KINDS, type NoticeKind, type ParkPhase } from './vocabulary.ts';

/** A notice is settled once it was sent, or given up because nobody can receive it (recorded). */
export type NoticeState = 'SENT' | 'FAILED';

/**
 * A notice's entry in the ledger, as the decider needs it (docs/data-model.md, "Notice ledger"):
 * - `SENDING`: an attempt holds it until `claimedUntil`; past that, its sender died (the claim lapsed);
 * - `RETRY`: an attempt failed; owed, tried again at once during the fast retries, and not before
 *   `nextAttemptAt` once they ran out (growing back-off);
 * - `RESEND`: ops asked for it to be sent again (POST /v1/changes/{id}/notices/resend);
 * - `SENT`, `FAILED` (nobody can receive it): settled.
 */
export interface NoticeEntry {
  state: 'SENDING' | 'RETRY' | 'RESEND' | NoticeState;
  attempts?: number;
  claimedUntil?: string;
  nextAttemptAt?: string;
  settledAt?: string;
  /** How many times the fast retries ran out. */
  rounds?: number;
  /** When it was first accepted for delivery (a resend does not move it). */
  firstSentAt?: string;
}

/**
 * When an owed notice is tried again after the fast retries ran out `rounds` times before: 5 minutes
 * after the first time, doubling, at most 6 hours apart (_constants_).
 */
export const NOTICE_BACKOFF = { firstMinutes: 5, maxHours: 6 } as const;

export function nextNoticeAttempt(now: DateTime, rounds: number): DateTime {
  const minutes = Math.min(NOTICE_BACKOFF.firstMinutes * 2 ** rounds, NOTICE_BACKOFF.maxHours * 60);
  return now.plus({ minutes });
}

export interface LifecycleView {
  change: ChangeRecord;
  history: readonly HistoryRecord[];
  /** The ledger's notices by key (see `noticeKey`): a settled state, or the whole entry. */
  notices: Readonly<Record<string, NoticeState | NoticeEntry>>;
}

export type LifecycleAction =
  | { kind: 'notify'; notice: NoticeKind; key: string; reminderHours?: number; resend?: true }
  | { kind: 'confirm' }
  | { kind: 'start' }
  | { kind: 'alert-outcome-overdue' }
  /** The first notice is about to go out too late for the change's window: move the change first. */
  | { kind: 'move-late-notice' }
  /** The first notice was accepted for delivery at `at`: the change's record must say so. */
  | { kind: 'record-notice-delivery'; at: string }
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

/** The notice a ledger key names (the inverse of `noticeKey`); undefined for a key no notice has. */
export function noticeOfKey(key: string): { notice: NoticeKind; reminderHours?: number } | undefined {
  const reminder = /^reminder-(\d+)h@/.exec(key);
  if (reminder) return { notice: 'reminder', reminderHours: Number(reminder[1]) };
  if (key.startsWith('rescheduled@')) return { notice: 'rescheduled' };
  return (NOTICE_KINDS as readonly string[]).includes(key) && key !== 'reminder' && key !== 'rescheduled'
    ? { notice: key as NoticeKind }
    : undefined;
}

const OUTCOME_ALERT = 'OUTCOME_OVERDUE';
/** After the overdue alert, the workflow looks again this often while it waits for ops' outcome. */
const OVERDUE_RECHECK_HOURS = 24;

function instant(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

export function noticeEntry(view: LifecycleView, key: string): NoticeEntry | undefined {
  const entry = view.notices[key];
  return typeof entry === 'string' ? { state: entry } : entry;
}

/**
 * Where a notice stands for the decider: settled; due now (never tried, failed during the fast retries,
 * its back-off over, its claim lapsed, or a resend asked for); or owed but to wait until an instant
 * (another attempt holds its claim, or its back-off runs).
 */
export type NoticeStatus = { kind: 'settled' } | { kind: 'due' } | { kind: 'wait'; until: DateTime };

export function noticeStatus(view: LifecycleView, key: string, now: DateTime): NoticeStatus {
  const entry = noticeEntry(view, key);
  if (!entry || entry.state === 'RESEND') return { kind: 'due' };
  if (entry.state === 'SENT' || entry.state === 'FAILED') return { kind: 'settled' };
  const until =
    entry.state === 'SENDING'
      ? entry.claimedUntil && instant(entry.claimedUntil)
      : entry.nextAttemptAt && instant(entry.nextAttemptAt);
  return until && until > now ? { kind: 'wait', until } : { kind: 'due' };
}

/**
 * Asks for a notice: the action when it is due now; null when it is settled or must wait (a wait is
 * added to `waits`, the instants the lifecycle must look again at).
 */
function ask(
  view: LifecycleView,
  now: DateTime,
  waits: DateTime[],
  notice: NoticeKind,
  reminderHours?: number,
): LifecycleAction | null {
  const key = noticeKey(notice, view.change, reminderHours);
  const status = noticeStatus(view, key, now);
  if (status.kind === 'wait') waits.push(status.until);
  if (status.kind !== 'due') return null;
  return reminderHours === undefined
    ? { kind: 'notify', notice, key }
    : { kind: 'notify', notice, key, reminderHours };
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

/** The resends ops asked for, oldest key first: each is sent again as the change reads now. */
function resendAsked(view: LifecycleView): LifecycleAction | null {
  for (const key of Object.keys(view.notices).sort()) {
    const entry = noticeEntry(view, key);
    if (entry?.state !== 'RESEND') continue;
    // A first notice never delivered is still the announcement, with its checks (below).
    if (key === 'scheduled' && !view.change.emergency && !entry.firstSentAt) continue;
    const named = noticeOfKey(key);
    if (!named) continue;
    return { kind: 'notify', ...named, key, resend: true };
  }
  return null;
}

function parkUntil(phase: ParkPhase, instants: DateTime[]): LifecycleAction {
  return { kind: 'park', phase, until: DateTime.min(...instants) as DateTime };
}

/** The alert raised when no window could be found for a late first notice (then it announces the window it has). */
export const NOTICE_LATE_ALERT = 'NOTICE_LATE';

function lateMoveImpossible(history: readonly HistoryRecord[], change: ChangeRecord): boolean {
  return history.some(
    (entry) =>
      entry.event === 'ALERT_RAISED' &&
      entry.detail.event === NOTICE_LATE_ALERT &&
      entry.detail.noWindow === true &&
      entry.detail.windowStart === change.window.start,
  );
}

export function hasOutcomeAlert(history: readonly HistoryRecord[]): boolean {
  return history.some((entry) => entry.event === 'ALERT_RAISED' && entry.detail.event === OUTCOME_ALERT);
}

/**
 * What the change needs now. A notice is owed until it is delivered (or nobody can receive it): one
 * that must wait (its claim is held, its back-off runs) never stops the lifecycle from doing what it
 * may do meanwhile, except the first notice of a planned change, which everything after it depends on
 * (the partner must have been told before the change is confirmed by silence, reminded, or started).
 * A notice whose moment has passed is not sent late: a reminder after the window started, the
 * scheduled, rescheduled or started notice of a change that ended.
 */
export function nextLifecycleAction(policy: Policy, view: LifecycleView, now: DateTime): LifecycleAction {
  const { change, history } = view;
  const waits: DateTime[] = [];

  const resend = resendAsked(view);
  if (resend) return resend;

  // An emergency is announced when it is triggered, even if it was closed before the first step ran.
  if (change.emergency) {
    const announced = ask(view, now, waits, 'emergency');
    if (announced) return announced;
  }
  if (FINAL_STATUSES.includes(change.status)) {
    const closing = ask(view, now, waits, change.status === 'CANCELLED' ? 'cancelled' : 'outcome');
    if (closing) return closing;
    return waits.length > 0 ? parkUntil('notice', waits) : { kind: 'done' };
  }

  if (!change.emergency) {
    const announcement = ask(view, now, waits, 'scheduled');
    if (announcement) {
      // Notice counts from delivery: a window this notice would come too late for is not announced.
      const late = !noticeEntry(view, 'scheduled')?.firstSentAt && !noticeRuleHolds(policy, change, now);
      return late && !lateMoveImpossible(history, change) ? { kind: 'move-late-notice' } : announcement;
    }
    // Not delivered yet: nothing that depends on the partner having been told may happen.
    if (waits.length > 0) return parkUntil('notice', waits);
    const deliveredAt = noticeEntry(view, 'scheduled')?.firstSentAt;
    if (deliveredAt && deliveredAt !== change.noticeSentAt)
      return { kind: 'record-notice-delivery', at: deliveredAt };
  }
  // The partner's reschedules are announced; a move the system made before the first notice is not
  // (that notice announced the new window).
  if (history.some((entry) => entry.event === 'RESCHEDULED' && entry.detail.reason !== LATE_NOTICE)) {
    const update = ask(view, now, waits, 'rescheduled');
    if (update) return update;
  }

  if (change.status === 'SCHEDULED' || change.status === 'CONFIRMED') {
    const windowStart = instant(change.window.start);
    // The window has come: the work starts, whether or not the partner answered (a change placed
    // in the next window needs no reply; silence confirms).
    if (now >= windowStart) return { kind: 'start' };
    const replyBy = change.status === 'SCHEDULED' && change.replyBy ? instant(change.replyBy) : null;
    if (change.status === 'SCHEDULED' && (!replyBy || now >= replyBy)) return { kind: 'confirm' };
    const upcoming: DateTime[] = [];
    for (const reminder of reminders(policy, change)) {
      if (now < reminder.at) {
        if (noticeStatus(view, noticeKey('reminder', change, reminder.hours), now).kind !== 'settled')
          upcoming.push(reminder.at);
        continue;
      }
      const due = ask(view, now, waits, 'reminder', reminder.hours);
      if (due) return due;
    }
    return parkUntil(replyBy ? 'reply' : 'confirmed', [
      windowStart,
      ...upcoming,
      ...(replyBy ? [replyBy] : []),
      ...waits,
    ]);
  }

  // IN_PROGRESS: tell the partner the work started (an emergency run `now` was announced as started),
  // then wait for ops' outcome; past the window's end plus the grace period, alert ops once.
  if (!(change.emergency && change.when === 'now')) {
    const started = ask(view, now, waits, 'started');
    if (started) return started;
  }
  const overdueAt = instant(change.window.end).plus({ hours: policy.notice.outcomeGraceHours });
  if (now < overdueAt) return parkUntil('outcome', [overdueAt, ...waits]);
  if (!hasOutcomeAlert(history)) return { kind: 'alert-outcome-overdue' };
  return parkUntil('outcome', [now.plus({ hours: OVERDUE_RECHECK_HOURS }), ...waits]);
}
