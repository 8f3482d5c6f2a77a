/**
 * The read-mostly routes: customers, maintenance windows, severity, the partner's iCalendar feed and
 * the OpenAPI document. Expected windows and instants are worked out by hand from rules sections 1,
 * 2 and 10; the clock is Monday 2026-11-23 15:00Z.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#contract/routes.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  expectRefusal,
  MONDAY,
  vevents,
  type WindowView,
} from './fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
});
afterAll(async () => api?.close());

interface CustomerView {
  customerId: string;
  partnerId: string;
  name: string;
  region: string;
  version: string;
  sso: boolean;
  certificates?: { certificateId: string; commonName: string; expiresAt: string }[];
}
interface WindowsView {
  region: string;
  timezone: string;
  windows: WindowView[];
}

describe('GET /customers', () => {
  it('lists the customers with their contract fields only', async () => {
    // Act
    const response = await api.call<{ items: CustomerView[] }>('GET', '/customers');

    // Assess
    expect(response.status).toBe(200);
    const globex = response.body.items.find((customer) => customer.customerId === 'globex');
    expect(globex).toEqual({
      customerId: 'globex',
      partnerId: 'acme-voice',
      name: 'Globex Corporation',
      region: 'AMER',
      version: '14.0 SU3',
      sso: true,
    });
    for (const customer of response.body.items) {
      expect(Object.keys(customer).sort()).toEqual([
        'customerId',
        'name',
        'partnerId',
        'region',
        'sso',
        'version',
      ]);
    }
  });
});

describe('GET /customers/{customerId}', () => {
  it('answers 200 with the customer and its certificates', async () => {
    // Act: the seed puts globex's certificate 40 days after the clock's start.
    const response = await api.call<CustomerView>('GET', '/customers/globex', { key: api.keys.acme });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      customerId: 'globex',
      partnerId: 'acme-voice',
      name: 'Globex Corporation',
      region: 'AMER',
      version: '14.0 SU3',
      sso: true,
      certificates: [
        {
          certificateId: 'globex-cucm-tomcat',
          commonName: 'cucm.globex.example',
          expiresAt: '2027-01-02T15:00:00Z',
        },
      ],
    });
  });

  it('answers an empty certificate list for a customer without certificates', async () => {
    // Act
    const response = await api.call<CustomerView>('GET', '/customers/umbrella-jp');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.certificates).toEqual([]);
  });

  it('answers 404 NOT_FOUND for an unknown customer', async () => {
    // Act
    const response = await api.call('GET', '/customers/no-such-customer');

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

describe('GET /maintenance-windows', () => {
  const starts = (view: WindowsView) => view.windows.map((window) => window.start);

  it('answers the next 10 weekday windows from now by default, holidays included', async () => {
    // Act
    const response = await api.call<WindowsView>('GET', '/maintenance-windows?region=AMER', {
      key: api.keys.acme,
    });

    // Assess: Mon 23 Nov ... Fri 4 Dec, 21:00 New York (02:00Z the next day); Thanksgiving keeps its window.
    expect(response.status).toBe(200);
    expect(response.body.region).toBe('AMER');
    expect(response.body.timezone).toBe('America/New_York');
    expect(starts(response.body)).toEqual([
      '2026-11-24T02:00:00Z',
      '2026-11-25T02:00:00Z',
      '2026-11-26T02:00:00Z',
      '2026-11-27T02:00:00Z',
      '2026-11-28T02:00:00Z',
      '2026-12-01T02:00:00Z',
      '2026-12-02T02:00:00Z',
      '2026-12-03T02:00:00Z',
      '2026-12-04T02:00:00Z',
      '2026-12-05T02:00:00Z',
    ]);
    expect(response.body.windows[0]).toEqual({
      start: '2026-11-24T02:00:00Z',
      end: '2026-11-24T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-11-23T21:00:00-05:00',
      localEnd: '2026-11-24T06:00:00-05:00',
      // A partner sees the window, not how full it is.
      windowId: 'AMER#2026-11-23',
    });
  });

  it('includes weekend windows for kind=infrastructure, and not for customer windows', async () => {
    // Act: from Friday 27 Nov 07:00 New York.
    const infrastructure = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=AMER&from=2026-11-27T12:00:00Z&count=3&kind=infrastructure',
    );
    const customer = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=AMER&from=2026-11-27T12:00:00Z&count=3&kind=customer',
    );

    // Assess: Fri, Sat, Sun against Fri, Mon, Tue.
    expect(starts(infrastructure.body)).toEqual([
      '2026-11-28T02:00:00Z',
      '2026-11-29T02:00:00Z',
      '2026-11-30T02:00:00Z',
    ]);
    expect(starts(customer.body)).toEqual([
      '2026-11-28T02:00:00Z',
      '2026-12-01T02:00:00Z',
      '2026-12-02T02:00:00Z',
    ]);
  });

  it('includes a window starting exactly at from, and not one that started a second before', async () => {
    // Act
    const at = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=AMER&count=1&from=2026-11-24T02:00:00Z',
    );
    const after = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=AMER&count=1&from=2026-11-24T02:00:01Z',
    );

    // Assess
    expect(starts(at.body)).toEqual(['2026-11-24T02:00:00Z']);
    expect(starts(after.body)).toEqual(['2026-11-25T02:00:00Z']);
  });

  it.each([
    {
      region: 'EU',
      timezone: 'Europe/Berlin',
      start: '2026-11-23T20:00:00Z',
      localStart: '2026-11-23T21:00:00+01:00',
    },
    {
      region: 'APJC',
      timezone: 'Asia/Tokyo',
      start: '2026-11-24T12:00:00Z',
      localStart: '2026-11-24T21:00:00+09:00',
    },
    {
      region: 'AUS',
      timezone: 'Australia/Sydney',
      start: '2026-11-24T10:00:00Z',
      localStart: '2026-11-24T21:00:00+11:00',
    },
  ])(
    'starts the windows of $region at 21:00 in $timezone',
    async ({ region, timezone, start, localStart }) => {
      // Act: now is Mon 16:00 Berlin, Tue 00:00 Tokyo, Tue 02:00 Sydney.
      const response = await api.call<WindowsView>('GET', `/maintenance-windows?region=${region}&count=1`);

      // Assess
      expect(response.body.timezone).toBe(timezone);
      expect(response.body.windows[0]).toMatchObject({ start, localStart, timezone });
    },
  );

  it('keeps 21:00 to 06:00 on the wall clock across the spring change in Berlin (an 8-hour window)', async () => {
    // Act
    const response = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=EU&kind=infrastructure&count=2&from=2027-03-27T00:00:00Z',
    );

    // Assess
    expect(response.body.windows).toEqual([
      {
        start: '2027-03-27T20:00:00Z',
        end: '2027-03-28T04:00:00Z',
        timezone: 'Europe/Berlin',
        localStart: '2027-03-27T21:00:00+01:00',
        localEnd: '2027-03-28T06:00:00+02:00',
        windowId: 'EU#2027-03-27',
        booked: 0,
        capacity: 25,
        remaining: 25,
      },
      {
        start: '2027-03-28T19:00:00Z',
        end: '2027-03-29T04:00:00Z',
        timezone: 'Europe/Berlin',
        localStart: '2027-03-28T21:00:00+02:00',
        localEnd: '2027-03-29T06:00:00+02:00',
        windowId: 'EU#2027-03-28',
        booked: 0,
        capacity: 25,
        remaining: 25,
      },
    ]);
  });

  it('keeps 21:00 to 06:00 across the autumn change in New York (a 10-hour window)', async () => {
    // Act
    const response = await api.call<WindowsView>(
      'GET',
      '/maintenance-windows?region=AMER&kind=infrastructure&count=1&from=2026-10-31T12:00:00Z',
    );

    // Assess
    expect(response.body.windows[0]).toEqual({
      start: '2026-11-01T01:00:00Z',
      end: '2026-11-01T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-10-31T21:00:00-04:00',
      localEnd: '2026-11-01T06:00:00-05:00',
      windowId: 'AMER#2026-10-31',
      booked: 0,
      capacity: 25,
      remaining: 25,
    });
  });

  it('answers up to 100 windows, in order', async () => {
    // Act
    const response = await api.call<WindowsView>('GET', '/maintenance-windows?region=AUS&count=100');

    // Assess
    expect(response.body.windows).toHaveLength(100);
    const millis = starts(response.body).map((start) => Date.parse(start));
    for (let i = 1; i < millis.length; i++) expect(millis[i]).toBeGreaterThan(millis[i - 1] as number);
  });
});

describe('GET /severity', () => {
  it.each([
    ['critical', 'widespread', 'S1'],
    ['critical', 'large', 'S1'],
    ['critical', 'localized', 'S2'],
    ['critical', 'individualized', 'S3'],
    ['high', 'widespread', 'S1'],
    ['high', 'large', 'S2'],
    ['high', 'localized', 'S2'],
    ['high', 'individualized', 'S3'],
    ['medium', 'widespread', 'S2'],
    ['medium', 'large', 'S3'],
    ['medium', 'localized', 'S3'],
    ['medium', 'individualized', 'S3'],
    ['low', 'widespread', 'S4'],
    ['low', 'large', 'S4'],
    ['low', 'localized', 'S4'],
    ['low', 'individualized', 'S4'],
  ])('rates urgency %s with impact %s as %s', async (urgency, impact, severity) => {
    // Act
    const response = await api.call<Record<string, string>>(
      'GET',
      `/severity?impact=${impact}&urgency=${urgency}`,
      {
        key: api.keys.pacific,
      },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.severity).toBe(severity);
    expect(response.body.respondBy).toBeUndefined();
  });

  it.each([
    {
      severity: 'S1',
      impact: 'widespread',
      urgency: 'critical',
      target: 'PT15M',
      openedAt: '2026-11-23T15:00:00Z',
      respondBy: '2026-11-23T15:15:00Z',
    },
    // Around the clock: a Saturday night makes no difference.
    {
      severity: 'S2',
      impact: 'localized',
      urgency: 'critical',
      target: 'PT30M',
      openedAt: '2026-11-28T23:50:00Z',
      respondBy: '2026-11-29T00:20:00Z',
    },
    // 1 business day from Wed 25 Nov 10:00 New York: Thanksgiving is skipped, Fri 27 Nov 10:00.
    {
      severity: 'S3',
      impact: 'individualized',
      urgency: 'critical',
      target: 'P1D',
      openedAt: '2026-11-25T15:00:00Z',
      respondBy: '2026-11-27T15:00:00Z',
    },
    // Opened on a Saturday: the first business day after it is Monday.
    {
      severity: 'S3',
      impact: 'large',
      urgency: 'medium',
      target: 'P1D',
      openedAt: '2026-11-28T15:00:00Z',
      respondBy: '2026-11-30T15:00:00Z',
    },
    // 3 business days from Wed 23 Dec: Thu 24, (Christmas), Mon 28, Tue 29.
    {
      severity: 'S4',
      impact: 'widespread',
      urgency: 'low',
      target: 'P3D',
      openedAt: '2026-12-23T15:00:00Z',
      respondBy: '2026-12-29T15:00:00Z',
    },
  ])(
    'answers $severity with target $target and respondBy for openedAt $openedAt (AMER by default)',
    async (c) => {
      // Act
      const response = await api.call(
        'GET',
        `/severity?impact=${c.impact}&urgency=${c.urgency}&openedAt=${c.openedAt}`,
      );

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        severity: c.severity,
        responseTarget: c.target,
        // A business-day target says so: P1D is one business day, not 24 hours.
        ...(c.target.startsWith('PT')
          ? { responseClock: 'continuous' }
          : { responseClock: 'business-days', responseTargetBusinessDays: Number(c.target.slice(1, -1)) }),
        respondBy: c.respondBy,
      });
    },
  );

  it.each([
    // Berlin has no holiday on Thanksgiving: Thu 26 Nov 16:00 Berlin.
    {
      region: 'EU',
      urgency: 'critical',
      impact: 'individualized',
      openedAt: '2026-11-25T15:00:00Z',
      respondBy: '2026-11-26T15:00:00Z',
    },
    // Opened Thu 24 Dec 00:00 Tokyo; Christmas is a business day in Japan: Fri 25, Mon 28, Tue 29 00:00 Tokyo.
    {
      region: 'APJC',
      urgency: 'low',
      impact: 'large',
      openedAt: '2026-12-23T15:00:00Z',
      respondBy: '2026-12-28T15:00:00Z',
    },
  ])('counts business days of region=$region', async ({ region, urgency, impact, openedAt, respondBy }) => {
    // Act
    const response = await api.call<Record<string, string>>(
      'GET',
      `/severity?impact=${impact}&urgency=${urgency}&openedAt=${openedAt}&region=${region}`,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.respondBy).toBe(respondBy);
  });
});

describe('GET /partners/{partnerId}/calendar.ics', () => {
  let planned: ChangeView;
  let emergency: ChangeView;
  let cancelled: ChangeView;
  let pacific: ChangeView;
  beforeAll(async () => {
    planned = await createPlanned(api);
    emergency = await createEmergency(api);
    cancelled = await createPlanned(api, { disruptsCalling: false });
    expect(
      (await api.call('POST', `/changes/${cancelled.changeId}/cancel`, { body: { reason: 'No' } })).status,
    ).toBe(200);
    pacific = await createPlanned(api, { customerId: 'wayne-au', partnerId: 'pacific-telecom' });
  });

  it('answers text/calendar with one VEVENT per non-cancelled change, UID = changeId, times in UTC', async () => {
    // Act
    const response = await api.call<string>('GET', '/partners/acme-voice/calendar.ics', {
      key: api.keys.acme,
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(response.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(response.text.trimEnd()).toMatch(/END:VCALENDAR$/);
    const events = vevents(response.text);
    expect(events.map((event) => event.UID).sort()).toEqual([planned.changeId, emergency.changeId].sort());
    const byUid = new Map(events.map((event) => [event.UID, event]));
    expect(byUid.get(planned.changeId)).toMatchObject({
      DTSTART: '20261209T020000Z',
      DTEND: '20261209T110000Z',
    });
    expect(byUid.get(emergency.changeId)).toMatchObject({
      DTSTART: '20261123T150000Z',
      DTEND: '20261123T190000Z',
    });
    expect(response.text).not.toContain(cancelled.changeId);
    expect(response.text).not.toContain(pacific.changeId);
  });

  it("gives ops any partner's calendar", async () => {
    // Act
    const response = await api.call<string>('GET', '/partners/pacific-telecom/calendar.ics');

    // Assess
    expect(response.status).toBe(200);
    const events = vevents(response.text);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      UID: pacific.changeId,
      DTSTART: '20261208T100000Z',
      DTEND: '20261208T190000Z',
    });
  });

  it('answers 404 NOT_FOUND for an unknown partner', async () => {
    // Act
    const response = await api.call('GET', '/partners/no-such-partner/calendar.ics');

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

describe('GET /openapi.json', () => {
  type Operation = {
    operationId?: string;
    responses?: Record<string, unknown>;
    parameters?: { name: string; in: string }[];
    requestBody?: unknown;
  };
  type Document = {
    openapi: string;
    info: { title: string };
    paths: Record<string, Record<string, Operation>>;
    components?: { securitySchemes?: Record<string, { type: string; in: string; name: string }> };
  };
  const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

  /** A concrete path for a template (`{changeId}` -> an id that does not exist). */
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'zz_probe');

  /** Whether the document has an operation for the method on a template the concrete path matches. */
  function documents(document: Document, method: string, path: string): boolean {
    return Object.entries(document.paths).some(([template, operations]) => {
      const pattern = new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      return pattern.test(path) && operations[method.toLowerCase()] !== undefined;
    });
  }

  /** Whether the local server routes the method and path to a handler (not 404 "no route", not 405). */
  async function answers(method: string, path: string): Promise<boolean> {
    const response = await api.call<{ message?: string }>(method, path);
    if (response.status === 405) return false;
    return !(response.status === 404 && /^no route/.test(String(response.body.message)));
  }

  it('is an OpenAPI 3 document with every route of the route table, with its method', async () => {
    // Act
    const response = await api.call<Document>('GET', '/openapi.json', { key: api.keys.acme });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(response.body.info.title).toMatch(/\S/);
    const documented = Object.entries(response.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    for (const route of ROUTES) {
      expect(response.body.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.id);
    }
  });

  it("documents each route's success status, path parameters, body and the x-api-key scheme", async () => {
    // Act
    const document = (await api.call<Document>('GET', '/openapi.json')).body;

    // Assess
    expect(document.components?.securitySchemes?.apiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      expect(Object.keys(operation.responses ?? {}), route.id).toContain(String(route.successStatus));
      const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), route.id).toEqual(pathParams.sort());
      expect(operation.requestBody !== undefined, route.id).toBe('body' in route);
    }
  });

  it('documents every method and path the local server answers, and the server answers each documented one', async () => {
    // Prepare
    const document = (await api.call<Document>('GET', '/openapi.json')).body;

    // Act
    const mismatches: string[] = [];
    for (const path of Object.keys(document.paths).map(concrete)) {
      for (const method of VERBS) {
        if ((await answers(method, path)) !== documents(document, method, path))
          mismatches.push(`${method} ${path}`);
      }
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it.each([
    { method: 'GET', path: '/nothing-here' },
    { method: 'GET', path: '/changes/zz_probe/history' },
    { method: 'POST', path: '/changes/zz_probe/approve' },
    { method: 'GET', path: '/partners/acme-voice/calendar.json' },
  ])('does not answer the undocumented $method $path (404)', async ({ method, path }) => {
    // Act
    const response = await api.call(method, path);

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });

  it('answers 405 METHOD_NOT_ALLOWED for an undocumented method on a documented path', async () => {
    // Act
    const response = await api.call('DELETE', '/changes/zz_probe');

    // Assess
    expectRefusal(response, 405, 'METHOD_NOT_ALLOWED');
  });
});
