/**
 * History is ordered by commit, not by arrival: a partner's acknowledgement and ops' cancellation of the
 * same change sent at once. Whichever commits second was decided on the first's version, and its entries
 * read after the first's; `updatedAt` and the entries' instants never go back.
 *
 * The original failure (issue 9): entries carried the instant each request read the clock, and history was
 * sorted by it, so 3 of 20 pairs read CANCELLED then ACKNOWLEDGED, CONFIRMED (a cancelled change that
 * looks confirmed), and `updatedAt` went backwards. Here the clock ticks a second on every reading, so
 * the request that reads it first often commits second.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

interface Entry {
  at: string;
  event: string;
  version?: number;
}
interface ChangeView {
  changeId: string;
  status: string;
  updatedAt: string;
  version: number;
  history: Entry[];
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

describe('concurrent acknowledge and cancel', () => {
  it('reads history in commit order, with updatedAt and instants never going back (20 pairs)', async () => {
    // Prepare: 20 planned changes, then a clock that ticks one second per reading.
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await api.call<ChangeView>('POST', '/changes', {
        body: {
          customerId: 'globex',
          partnerId: 'acme-voice',
          type: 'configuration',
          title: `Race ${i}`,
          disruptsCalling: true,
        },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.changeId);
    }
    let tick = 0;
    const base = api.clock.now();
    api.clock.now = () => base.plus({ seconds: ++tick });
    // The cancellation's write takes a moment longer (a slow network), so it often commits second.
    const write = api.ports.changes.write.bind(api.ports.changes);
    api.ports.changes.write = async (before, transition) => {
      if (transition.change.status === 'CANCELLED') await new Promise((r) => setTimeout(r, 30));
      return write(before, transition);
    };

    // Act: each pair at once, the cancellation sent a moment first (so it reads the clock first).
    await Promise.all(
      ids.map((id) =>
        Promise.all([
          api.call('POST', `/changes/${id}/cancel`, { body: { reason: 'customer asked' } }),
          new Promise((r) => setTimeout(r, 5)).then(() =>
            api.call('POST', `/changes/${id}/acknowledge`, { key: api.keys.acme, body: {} }),
          ),
        ]),
      ),
    );
    api.ports.changes.write = write;

    // Assess
    for (const id of ids) {
      const { body: change } = await api.call<ChangeView>('GET', `/changes/${id}`);
      const events = change.history.map((e) => e.event);
      expect(change.status).toBe('CANCELLED');
      // Either the cancel came first (the acknowledgement was refused), or after the acknowledgement.
      expect([
        ['SCHEDULED', 'CANCELLED'],
        ['SCHEDULED', 'ACKNOWLEDGED', 'CONFIRMED', 'CANCELLED'],
      ]).toContainEqual(events);
      const versions = change.history.map((e) => e.version ?? 0);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      const instants = change.history.map((e) => DateTime.fromISO(e.at).toMillis());
      expect(instants).toEqual([...instants].sort((a, b) => a - b));
      expect(DateTime.fromISO(change.updatedAt).toMillis()).toBe(instants.at(-1));
    }
  });
});
