/**
 * A change's notice that could not be delivered: recorded in its history (NOTIFICATION_FAILED), with a
 * P2 alert for ops, and the lifecycle goes on without it. Reached two ways: the notice can never be
 * delivered (nobody to receive it), or the state machine's retries of a failed send ran out.
 */
import type { DateTime } from 'luxon';
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import { notFound } from '#app/changes/new-change.ts';
import { publishEvents } from '#app/events.ts';
import type { Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import { type ChangeRecord, historyEntry } from '#core/change.ts';
import { nextLifecycleAction } from '#core/lifecycle.ts';
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
 * The state machine gave up sending a notice. The notice is the one the error's Cause names; failing
 * that, the one the lifecycle still wants. A notice settled meanwhile is left as it is.
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
  const key = failedNoticeOf(cause)?.noticeKey ?? (pending.kind === 'notify' ? pending.key : undefined);
  if (!key || stored.notices[key]) return;
  const reason = 'delivery kept failing after retries';
  await ports.noticeLedger.settle(
    { changeId, noticeKey: key },
    { state: 'FAILED', reason, at: toUtcIso(at) },
  );
  await recordUndeliveredNotice(ports, stored.change, key, reason, at);
}
