/**
 * A change's notice that could not be delivered: recorded in its history (NOTIFICATION_FAILED), with one
 * P2 alert for ops per notice. Reached two ways: the notice can never be delivered (nobody to receive it:
 * given up, the lifecycle goes on without it), or the state machine's fast retries of a failed send ran
 * out (it stays owed and is tried again with growing back-off until it is delivered).
 */
import type { DateTime } from 'luxon';
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import { notFound } from '#app/changes/new-change.ts';
import { publishEvents } from '#app/events.ts';
import type { Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import { type ChangeRecord, type HistoryRecord, historyEntry } from '#core/change.ts';
import { nextLifecycleAction, nextNoticeAttempt } from '#core/lifecycle.ts';
import { failedNoticeOf } from './notification-delivery-error.ts';

type FailurePorts = Pick<Ports, 'changes' | 'events' | 'alerts' | 'pager' | 'policy'>;

/** The history entries and the alert of a notice given up (its ledger entry is settled FAILED). */
export async function recordUndeliveredNotice(
  ports: FailurePorts,
  change: ChangeRecord,
  noticeKey: string,
  reason: string,
  at: DateTime,
): Promise<void> {
  const { alert, created } = await raiseAlert(ports, 'NOTIFICATION_FAILED', {
    raisedAt: at,
    subject: `Notice ${noticeKey} for change ${change.changeId} could not be delivered`,
    detail: { changeId: change.changeId, partnerId: change.partnerId, notice: noticeKey, reason },
    dedupeKey: `NOTIFICATION_FAILED#${change.changeId}#${noticeKey}`,
  });
  const records = [
    historyEntry(at, 'NOTIFICATION_FAILED', 'system', { notice: noticeKey, reason }),
    ...(created
      ? [historyEntry(at, 'ALERT_RAISED', 'system', { event: alert.event, alertId: alert.alertId })]
      : []),
  ];
  await ports.changes.appendHistory(change, records);
  await publishEvents(ports, change, records);
}

/**
 * The state machine's fast retries of a notice ran out. The notice is the one the error's Cause names;
 * failing that, the one the lifecycle still wants. It stays owed: its next attempt waits a growing
 * back-off (core/lifecycle.ts, nextNoticeAttempt) and the lifecycle goes on with what it may do
 * meanwhile. The first time, the history says so (NOTIFICATION_FAILED, with the next attempt) and ops
 * get one P2 alert for that notice; later rounds only move the next attempt. A notice settled
 * meanwhile is left as it is.
 */
export async function recordNotificationFailure(
  ports: FailurePorts & Pick<Ports, 'noticeLedger' | 'clock'>,
  changeId: string,
  cause: string | undefined,
): Promise<void> {
  const stored = await ports.changes.read(changeId);
  if (!stored) throw notFound('change', changeId);
  const at = ports.clock.now();
  const pending = nextLifecycleAction(ports.policy, stored, at);
  const failed = failedNoticeOf(cause);
  const key = failed?.noticeKey ?? (pending.kind === 'notify' ? pending.key : undefined);
  if (!key) return;
  const entry = stored.notices[key];
  if (entry?.state === 'SENT' || entry?.state === 'FAILED') return;
  const rounds = entry?.rounds ?? 0;
  const nextAttemptAt = toUtcIso(nextNoticeAttempt(at, rounds));
  const reason = failed?.reason ?? 'delivery kept failing after retries';
  const first = rounds === 0 && !hasFailureEntry(stored.history, key);
  let records: HistoryRecord[] = [];
  if (first) {
    const { alert, created } = await raiseAlert(ports, 'NOTIFICATION_FAILED', {
      raisedAt: at,
      subject: `Notice ${key} for change ${changeId} could not be delivered yet; it is retried until it is`,
      detail: { changeId, partnerId: stored.change.partnerId, notice: key, reason, nextAttemptAt },
      dedupeKey: `NOTIFICATION_FAILED#${changeId}#${key}`,
    });
    records = [
      historyEntry(at, 'NOTIFICATION_FAILED', 'system', { notice: key, reason, owed: true, nextAttemptAt }),
      ...(created
        ? [historyEntry(at, 'ALERT_RAISED', 'system', { event: alert.event, alertId: alert.alertId })]
        : []),
    ];
  }
  const owed = await ports.noticeLedger.owe(
    { changeId, noticeKey: key },
    { nextAttemptAt, reason },
    records.length > 0 ? { change: stored.change, records } : undefined,
  );
  if (owed) await publishEvents(ports, stored.change, records);
}

function hasFailureEntry(history: readonly HistoryRecord[], key: string): boolean {
  return history.some((entry) => entry.event === 'NOTIFICATION_FAILED' && entry.detail.notice === key);
}
