/** Lifecycle events on EventBridge: one entry per history entry, at most 10 per call, refusals reported. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { eventBridgeClient } from '#adapters/aws-clients.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import type { HistoryRecord } from '#core/change.ts';
import { plannedChangeRecord } from '../support/change-fixtures.ts';

const eventBridge = mockClient(EventBridgeClient);
const publisher = new EventBridgePublisher(eventBridgeClient(), 'change-management');
const change = plannedChangeRecord({ changeId: 'chg_0042' });
const entry = (n: number): HistoryRecord => ({
  at: `2026-11-16T15:00:${String(n).padStart(2, '0')}Z`,
  event: 'NOTICE_SENT',
  actor: 'system',
  detail: { n },
});

afterEach(() => {
  eventBridge.reset();
});

describe('EventBridgePublisher', () => {
  it('puts each history entry on the bus as a lifecycle event of the change', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });

    // Act
    await publisher.publish(change, [entry(1)]);

    // Assess
    const input = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input.Entries).toHaveLength(1);
    const [event] = input.Entries!;
    expect(event).toMatchObject({
      EventBusName: 'change-management',
      Source: 'change-management',
      DetailType: 'Change lifecycle event',
      Time: new Date('2026-11-16T15:00:01Z'),
      Resources: ['change/chg_0042'],
    });
    expect(JSON.parse(event!.Detail!)).toMatchObject({
      changeId: 'chg_0042',
      partnerId: change.partnerId,
      event: 'NOTICE_SENT',
      at: '2026-11-16T15:00:01Z',
      actor: 'system',
      detail: { n: 1 },
      status: 'SCHEDULED',
      version: 1,
    });
  });

  it('sends at most 10 entries per call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await publisher.publish(
      change,
      Array.from({ length: 23 }, (_, i) => entry(i)),
    );
    const sizes = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it('reports entries EventBridge did not accept as an error', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1 });
    await expect(publisher.publish(change, [entry(1)])).rejects.toThrow(
      '1 lifecycle events were not accepted',
    );
  });
});
