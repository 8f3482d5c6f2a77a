/**
 * The lifecycle events other systems receive (docs/events.md): one per history entry of a change,
 * published on EventBridge in AWS (source and detail-type below) and kept by the local runtime.
 */
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';

export const EVENT_SOURCE = 'change-management';
export const EVENT_DETAIL_TYPE = 'Change lifecycle event';

export interface LifecycleEventDetail {
  changeId: string;
  partnerId: string;
  customerId: string;
  region: string;
  type: string;
  emergency: boolean;
  status: string;
  window: ChangeRecord['window'];
  event: HistoryRecord['event'];
  at: string;
  actor: string;
  detail: Record<string, unknown>;
  version: number;
}

export function lifecycleEventDetail(change: ChangeRecord, record: HistoryRecord): LifecycleEventDetail {
  return {
    changeId: change.changeId,
    partnerId: change.partnerId,
    customerId: change.customerId,
    region: change.region,
    type: change.type,
    emergency: change.emergency,
    status: change.status,
    window: change.window,
    event: record.event,
    at: record.at,
    actor: record.actor,
    detail: record.detail,
    version: change.version,
  };
}
