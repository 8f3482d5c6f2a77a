/**
 * The lifecycle's notify step: the notice the core asked for goes out (deliverNotice) and is recorded in
 * the change's history with its settlement, in one write (NOTICE_SENT or REMINDER_SENT; NOTICE_RESENT for
 * a second delivery: a resend ops asked for, or a possible duplicate after a sender died), then published.
 * A notice nobody can receive is recorded as undelivered; one the mail service refused fails the step
 * with NotificationDeliveryError, which the state machine retries, then owes with back-off.
 */
import type { DateTime } from 'luxon';
import { publishEvents } from '#app/events.ts';
import { deliverNotice } from '#app/notices/deliver-notice.ts';
import type { Ports, StoredChange } from '#app/ports.ts';
import { historyEntry } from '#core/change.ts';
import type { LifecycleAction } from '#core/lifecycle.ts';
import { asNoticedAt } from '#core/notice-timing.ts';
import { composeNotice } from '#core/notices.ts';
import { NotificationDeliveryError } from './notification-delivery-error.ts';
import { recordUndeliveredNotice } from './record-notification-failure.ts';

/** Why a delivery is a second one, as the history says it. */
const AGAIN = {
  lapsed:
    'an earlier attempt stopped between sending and recording it, so the partner may receive this notice twice',
  resend: 'sent again at the request of operations',
} as const;

export async function notifyChange(
  ports: Pick<
    Ports,
    | 'changes'
    | 'events'
    | 'alerts'
    | 'pager'
    | 'policy'
    | 'directory'
    | 'noticeLedger'
    | 'mailer'
    | 'noticeSender'
  >,
  { change, notices }: StoredChange,
  action: Extract<LifecycleAction, { kind: 'notify' }>,
  at: DateTime,
): Promise<void> {
  // The first notice states the change as it will read once delivered now (notice counts from delivery).
  const shown =
    action.notice === 'scheduled' && !notices.scheduled?.firstSentAt
      ? asNoticedAt(ports.policy, change, at)
      : change;
  const delivery = await deliverNotice(ports, {
    ref: { changeId: change.changeId, noticeKey: action.key },
    at,
    headers: { 'X-Change-Id': change.changeId, 'X-Notice': action.key },
    async compose() {
      const [partner, customer] = await Promise.all([
        ports.directory.readPartner(change.partnerId),
        ports.directory.readCustomer(change.customerId),
      ]);
      if (!partner || !customer) return { undeliverable: 'the partner or customer record is missing' };
      return { notice: composeNotice(action.notice, shown, { partner, customer }), date: at.toJSDate() };
    },
    // The history entry is written with the settlement, so a crash cannot leave one without the other.
    record: ({ messageId, notice, attempt, again }) => {
      const event = again ? 'NOTICE_RESENT' : action.notice === 'reminder' ? 'REMINDER_SENT' : 'NOTICE_SENT';
      const detail = {
        notice: action.notice,
        key: action.key,
        messageId,
        to: notice.to,
        cc: notice.cc,
        subject: notice.subject,
        ...(again ? { again, attempt, reason: AGAIN[again] } : {}),
      };
      return { change, records: [historyEntry(at, event, 'system', detail)] };
    },
  });
  switch (delivery.kind) {
    case 'not-claimed':
      return;
    case 'undeliverable':
      return recordUndeliveredNotice(ports, change, action.key, delivery.reason, at);
    case 'failed':
      throw new NotificationDeliveryError(
        { changeId: change.changeId, noticeKey: action.key, reason: delivery.reason },
        { cause: delivery.error },
      );
    case 'sent':
      if (delivery.recorded) await publishEvents(ports, change, delivery.recorded.records);
  }
}
