/**
 * The lifecycle's notify step: the notice the core asked for goes out once (deliverNotice), is recorded
 * in the change's history (NOTICE_SENT, or REMINDER_SENT) and published. A notice nobody can receive is
 * recorded as undelivered; one the mail service refused fails the step with NotificationDeliveryError,
 * which the state machine retries with back-off.
 */
import type { DateTime } from 'luxon';
import { publishEvents } from '#app/events.ts';
import { deliverNotice } from '#app/notices/deliver-notice.ts';
import type { Ports, StoredChange } from '#app/ports.ts';
import { historyEntry } from '#core/change.ts';
import type { LifecycleAction } from '#core/lifecycle.ts';
import { composeNotice } from '#core/notices.ts';
import { NotificationDeliveryError } from './notification-delivery-error.ts';
import { recordUndeliveredNotice } from './record-notification-failure.ts';

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
  { change }: StoredChange,
  action: Extract<LifecycleAction, { kind: 'notify' }>,
  at: DateTime,
): Promise<void> {
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
      return { notice: composeNotice(action.notice, change, { partner, customer }), date: at.toJSDate() };
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
    case 'sent': {
      const { notice, messageId } = delivery;
      const records = [
        historyEntry(at, action.notice === 'reminder' ? 'REMINDER_SENT' : 'NOTICE_SENT', 'system', {
          notice: action.notice,
          key: action.key,
          messageId,
          to: notice.to,
          cc: notice.cc,
          subject: notice.subject,
        }),
      ];
      await ports.changes.appendHistory(change, records);
      await publishEvents(ports, change, records);
    }
  }
}
