/**
 * Lifecycle events for other systems: every history entry of a change is published on the
 * EventBridge bus (source `change-management`, detail-type `Change lifecycle event`; detail shape in
 * docs/events.md). Locally, with no bus configured, each event is a structured log line instead.
 * Publishing follows the write it reports; a failed publish is retried by the SDK with back-off and
 * then logged as an error (the history entry itself is already safe in the table).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { logger } from '#commons/logger.ts';
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

export function eventDetail(change: ChangeRecord, record: HistoryRecord): LifecycleEventDetail {
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

const busName = process.env.EVENT_BUS_NAME;

export type LifecycleEventSink = (detail: LifecycleEventDetail) => void | Promise<void>;
let localSink: LifecycleEventSink = (detail) => logger.info('lifecycle event', { lifecycleEvent: detail });

/** Local runtime only: where events go when no bus is configured (it prints and keeps them). */
export function installEventSink(sink: LifecycleEventSink): void {
  localSink = sink;
}
const eventBridge = new EventBridgeClient({ maxAttempts: 5 });

export async function publishLifecycleEvents(
  change: ChangeRecord,
  records: readonly HistoryRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const details = records.map((record) => eventDetail(change, record));
  if (!busName) {
    for (const detail of details) await localSink(detail);
    return;
  }
  try {
    // PutEvents takes at most 10 entries per call.
    for (let i = 0; i < details.length; i += 10) {
      const result = await eventBridge.send(
        new PutEventsCommand({
          Entries: details.slice(i, i + 10).map((detail) => ({
            EventBusName: busName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
            Time: new Date(detail.at),
            Resources: [`change/${detail.changeId}`],
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      if (result.FailedEntryCount)
        throw new Error(`${result.FailedEntryCount} lifecycle events were not accepted`);
    }
  } catch (error) {
    logger.error('lifecycle events could not be published', {
      changeId: change.changeId,
      error: error as Error,
    });
  }
}
