/** The local runtime's own state kept beside the data: the clock's position and the demo epoch. */
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalClock } from '#local/clock.ts';
import { demoEpoch, keepClock, readLocalState, saveClock } from '#local/local-state.ts';
import { freshTable } from './support/table.ts';

let table: { documents: Awaited<ReturnType<typeof freshTable>>['doc']; name: string };
beforeAll(async () => {
  const fresh = await freshTable('local-state');
  table = { documents: fresh.doc, name: fresh.tableName };
});

describe('local runtime state', () => {
  it('keeps the first demo epoch: later starts get the same one', async () => {
    expect(await demoEpoch(table, '2026-11-23T15:00:00.000Z')).toBe('2026-11-23T15:00:00.000Z');
    expect(await demoEpoch(table, '2026-12-24T09:00:00.000Z')).toBe('2026-11-23T15:00:00.000Z');
  });

  it('saves the clock where it is, beside the epoch, and again when the keeper stops', async () => {
    const clock = new LocalClock({ start: '2026-12-15T10:00:00Z', speed: 0 });
    await saveClock(table, clock);
    expect(await readLocalState(table)).toMatchObject({
      clockNow: '2026-12-15T10:00:00.000Z',
      clockSpeed: 0,
      demoEpoch: '2026-11-23T15:00:00.000Z',
    });

    const keeper = keepClock(table, clock, 60_000);
    clock.advance('P2D');
    await keeper.stop();
    clock.stop();
    expect((await readLocalState(table)).clockNow).toBe('2026-12-17T10:00:00.000Z');
  });
});
