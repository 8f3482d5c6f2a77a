/**
 * GET /v1/changes: ordered by window start, filtered by status, customer and window-start range,
 * paged with limit and an opaque nextToken that only the listing that gave it out accepts.
 *
 * The changes (clock Monday 2026-11-23 15:00Z), by window start:
 *   emergency  acme     globex       now                  2026-11-23T15:00Z  IN_PROGRESS
 *   quick      acme     globex       non-disruptive       2026-11-25T02:00Z  SCHEDULED
 *   initech    acme     initech      disruptive (EU)      2026-12-07T20:00Z  CONFIRMED (acknowledged)
 *   wayne      pacific  wayne-au     disruptive (AUS)     2026-12-08T10:00Z  SCHEDULED
 *   umbrella   pacific  umbrella-jp  disruptive (APJC)    2026-12-08T12:00Z  SCHEDULED
 *   globex     acme     globex       disruptive (AMER)    2026-12-09T02:00Z  SCHEDULED
 *   later      acme     globex       earliestStart Jan 15 2027-01-15T02:00Z  CANCELLED
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeList,
  type ChangeView,
  createEmergency,
  createPlanned,
  expectRefusal,
  expectValidationFailed,
  MONDAY,
} from './fixtures.ts';

let api: TestApi;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi(MONDAY);
  // Created out of order on purpose: the listing orders by window start, not by creation.
  ids.globex = (await createPlanned(api)).changeId;
  ids.later = (await createPlanned(api, { earliestStart: '2027-01-15T00:00:00Z' })).changeId;
  ids.umbrella = (
    await createPlanned(api, { customerId: 'umbrella-jp', partnerId: 'pacific-telecom' })
  ).changeId;
  ids.initech = (await createPlanned(api, { customerId: 'initech' })).changeId;
  ids.emergency = (await createEmergency(api)).changeId;
  ids.wayne = (await createPlanned(api, { customerId: 'wayne-au', partnerId: 'pacific-telecom' })).changeId;
  ids.quick = (await createPlanned(api, { disruptsCalling: false })).changeId;
  expect((await api.call('POST', `/changes/${ids.initech}/acknowledge`, { key: api.keys.acme })).status).toBe(
    200,
  );
  expect(
    (await api.call('POST', `/changes/${ids.later}/cancel`, { body: { reason: 'Dropped' } })).status,
  ).toBe(200);
});
afterAll(async () => api?.close());

const names = (items: ChangeView[]) =>
  items.map((item) => Object.entries(ids).find(([, id]) => id === item.changeId)?.[0] ?? item.changeId);

async function list(query: string, key = api.keys.ops) {
  const response = await api.call<ChangeList>('GET', `/changes${query}`, { key });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** Follows nextToken from the first page to the last, returning every page. */
async function pages(query: string, key = api.keys.ops): Promise<ChangeView[][]> {
  const all: ChangeView[][] = [];
  let nextToken: string | undefined;
  do {
    const separator = query ? '&' : '?';
    const page = await list(
      `${query}${nextToken ? `${separator}nextToken=${encodeURIComponent(nextToken)}` : ''}`,
      key,
    );
    all.push(page.items);
    nextToken = page.nextToken;
    expect(all.length).toBeLessThan(20);
  } while (nextToken);
  return all;
}

describe('GET /changes', () => {
  it('lists every change for ops, ordered by window start, without history', async () => {
    // Act
    const page = await list('');

    // Assess
    expect(names(page.items)).toEqual([
      'emergency',
      'quick',
      'initech',
      'wayne',
      'umbrella',
      'globex',
      'later',
    ]);
    expect(page.nextToken).toBeUndefined();
    const starts = page.items.map((item) => item.window.start);
    expect([...starts].sort()).toEqual(starts);
    for (const item of page.items) expect(item.history).toBeUndefined();
  });

  it("lists a partner's own changes only, in window order", async () => {
    // Act
    const acme = await list('', api.keys.acme);
    const pacific = await list('', api.keys.pacific);

    // Assess
    expect(names(acme.items)).toEqual(['emergency', 'quick', 'initech', 'globex', 'later']);
    expect(names(pacific.items)).toEqual(['wayne', 'umbrella']);
  });

  it.each([
    { status: 'SCHEDULED', expected: ['quick', 'wayne', 'umbrella', 'globex'] },
    { status: 'CONFIRMED', expected: ['initech'] },
    { status: 'IN_PROGRESS', expected: ['emergency'] },
    { status: 'CANCELLED', expected: ['later'] },
    { status: 'COMPLETED', expected: [] },
  ])('filters by status=$status', async ({ status, expected }) => {
    // Act
    const page = await list(`?status=${status}`);

    // Assess
    expect(names(page.items)).toEqual(expected);
  });

  it('filters by status for a partner within its own changes', async () => {
    // Act
    const page = await list('?status=SCHEDULED', api.keys.acme);

    // Assess
    expect(names(page.items)).toEqual(['quick', 'globex']);
  });

  it('filters by customerId', async () => {
    // Act
    const asOps = await list('?customerId=globex');
    const asOwner = await list('?customerId=globex', api.keys.acme);

    // Assess
    expect(names(asOps.items)).toEqual(['emergency', 'quick', 'globex', 'later']);
    expect(names(asOwner.items)).toEqual(['emergency', 'quick', 'globex', 'later']);
  });

  it('filters by customerId and status together', async () => {
    // Act
    const page = await list('?customerId=globex&status=SCHEDULED');

    // Assess
    expect(names(page.items)).toEqual(['quick', 'globex']);
  });

  it('filters by window start between from and to, both included', async () => {
    // Act
    const page = await list('?from=2026-12-08T10:00:00Z&to=2026-12-09T02:00:00Z');

    // Assess
    expect(names(page.items)).toEqual(['wayne', 'umbrella', 'globex']);
  });

  it('filters by from alone and by to alone, accepting instants with an offset', async () => {
    // Act
    const from = await list('?from=2026-12-09T02:00:00Z');
    const to = await list(`?to=${encodeURIComponent('2026-11-24T21:00:00-05:00')}`);

    // Assess
    expect(names(from.items)).toEqual(['globex', 'later']);
    expect(names(to.items)).toEqual(['emergency', 'quick']);
  });

  it('pages through every change with limit and nextToken, in order and without duplicates', async () => {
    // Act
    const all = await pages('?limit=2');

    // Assess
    for (const page of all) expect(page.length).toBeLessThanOrEqual(2);
    expect(all[0]).toHaveLength(2);
    expect(names(all.flat())).toEqual([
      'emergency',
      'quick',
      'initech',
      'wayne',
      'umbrella',
      'globex',
      'later',
    ]);
  });

  it('pages a filtered listing with limit=1', async () => {
    // Act
    const all = await pages('?status=SCHEDULED&limit=1');

    // Assess
    for (const page of all) expect(page.length).toBeLessThanOrEqual(1);
    expect(names(all.flat())).toEqual(['quick', 'wayne', 'umbrella', 'globex']);
  });

  it("pages a partner's listing within its own changes", async () => {
    // Act
    const all = await pages('?limit=1', api.keys.pacific);

    // Assess
    expect(names(all.flat())).toEqual(['wayne', 'umbrella']);
  });

  describe('refuses a nextToken it did not give out for this listing with 400', () => {
    async function firstToken(query: string, key = api.keys.ops): Promise<string> {
      const page = await list(query, key);
      expect(page.nextToken).toBeDefined();
      return page.nextToken as string;
    }
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const decode = (token: string) =>
      JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, string>;

    it('refuses garbage', async () => {
      // Act
      const response = await api.call('GET', '/changes?nextToken=not-a-token');

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it('refuses a token whose text was altered', async () => {
      // Prepare
      const token = await firstToken('?limit=2');

      // Act
      const response = await api.call('GET', `/changes?nextToken=${token.slice(0, -4)}AAAA`);

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it("refuses a partner's token rewritten to another partner's listing", async () => {
      // Prepare
      const token = decode(await firstToken('?limit=1', api.keys.acme));
      const forged = encode({ ...token, gsi1pk: 'PARTNER#pacific-telecom#CHANGES' });

      // Act
      const response = await api.call('GET', `/changes?limit=1&nextToken=${forged}`, { key: api.keys.acme });

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it("refuses one partner's token presented by another partner", async () => {
      // Prepare
      const token = await firstToken('?limit=1', api.keys.acme);

      // Act
      const response = await api.call('GET', `/changes?limit=1&nextToken=${token}`, {
        key: api.keys.pacific,
      });

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it('refuses a token of the ops listing in a customer listing', async () => {
      // Prepare
      const token = await firstToken('?limit=1');

      // Act
      const response = await api.call('GET', `/changes?customerId=globex&nextToken=${token}`);

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it('refuses a token that names the right listing but lacks the other key attributes', async () => {
      // Prepare
      const forged = encode({ gsi2pk: 'CHANGES' });

      // Act
      const response = await api.call('GET', `/changes?nextToken=${forged}`);

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });

    it('refuses a token with a non-text value', async () => {
      // Prepare
      const token = decode(await firstToken('?limit=2'));
      const forged = encode({ ...token, gsi2sk: 42 });

      // Act
      const response = await api.call('GET', `/changes?nextToken=${forged}`);

      // Assess
      expectValidationFailed(response, ['nextToken']);
    });
  });

  it("answers 404 to a partner filtering by another partner's customer", async () => {
    // Act
    const response = await api.call('GET', '/changes?customerId=umbrella-jp', { key: api.keys.acme });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});
