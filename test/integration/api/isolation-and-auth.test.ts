/**
 * Who may call what (api.md, "Authentication and roles"): no key or an unknown key is 401; a partner
 * calling an ops-only route is 403 (and ops calling a partner-only route too); a partner touching
 * another partner's change, customer, COP request or calendar gets 404, exactly as if it did not
 * exist; partner listings show only the partner's own items. No refused request writes anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeList,
  type ChangeView,
  createEmergency,
  createPlanned,
  type ErrorBody,
  emergencyBody,
  expectRefusal,
  listAllChanges,
  MONDAY,
  plannedBody,
  tableSnapshot,
} from './fixtures.ts';

let api: TestApi;
/** A planned change of acme-voice (globex) and one of pacific-telecom (wayne-au). */
let acmeChange: ChangeView;
let pacificChange: ChangeView;
let acmeEmergency: ChangeView;
let acmeCopRequestId: string;

beforeAll(async () => {
  api = await startTestApi(MONDAY);
  acmeChange = await createPlanned(api);
  pacificChange = await createPlanned(api, { customerId: 'wayne-au', partnerId: 'pacific-telecom' });
  acmeEmergency = await createEmergency(api);
  const cop = await api.call<{ requestId: string }>('POST', '/cop-requests', {
    key: api.keys.acme,
    body: { customerId: 'globex', copFile: 'cmterm-devicepack15.0.1.cop.sgn' },
  });
  expect(cop.status).toBe(202);
  acmeCopRequestId = cop.body.requestId;
});
afterAll(async () => api?.close());

describe('authentication', () => {
  it.each([
    { method: 'GET', path: '/changes' },
    { method: 'GET', path: '/customers' },
    { method: 'GET', path: '/maintenance-windows?region=AMER' },
    { method: 'GET', path: '/openapi.json' },
    { method: 'POST', path: '/changes' },
    { method: 'POST', path: '/cop-requests' },
  ])(
    'answers 401 UNAUTHORIZED with the error body to $method $path without a key',
    async ({ method, path }) => {
      // Act
      const response = await api.call<ErrorBody>(method, path, {
        key: null,
        body: method === 'POST' ? {} : undefined,
      });

      // Assess
      expect(response.status).toBe(401);
      expect(Object.keys(response.body).sort()).toEqual(['error', 'message']);
      expectRefusal(response, 401, 'UNAUTHORIZED');
    },
  );

  it.each([
    { what: 'an unknown key', key: 'local-ops-key-7f3c9b' },
    { what: 'an empty key', key: '' },
    { what: 'a very long key', key: 'k'.repeat(300) },
  ])('answers 401 UNAUTHORIZED for $what', async ({ key }) => {
    // Act
    const response = await api.call<ErrorBody>('GET', '/changes', { key });

    // Assess
    expectRefusal(response, 401, 'UNAUTHORIZED');
    expect(Object.keys(response.body).sort()).toEqual(['error', 'message']);
  });

  it('writes nothing for a POST with an unknown key', async () => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', {
      key: 'not-a-real-key-000000',
      body: plannedBody(),
    });

    // Assess
    expectRefusal(response, 401, 'UNAUTHORIZED');
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('roles', () => {
  const opsOnly = [
    { method: 'POST', path: () => '/changes', body: () => plannedBody() },
    { method: 'POST', path: () => '/changes/emergency', body: () => emergencyBody() },
    {
      method: 'POST',
      path: () => `/changes/${acmeEmergency.changeId}/complete`,
      body: () => ({ outcome: 'succeeded' }),
    },
    {
      method: 'POST',
      path: () => `/changes/${acmeChange.changeId}/cancel`,
      body: () => ({ reason: 'Mine now' }),
    },
    { method: 'GET', path: () => '/backups?customerId=globex', body: () => undefined },
    {
      method: 'POST',
      path: () => '/backups',
      body: () => ({
        customerId: 'globex',
        application: 'CUCM',
        takenAt: '2026-11-23T07:00:00Z',
        status: 'succeeded',
      }),
    },
    { method: 'GET', path: () => '/alerts', body: () => undefined },
    { method: 'POST', path: () => '/alerts/alr_anything/acknowledge', body: () => ({}) },
  ];

  it.each(opsOnly)(
    'answers 403 FORBIDDEN to a partner on the ops-only route $method $path',
    async (route) => {
      // Prepare
      const before = await tableSnapshot(api);

      // Act
      const response = await api.call(route.method, route.path(), { key: api.keys.acme, body: route.body() });

      // Assess
      expectRefusal(response, 403, 'FORBIDDEN');
      expect(await tableSnapshot(api)).toEqual(before);
    },
  );

  const partnerOnly = [
    { method: 'POST', path: () => `/changes/${acmeChange.changeId}/acknowledge`, body: () => ({}) },
    {
      method: 'POST',
      path: () => `/changes/${acmeChange.changeId}/reschedule`,
      body: () => ({ requestedStart: '2026-12-15T02:00:00Z', reason: 'Ops tries' }),
    },
    {
      method: 'POST',
      path: () => '/cop-requests',
      body: () => ({ customerId: 'globex', copFile: 'cmterm-locale-de_DE.cop.sgn' }),
    },
  ];

  it.each(partnerOnly)(
    'answers 403 FORBIDDEN to ops on the partner-only route $method $path',
    async (route) => {
      // Prepare
      const before = await tableSnapshot(api);

      // Act
      const response = await api.call(route.method, route.path(), { key: api.keys.ops, body: route.body() });

      // Assess
      expectRefusal(response, 403, 'FORBIDDEN');
      expect(await tableSnapshot(api)).toEqual(before);
    },
  );

  it('answers 403 to a partner before looking at the body', async () => {
    // Act
    const response = await api.call('POST', '/changes', { key: api.keys.pacific, rawBody: 'not json' });

    // Assess
    expectRefusal(response, 403, 'FORBIDDEN');
  });

  it.each(['/maintenance-windows?region=EU', '/severity?impact=large&urgency=high', '/openapi.json'])(
    'lets both a partner and ops call %s',
    async (path) => {
      // Act
      const asPartner = await api.call('GET', path, { key: api.keys.pacific });
      const asOps = await api.call('GET', path, { key: api.keys.ops });

      // Assess
      expect(asPartner.status).toBe(200);
      expect(asOps.status).toBe(200);
    },
  );
});

describe('partner isolation', () => {
  it('shows a partner its own change with history', async () => {
    // Act
    const response = await api.call<ChangeView>('GET', `/changes/${acmeChange.changeId}`, {
      key: api.keys.acme,
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.changeId).toBe(acmeChange.changeId);
    expect(response.body.history).toBeDefined();
  });

  it("answers 404 to a partner reading another partner's change, like a change that does not exist", async () => {
    // Act
    const foreign = await api.call<ErrorBody>('GET', `/changes/${acmeChange.changeId}`, {
      key: api.keys.pacific,
    });
    const missing = await api.call<ErrorBody>('GET', '/changes/chg_00000000000000000000000000000000', {
      key: api.keys.pacific,
    });

    // Assess
    expectRefusal(foreign, 404, 'NOT_FOUND');
    expect(foreign.body.message.replace(acmeChange.changeId, '<id>')).toBe(
      missing.body.message.replace('chg_00000000000000000000000000000000', '<id>'),
    );
    expect(foreign.text).not.toContain('acme');
  });

  it.each([
    { what: 'acknowledge', path: 'acknowledge', body: {} },
    {
      what: 'reschedule',
      path: 'reschedule',
      body: { requestedStart: '2026-12-15T02:00:00Z', reason: 'Not mine' },
    },
  ])(
    "answers 404 to a partner trying to $what another partner's change, and changes nothing",
    async (move) => {
      // Prepare
      const before = await tableSnapshot(api);

      // Act
      const response = await api.call('POST', `/changes/${acmeChange.changeId}/${move.path}`, {
        key: api.keys.pacific,
        body: move.body,
      });

      // Assess
      expectRefusal(response, 404, 'NOT_FOUND');
      expect(await tableSnapshot(api)).toEqual(before);
    },
  );

  it('lists only the partner its own changes, and ops all of them', async () => {
    // Act
    const acme = await listAllChanges(api, '', api.keys.acme);
    const pacific = await listAllChanges(api, '', api.keys.pacific);
    const ops = await listAllChanges(api, '', api.keys.ops);

    // Assess
    expect(acme.length).toBeGreaterThan(0);
    expect(acme.every((change) => change.partnerId === 'acme-voice')).toBe(true);
    expect(pacific.map((change) => change.changeId)).toEqual([pacificChange.changeId]);
    expect(ops.map((change) => change.changeId).sort()).toEqual(
      [...acme, ...pacific].map((change) => change.changeId).sort(),
    );
  });

  it("answers 404 to a partner listing the changes of another partner's customer", async () => {
    // Act
    const response = await api.call<ChangeList>('GET', '/changes?customerId=globex', {
      key: api.keys.pacific,
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });

  it('lists only the partner its own customers, without certificates; ops sees all four', async () => {
    // Act
    const pacific = await api.call<{ items: Record<string, unknown>[] }>('GET', '/customers', {
      key: api.keys.pacific,
    });
    const ops = await api.call<{ items: Record<string, unknown>[] }>('GET', '/customers', {
      key: api.keys.ops,
    });

    // Assess
    expect(pacific.status).toBe(200);
    expect(pacific.body.items.map((customer) => customer.customerId).sort()).toEqual([
      'umbrella-jp',
      'wayne-au',
    ]);
    expect(ops.body.items.map((customer) => customer.customerId).sort()).toEqual([
      'globex',
      'initech',
      'umbrella-jp',
      'wayne-au',
    ]);
  });

  it("answers 404 to a partner reading another partner's customer, and 200 for its own", async () => {
    // Act
    const foreign = await api.call('GET', '/customers/globex', { key: api.keys.pacific });
    const own = await api.call('GET', '/customers/wayne-au', { key: api.keys.pacific });

    // Assess
    expectRefusal(foreign, 404, 'NOT_FOUND');
    expect(own.status).toBe(200);
  });

  it("answers 404 to a partner reading another partner's COP request, and 200 to the owner and ops", async () => {
    // Act
    const foreign = await api.call('GET', `/cop-requests/${acmeCopRequestId}`, { key: api.keys.pacific });
    const owner = await api.call('GET', `/cop-requests/${acmeCopRequestId}`, { key: api.keys.acme });
    const ops = await api.call('GET', `/cop-requests/${acmeCopRequestId}`, { key: api.keys.ops });

    // Assess
    expectRefusal(foreign, 404, 'NOT_FOUND');
    expect(owner.status).toBe(200);
    expect(ops.status).toBe(200);
  });

  it("answers 404 to a partner asking a COP upload for another partner's customer, and writes nothing", async () => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/cop-requests', {
      key: api.keys.pacific,
      body: { customerId: 'globex', copFile: 'cmterm-devicepack15.0.1.cop.sgn' },
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it("answers 404 to a partner reading another partner's calendar, and 200 to the owner and ops", async () => {
    // Act
    const foreign = await api.call('GET', '/partners/acme-voice/calendar.ics', { key: api.keys.pacific });
    const owner = await api.call('GET', '/partners/acme-voice/calendar.ics', { key: api.keys.acme });
    const ops = await api.call('GET', '/partners/acme-voice/calendar.ics', { key: api.keys.ops });

    // Assess
    expectRefusal(foreign, 404, 'NOT_FOUND');
    expect(owner.status).toBe(200);
    expect(ops.status).toBe(200);
  });
});
