/**
 * Races through the real API and DynamoDB Local: many requests for the same change or the same
 * window AT ONCE. Whatever the interleaving, exactly one of the competing moves wins, the others are
 * refused with the contract's 409, nothing answers 5xx, and the per-window capacity counters stay
 * exact (never above the policy's 25, always equal to the non-cancelled changes in the window).
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';

const CAPACITY = 25;

interface WindowView {
  start: string;
  end: string;
  timezone: string;
  localStart: string;
  localEnd: string;
}
interface ChangeView {
  changeId: string;
  region: string;
  status: string;
  window: WindowView;
  reschedulesRemaining: number;
  history?: { event: string; actor: string; detail: Record<string, unknown> }[];
}
interface ErrorBody {
  error: string;
  message: string;
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

/** The capacity key of a change's window: `${region}#${local start date}` (e.g. AMER#2026-12-07). */
function windowIdOf(change: Pick<ChangeView, 'region' | 'window'>): string {
  return `${change.region}#${change.window.localStart.slice(0, 10)}`;
}

async function counter(windowId: string): Promise<number> {
  const result = await api.table.doc.send(
    new GetCommand({
      TableName: api.table.tableName,
      Key: { pk: `WINDOW#${windowId}`, sk: '#CAPACITY' },
      ConsistentRead: true,
    }),
  );
  return Number(result.Item?.used ?? 0);
}

/** Every capacity counter in the table, read directly (not through the API). */
async function allCounters(): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await api.table.doc.send(
      new ScanCommand({
        TableName: api.table.tableName,
        FilterExpression: 'sk = :capacity',
        ExpressionAttributeValues: { ':capacity': '#CAPACITY' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? [])
      counters.set(String(item.pk).slice('WINDOW#'.length), Number(item.used));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counters;
}

/** All changes, paged through GET /changes as ops. */
async function allChanges(): Promise<ChangeView[]> {
  const changes: ChangeView[] = [];
  let nextToken: string | undefined;
  do {
    const query = `limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
    const page = await api.call<{ items: ChangeView[]; nextToken?: string }>('GET', `/changes?${query}`);
    expect(page.status).toBe(200);
    changes.push(...page.body.items);
    nextToken = page.body.nextToken;
  } while (nextToken);
  return changes;
}

/** Counters never exceed capacity and equal the number of non-cancelled changes in each window. */
async function expectCountersExact(): Promise<void> {
  const [counters, changes] = await Promise.all([allCounters(), allChanges()]);
  const expected = new Map<string, number>();
  for (const change of changes) {
    if (change.status === 'CANCELLED') continue;
    const id = windowIdOf(change);
    expected.set(id, (expected.get(id) ?? 0) + 1);
  }
  for (const [windowId, used] of counters) expect(used, `counter ${windowId}`).toBeLessThanOrEqual(CAPACITY);
  const nonZero = new Map([...counters].filter(([, used]) => used !== 0));
  expect(Object.fromEntries(nonZero)).toEqual(Object.fromEntries(expected));
}

function statusCounts(responses: { status: number; body: unknown }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of responses) {
    const code = r.status >= 400 ? `${r.status} ${(r.body as ErrorBody).error}` : String(r.status);
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

async function createGlobexChange(extra: Record<string, unknown> = {}): Promise<ChangeView> {
  const created = await api.call<ChangeView>('POST', '/changes', {
    body: {
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'configuration',
      title: 'Dial plan update',
      disruptsCalling: true,
      ...extra,
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

describe('concurrent reschedules of one change', () => {
  it('lets exactly one of 50 simultaneous reschedules win and keeps both counters exact', async () => {
    // Prepare
    const change = await createGlobexChange();
    const oldWindowId = windowIdOf(change);
    const oldBefore = await counter(oldWindowId);
    expect(oldBefore).toBeGreaterThanOrEqual(1);
    const soonest = api.clock.now().plus({ days: 7 });
    const latest = Date.parse(change.window.start) + 60 * 86_400_000;
    const listed = await api.call<{ windows: WindowView[] }>(
      'GET',
      `/maintenance-windows?region=AMER&kind=infrastructure&count=30&from=${encodeURIComponent(soonest.toISO() as string)}`,
    );
    expect(listed.status).toBe(200);
    const target = listed.body.windows.find(
      (w) => w.start !== change.window.start && Date.parse(w.start) <= latest,
    ) as WindowView;
    expect(target).toBeDefined();
    const newWindowId = `AMER#${target.localStart.slice(0, 10)}`;
    const newBefore = await counter(newWindowId);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.call<ChangeView | ErrorBody>('POST', `/changes/${change.changeId}/reschedule`, {
          key: api.keys.acme,
          body: { requestedStart: target.start, reason: `customer conflict #${i}` },
        }),
      ),
    );

    // Assess
    const counts = statusCounts(responses);
    expect(
      responses.filter((r) => r.status >= 500),
      JSON.stringify(counts),
    ).toEqual([]);
    expect(
      responses.filter((r) => r.status === 200),
      JSON.stringify(counts),
    ).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(49);
    for (const r of refused) {
      expect(r.status, r.text).toBe(409);
      expect(['RESCHEDULE_LIMIT_REACHED', 'INVALID_STATE']).toContain((r.body as ErrorBody).error);
    }
    const winner = responses.find((r) => r.status === 200)?.body as ChangeView;
    expect(winner.window.start).toBe(target.start);

    const stored = await api.call<ChangeView>('GET', `/changes/${change.changeId}`, { key: api.keys.acme });
    expect(stored.status).toBe(200);
    expect(stored.body.reschedulesRemaining).toBe(0);
    expect(stored.body.window.start).toBe(target.start);
    const rescheduled = (stored.body.history ?? []).filter((h) => h.event === 'RESCHEDULED');
    expect(rescheduled).toHaveLength(1);
    expect(rescheduled[0]?.detail.reason).toBe(
      (winner.history ?? []).find((h) => h.event === 'RESCHEDULED')?.detail.reason,
    );

    expect(await counter(oldWindowId)).toBe(oldBefore - 1);
    expect(await counter(newWindowId)).toBe(newBefore + 1);
    expect(newBefore).toBe(0);
    await expectCountersExact();
  });

  it('lets one win when 40 simultaneous reschedules ask for 40 different windows, leaking no reservation', async () => {
    // Prepare
    const change = await createGlobexChange({ title: 'Many targets' });
    const latest = Date.parse(change.window.start) + 60 * 86_400_000;
    const listed = await api.call<{ windows: WindowView[] }>(
      'GET',
      `/maintenance-windows?region=AMER&kind=infrastructure&count=100&from=${encodeURIComponent(
        api.clock.now().plus({ days: 7 }).toISO() as string,
      )}`,
    );
    const targets = listed.body.windows
      .filter((w) => w.start !== change.window.start && Date.parse(w.start) <= latest)
      .slice(0, 40);
    expect(targets).toHaveLength(40);
    const before = await allCounters();

    // Act
    const responses = await Promise.all(
      targets.map((target, i) =>
        api.call<ChangeView | ErrorBody>('POST', `/changes/${change.changeId}/reschedule`, {
          key: api.keys.acme,
          body: { requestedStart: target.start, reason: `window ${i}` },
        }),
      ),
    );

    // Assess
    const counts = statusCounts(responses);
    expect(counts).toEqual({ '200': 1, '409 RESCHEDULE_LIMIT_REACHED': 39 });
    const winner = responses.find((r) => r.status === 200)?.body as ChangeView;
    const after = await allCounters();
    const moved = [...new Set([...before.keys(), ...after.keys()])]
      .map((id) => [id, (after.get(id) ?? 0) - (before.get(id) ?? 0)] as const)
      .filter(([, delta]) => delta !== 0);
    expect(Object.fromEntries(moved)).toEqual({ [windowIdOf(change)]: -1, [windowIdOf(winner)]: 1 });
    await expectCountersExact();
  });

  it('keeps the counters exact when reschedules and cancellations of one change race', async () => {
    // Prepare
    const change = await createGlobexChange({ title: 'Reschedule or cancel' });
    const soonest = api.clock.now().plus({ days: 7 });
    const listed = await api.call<{ windows: WindowView[] }>(
      'GET',
      `/maintenance-windows?region=AMER&kind=infrastructure&count=30&from=${encodeURIComponent(soonest.toISO() as string)}`,
    );
    const target = listed.body.windows.find((w) => w.start !== change.window.start) as WindowView;

    // Act
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? api.call<ChangeView | ErrorBody>('POST', `/changes/${change.changeId}/reschedule`, {
              key: api.keys.acme,
              body: { requestedStart: target.start, reason: `move ${i}` },
            })
          : api.call<ChangeView | ErrorBody>('POST', `/changes/${change.changeId}/cancel`, {
              body: { reason: `cancel ${i}` },
            }),
      ),
    );

    // Assess
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    const cancels = responses.filter((_, i) => i % 2 === 1);
    const moves = responses.filter((_, i) => i % 2 === 0);
    expect(cancels.filter((r) => r.status === 200)).toHaveLength(1);
    expect(moves.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const r of [...cancels, ...moves].filter((r) => r.status !== 200)) {
      expect(r.status, r.text).toBe(409);
      expect(['INVALID_STATE', 'RESCHEDULE_LIMIT_REACHED']).toContain((r.body as ErrorBody).error);
    }
    const stored = await api.call<ChangeView>('GET', `/changes/${change.changeId}`);
    expect(stored.body.status).toBe('CANCELLED');
    expect((stored.body.history ?? []).filter((h) => h.event === 'CANCELLED')).toHaveLength(1);
    await expectCountersExact();
  });
});

describe('concurrent creates into an almost full window', () => {
  it('places 30 simultaneous changes without ever putting more than 25 in one window', async () => {
    // Prepare: a quiet window well after race 1 (Monday 2027-01-11, 21:00 New York), filled to 22.
    const earliestStart = '2027-01-12T02:00:00Z';
    const fill: ChangeView[] = [];
    for (let i = 0; i < 22; i++) fill.push(await createGlobexChange({ earliestStart, title: `Fill ${i}` }));
    const targetWindowId = windowIdOf(fill[0] as ChangeView);
    expect(targetWindowId).toBe('AMER#2027-01-11');
    expect(new Set(fill.map(windowIdOf))).toEqual(new Set([targetWindowId]));
    expect(await counter(targetWindowId)).toBe(22);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api.call<ChangeView | ErrorBody>('POST', '/changes', {
          body: {
            customerId: 'globex',
            partnerId: 'acme-voice',
            type: 'configuration',
            title: `Race ${i}`,
            disruptsCalling: true,
            earliestStart,
          },
        }),
      ),
    );

    // Assess
    const counts = statusCounts(responses);
    expect(
      responses.filter((r) => r.status >= 500),
      JSON.stringify(counts),
    ).toEqual([]);
    // A full window is skipped when planning: every request finds a place in a later window.
    expect(counts, responses.find((r) => r.status !== 201)?.text).toEqual({ '201': 30 });
    const created = responses.filter((r) => r.status === 201).map((r) => r.body as ChangeView);
    const placed = new Map<string, number>();
    for (const change of created) placed.set(windowIdOf(change), (placed.get(windowIdOf(change)) ?? 0) + 1);
    expect(placed.get(targetWindowId)).toBe(3);
    for (const windowId of placed.keys()) expect(await counter(windowId)).toBeLessThanOrEqual(CAPACITY);
    expect(await counter(targetWindowId)).toBe(CAPACITY);
    await expectCountersExact();
  });
});

describe('concurrent acknowledgements of one change', () => {
  it('confirms the change once: one 200, nineteen 409 INVALID_STATE', async () => {
    // Prepare
    const change = await createGlobexChange({ title: 'Acknowledge race' });
    expect(change.status).toBe('SCHEDULED');

    // Act
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call<ChangeView | ErrorBody>('POST', `/changes/${change.changeId}/acknowledge`, {
          key: api.keys.acme,
          body: { comment: `ok from client ${i}` },
        }),
      ),
    );

    // Assess
    const counts = statusCounts(responses);
    expect(counts).toEqual({ '200': 1, '409 INVALID_STATE': 19 });
    const stored = await api.call<ChangeView>('GET', `/changes/${change.changeId}`, { key: api.keys.acme });
    expect(stored.body.status).toBe('CONFIRMED');
    expect((stored.body.history ?? []).filter((h) => h.event === 'ACKNOWLEDGED')).toHaveLength(1);
    expect((stored.body.history ?? []).filter((h) => h.event === 'CONFIRMED')).toHaveLength(1);
    await expectCountersExact();
  });
});
