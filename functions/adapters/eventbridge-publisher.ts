/** Lifecycle events on the EventBridge bus (docs/events.md), at most 10 entries per PutEvents call. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '#app/ports.ts';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, lifecycleEventDetail } from '#contract/events.ts';
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly busName: string,
  ) {}

  /** Throws when EventBridge refuses the call or any entry of it. */
  async publish(change: ChangeRecord, records: readonly HistoryRecord[]): Promise<void> {
    const details = records.map((record) => lifecycleEventDetail(change, record));
    for (let i = 0; i < details.length; i += 10) {
      const result = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: details.slice(i, i + 10).map((detail) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
            Time: new Date(detail.at),
            Resources: [`change/${detail.changeId}`],
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        throw new Error(`${result.FailedEntryCount} lifecycle events were not accepted`);
      }
    }
  }
}
