/**
 * Every history entry of a change is published as a lifecycle event (EventBridge in AWS). The API does
 * not show them; the local runtime keeps what it published and serves it at GET /local/events?changeId=.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanned } from './support/changes.ts';
import { readChange, shift } from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

interface PublishedEvent {
  changeId: string;
  event: string;
  at: string;
  actor: string;
  status: string;
  version: number;
}

async function published(changeId: string): Promise<PublishedEvent[]> {
  await system.settle();
  const response = await fetch(`${system.runtime.adminUrl}/events?changeId=${changeId}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: PublishedEvent[] }).items;
}

const key = (e: { event: string; at: string; actor: string }) => `${e.at} ${e.event} ${e.actor}`;

describe('lifecycle events', () => {
  it('publishes every history entry exactly once, from scheduling to the outcome', async () => {
    // Act: a whole lifecycle with a partner decision, system moves, notices and an ops outcome.
    const created = await createPlanned(system, { title: 'Published lifecycle' });
    const id = created.changeId;
    await system.advance('PT1H');
    await system.call('POST', `/changes/${id}/acknowledge`, { key: system.keys.acme, body: {} });
    await system.set(shift(created.window.start, { hours: -24 }));
    await system.set(created.window.start);
    await system.advance('PT2H');
    await system.call('POST', `/changes/${id}/complete`, { body: { outcome: 'succeeded' } });

    // Assess
    const change = await readChange(system, id);
    const events = await published(id);
    expect(change.history.length).toBe(9);
    expect(events.map(key).sort()).toEqual(change.history.map(key).sort());
    for (const event of events) {
      expect(event).toMatchObject({ changeId: id, status: expect.any(String), version: expect.any(Number) });
    }
    // The event of a move carries the status the move produced.
    expect(events.find((e) => e.event === 'STARTED')?.status).toBe('IN_PROGRESS');
    expect(events.find((e) => e.event === 'COMPLETED')?.status).toBe('COMPLETED');
  });
});
