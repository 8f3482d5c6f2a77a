/**
 * Messages a person understands (issue 15): each case a newcomer met, answered so that the next step
 * is obvious. Every case here got a misleading or bare answer before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#contract/openapi.ts';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('2026-11-23T15:00:00Z');
});
afterAll(async () => api?.close());

type ErrorBody = { error: string; message: string; details?: { path: string; message: string }[] };
const planned = (partnerId: string, customerId = 'globex') => ({
  customerId,
  partnerId,
  type: 'patch',
  title: 'Dial plan update',
  disruptsCalling: true,
});

describe('a body that is not JSON', () => {
  it('says where the JSON breaks: the reason, line and column, and the text near it', async () => {
    const response = await api.call<ErrorBody>('POST', '/changes', {
      rawBody: '{\n  "customerId": "globex",\n  "reason": "x",\n}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      {
        path: '(body)',
        message:
          'is not valid JSON: Expected double-quoted property name at line 4, column 1, near \'"reason": "x", }\' (a trailing comma?)',
      },
    ]);
  });

  it('says a cut-off body ends too early', async () => {
    const response = await api.call<ErrorBody>('POST', '/changes', { rawBody: '{"customerId": "glo' });
    expect(response.status).toBe(400);
    expect(response.body.details?.[0]?.message).toMatch(/^is not valid JSON: Unterminated string/);
  });
});

describe('GET /v1', () => {
  it('answers an index: the routes, which are for the caller, and where the OpenAPI document and docs are', async () => {
    for (const url of [`${api.baseUrl}/`, new URL(api.baseUrl).href.replace(/\/$/, '')]) {
      const response = await fetch(url, { headers: { 'x-api-key': api.keys.acme } });
      expect(response.status, url).toBe(200);
      const index = (await response.json()) as {
        openapi: string;
        docs: string;
        you: unknown;
        routes: { method: string; path: string; forYou: boolean }[];
      };
      expect(index.openapi).toBe('/v1/openapi.json');
      expect(index.docs).toMatch(/^docs\/api\.md/);
      expect(index.you).toEqual({ role: 'partner', partnerId: 'acme-voice' });
      expect(index.routes).toContainEqual(
        expect.objectContaining({ method: 'GET', path: '/v1/changes', forYou: true }),
      );
      expect(index.routes).toContainEqual(
        expect.objectContaining({ method: 'POST', path: '/v1/changes', forYou: false }),
      );
    }
  });

  it('points a request outside /v1/ to where the API is', async () => {
    const response = await fetch(`${new URL(api.baseUrl).origin}/changes`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).message).toBe(
      'no API at /changes: it is under /v1/ (GET /v1/ lists the routes, /v1/openapi.json describes them; every request carries x-api-key)',
    );
  });
});

describe('an emergency naming the wrong partner', () => {
  it('names the mismatch instead of saying an existing customer was not found', async () => {
    const response = await api.call<ErrorBody>('POST', '/changes/emergency', {
      body: {
        customerId: 'globex',
        partnerId: 'pacific-telecom',
        reason: 'restore-service',
        customerImpact: 'Calls drop',
        title: 'Restore the trunk',
        when: 'now',
      },
    });
    expect(response.status).toBe(404);
    expect(response.body.message).toBe(
      'customer globex is not a customer of partner pacific-telecom: it belongs to partner acme-voice',
    );
    expect(response.body.details).toEqual([
      { path: 'partnerId', message: 'must be acme-voice, the partner of customer globex' },
    ]);
  });

  it('still says plainly when the customer does not exist', async () => {
    const response = await api.call<ErrorBody>('POST', '/changes', { body: planned('acme-voice', 'nobody') });
    expect(response.status).toBe(404);
    expect(response.body.message).toBe('customer nobody was not found');
  });
});

describe('a route for another role', () => {
  it.each([
    ['POST', '/changes/chg_x/acknowledge', 'ops', 'this route is for partners only'],
    ['POST', '/changes', 'acme', 'this route is for ops only'],
  ] as const)('%s %s with the %s key: "%s"', async (method, path, who, message) => {
    const response = await api.call<ErrorBody>(method, path, { key: api.keys[who], body: {} });
    expect(response.status).toBe(403);
    expect(response.body.message).toBe(message);
  });
});

describe('a second reschedule', () => {
  it('says a planned change may be rescheduled once', async () => {
    const created = await api.call<{ changeId: string; window: { start: string } }>('POST', '/changes', {
      body: planned('acme-voice'),
    });
    const move = (requestedStart: string) =>
      api.call<ErrorBody>('POST', `/changes/${created.body.changeId}/reschedule`, {
        key: api.keys.acme,
        body: { requestedStart, reason: 'Month-end close' },
      });
    expect((await move('2026-12-11T02:00:00Z')).status).toBe(200);
    const again: ApiResponse<ErrorBody> = await move('2026-12-12T02:00:00Z');
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(
      'This change has no reschedule left: a planned change may be rescheduled once.',
    );
  });
});

describe('the severity of a support case', () => {
  it('states a business-day target as such', async () => {
    const response = await api.call('GET', '/severity?impact=individualized&urgency=low');
    expect(response.body).toEqual({
      severity: 'S4',
      responseTarget: 'P3D',
      responseClock: 'business-days',
      responseTargetBusinessDays: 3,
    });
  });
});

describe('the OpenAPI document', () => {
  const responses = (path: string, method: string) =>
    Object.keys(
      (openApiDocument().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
        path
      ]?.[method]?.responses ?? {},
    );

  it('lists per operation only the statuses it can answer', () => {
    expect(responses('/severity', 'get')).toEqual(['200', '400', '401']);
    expect(responses('/changes', 'post')).toEqual(['201', '400', '401', '403', '404', '409', '413', '422']);
    expect(responses('/changes/{changeId}/reschedule', 'post')).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '422',
    ]);
    expect(responses('/alerts', 'get')).toEqual(['200', '400', '401', '403']);
  });

  it('is served as it is generated', async () => {
    const served = await api.call('GET', '/openapi.json');
    expect(served.body).toEqual(openApiDocument());
  });
});

describe("a partner's COP requests", () => {
  it('lists its own, newest first, and never another partner', async () => {
    const ask = (copFile: string) =>
      api.call<{ requestId: string }>('POST', '/cop-requests', {
        key: api.keys.acme,
        body: { customerId: 'globex', copFile },
      });
    const first = await ask('cm-locale-de_DE-15.0.1.1000-1.cop.sgn');
    api.clock.advance({ minutes: 5 });
    const second = await ask('cmterm-78xx.14-3-1-0001-12.k4.cop.sgn');

    const mine = await api.call<{ items: { requestId: string }[] }>('GET', '/cop-requests', {
      key: api.keys.acme,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((r) => r.requestId)).toEqual([second.body.requestId, first.body.requestId]);

    const paged = await api.call<{ items: unknown[]; nextToken: string }>('GET', '/cop-requests?limit=1', {
      key: api.keys.acme,
    });
    expect(paged.body.items).toHaveLength(1);
    const rest = await api.call<{ items: { requestId: string }[]; nextToken?: string }>(
      'GET',
      `/cop-requests?limit=1&nextToken=${paged.body.nextToken}`,
      { key: api.keys.acme },
    );
    expect(rest.body.items.map((r) => r.requestId)).toEqual([first.body.requestId]);

    expect((await api.call('GET', '/cop-requests', { key: api.keys.pacific })).body).toEqual({ items: [] });
    const other = await api.call<ErrorBody>('GET', '/cop-requests?partnerId=acme-voice', {
      key: api.keys.pacific,
    });
    expect(other.status).toBe(404);
    expect(other.body.message).toBe('partner acme-voice was not found');

    const ops = await api.call<{ items: unknown[] }>('GET', '/cop-requests?partnerId=acme-voice');
    expect(ops.body.items).toHaveLength(2);
    const opsWithout = await api.call<ErrorBody>('GET', '/cop-requests');
    expect(opsWithout.status).toBe(400);
    expect(opsWithout.body.details).toEqual([{ path: 'partnerId', message: 'is required for ops' }]);
  });
});

describe('maintenance windows with capacity', () => {
  it("gives ops each window's booked count and remaining places, and partners no count", async () => {
    await api.call('POST', '/changes', { body: { ...planned('acme-voice'), title: 'Capacity one' } });
    const ops = await api.call<{ windows: Record<string, unknown>[] }>(
      'GET',
      '/maintenance-windows?region=AMER&from=2026-12-09T00:00:00Z&count=1',
    );
    expect(ops.body.windows[0]).toMatchObject({ windowId: 'AMER#2026-12-08', capacity: 25 });
    const booked = ops.body.windows[0]?.booked as number;
    expect(booked).toBeGreaterThanOrEqual(1);
    expect(ops.body.windows[0]?.remaining).toBe(25 - booked);

    const partner = await api.call<{ windows: Record<string, unknown>[] }>(
      'GET',
      '/maintenance-windows?region=AMER&from=2026-12-09T00:00:00Z&count=1',
      { key: api.keys.acme },
    );
    expect(partner.body.windows[0]).not.toHaveProperty('booked');
    expect(partner.body.windows[0]).not.toHaveProperty('remaining');
  });
});
