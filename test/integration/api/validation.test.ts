/**
 * Bad input (api.md, "Errors"): 400 VALIDATION_FAILED with `details` naming each bad field (unknown
 * fields too), 413 for a body over 64 KiB, never a 5xx, and no refused request changes any state:
 * every test compares a scan of the whole table before and after the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  emergencyBody,
  expectRefusal,
  expectValidationFailed,
  MONDAY,
  plannedBody,
  tableSnapshot,
} from './fixtures.ts';

let api: TestApi;
let planned: ChangeView;
let inProgress: ChangeView;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
  planned = await createPlanned(api);
  inProgress = await createEmergency(api);
});
afterAll(async () => api?.close());

interface Refused {
  what: string;
  method?: string;
  path: () => string;
  key?: () => string;
  body?: unknown;
  rawBody?: string;
  fields: string[];
}

/** Sends the request, expects 400 naming exactly `fields`, and the table unchanged. */
async function expectRefusedWithoutWrite(request: Refused): Promise<void> {
  // Prepare
  const before = await tableSnapshot(api);

  // Act
  const response = await api.call(request.method ?? 'POST', request.path(), {
    key: request.key?.() ?? api.keys.ops,
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.rawBody !== undefined
      ? { rawBody: request.rawBody, headers: { 'content-type': 'application/json' } }
      : {}),
  });

  // Assess
  expectValidationFailed(response, request.fields);
  expect(await tableSnapshot(api)).toEqual(before);
}

describe('POST /changes body', () => {
  const changes = () => '/changes';
  it.each<Refused>([
    {
      what: 'an empty object (every required field missing)',
      path: changes,
      body: {},
      fields: ['customerId', 'partnerId', 'type', 'title', 'disruptsCalling'],
    },
    {
      what: 'no body at all',
      path: changes,
      fields: ['customerId', 'partnerId', 'type', 'title', 'disruptsCalling'],
    },
    { what: 'a missing title', path: changes, body: plannedBody({ title: undefined }), fields: ['title'] },
    {
      what: 'a boolean given as text',
      path: changes,
      body: plannedBody({ disruptsCalling: 'yes' }),
      fields: ['disruptsCalling'],
    },
    {
      what: 'a number for an id',
      path: changes,
      body: plannedBody({ customerId: 42 }),
      fields: ['customerId'],
    },
    {
      what: 'an id with a slash',
      path: changes,
      body: plannedBody({ customerId: '../globex' }),
      fields: ['customerId'],
    },
    { what: 'an unknown field', path: changes, body: plannedBody({ colour: 'blue' }), fields: ['colour'] },
    {
      what: 'an unknown change type',
      path: changes,
      body: plannedBody({ type: 'reboot' }),
      fields: ['type'],
    },
    { what: 'an unknown region', path: changes, body: plannedBody({ region: 'MARS' }), fields: ['region'] },
    { what: 'a blank title', path: changes, body: plannedBody({ title: '   ' }), fields: ['title'] },
    {
      what: 'a title over 200 characters',
      path: changes,
      body: plannedBody({ title: 't'.repeat(201) }),
      fields: ['title'],
    },
    {
      what: 'an earliestStart without offset',
      path: changes,
      body: plannedBody({ earliestStart: '2026-12-01T10:00:00' }),
      fields: ['earliestStart'],
    },
    {
      what: 'an earliestStart that is not a date',
      path: changes,
      body: plannedBody({ earliestStart: 'next tuesday' }),
      fields: ['earliestStart'],
    },
    {
      what: 'an earliestStart on a day that does not exist',
      path: changes,
      body: plannedBody({ earliestStart: '2027-02-30T10:00:00Z' }),
      fields: ['earliestStart'],
    },
    {
      what: 'an upgrade without trigger and target version',
      path: changes,
      body: plannedBody({ type: 'upgrade' }),
      fields: ['trigger', 'targetVersion'],
    },
    {
      what: 'an upgrade with an unknown trigger',
      path: changes,
      body: plannedBody({ type: 'upgrade', trigger: 'boredom', targetVersion: '15.0 SU2' }),
      fields: ['trigger'],
    },
    {
      what: 'a trigger on a non-upgrade',
      path: changes,
      body: plannedBody({ trigger: 'end-of-life' }),
      fields: ['trigger'],
    },
    {
      what: 'a certificate renewal without certificateExpiresAt',
      path: changes,
      body: plannedBody({ type: 'certificate-renewal' }),
      fields: ['certificateExpiresAt'],
    },
    {
      what: 'certificateExpiresAt on another type',
      path: changes,
      body: plannedBody({ certificateExpiresAt: '2027-01-02T15:00:00Z' }),
      fields: ['certificateExpiresAt'],
    },
    {
      what: 'urgent without urgentReason',
      path: changes,
      body: plannedBody({ urgent: true }),
      fields: ['urgentReason'],
    },
    {
      what: 'several bad fields at once',
      path: changes,
      body: plannedBody({ type: 'reboot', disruptsCalling: 'no', extra: 1 }),
      fields: ['type', 'disruptsCalling', 'extra'],
    },
    { what: 'malformed JSON', path: changes, rawBody: '{"customerId": "globex",', fields: ['(body)'] },
    { what: 'an array instead of an object', path: changes, body: [plannedBody()], fields: ['(body)'] },
    { what: 'an empty array', path: changes, rawBody: '[]', fields: ['(body)'] },
    { what: 'JSON null', path: changes, rawBody: 'null', fields: ['(body)'] },
    { what: 'a JSON string', path: changes, rawBody: '"globex"', fields: ['(body)'] },
    { what: 'a JSON number', path: changes, rawBody: '42', fields: ['(body)'] },
  ])('refuses $what with 400 naming the field, writing nothing', expectRefusedWithoutWrite);
});

describe('bodies of the other POST routes', () => {
  it.each<Refused>([
    {
      what: 'an emergency with an unknown "when"',
      path: () => '/changes/emergency',
      body: emergencyBody({ when: 'tomorrow' }),
      fields: ['when'],
    },
    {
      what: 'an emergency with an unknown reason',
      path: () => '/changes/emergency',
      body: emergencyBody({ reason: 'boredom' }),
      fields: ['reason'],
    },
    {
      what: 'an emergency without customerImpact',
      path: () => '/changes/emergency',
      body: emergencyBody({ customerImpact: undefined }),
      fields: ['customerImpact'],
    },
    {
      what: 'an emergency with a region (not a field of the route)',
      path: () => '/changes/emergency',
      body: emergencyBody({ region: 'EU' }),
      fields: ['region'],
    },
    {
      what: 'an acknowledgement with a numeric comment',
      path: () => `/changes/${planned.changeId}/acknowledge`,
      key: () => api.keys.acme,
      body: { comment: 5 },
      fields: ['comment'],
    },
    {
      what: 'an acknowledgement with an unknown field',
      path: () => `/changes/${planned.changeId}/acknowledge`,
      key: () => api.keys.acme,
      body: { accepted: true },
      fields: ['accepted'],
    },
    {
      what: 'a reschedule without any field',
      path: () => `/changes/${planned.changeId}/reschedule`,
      key: () => api.keys.acme,
      body: {},
      fields: ['requestedStart', 'reason'],
    },
    {
      what: 'a reschedule with a date only',
      path: () => `/changes/${planned.changeId}/reschedule`,
      key: () => api.keys.acme,
      body: { requestedStart: '2026-12-15', reason: 'Launch' },
      fields: ['requestedStart'],
    },
    {
      what: 'a completion with an unknown outcome',
      path: () => `/changes/${inProgress.changeId}/complete`,
      body: { outcome: 'done' },
      fields: ['outcome'],
    },
    {
      what: 'a completion without outcome',
      path: () => `/changes/${inProgress.changeId}/complete`,
      body: { notes: 'ok' },
      fields: ['outcome'],
    },
    {
      what: 'a cancellation without reason',
      path: () => `/changes/${planned.changeId}/cancel`,
      body: {},
      fields: ['reason'],
    },
    {
      what: 'a cancellation with an empty reason',
      path: () => `/changes/${planned.changeId}/cancel`,
      body: { reason: '' },
      fields: ['reason'],
    },
    {
      what: 'a backup with bad application, instant, status and size',
      path: () => '/backups',
      body: { customerId: 'globex', application: 'TEAMS', takenAt: 'yesterday', status: 'ok', sizeBytes: -1 },
      fields: ['application', 'takenAt', 'status', 'sizeBytes'],
    },
    {
      what: 'a backup with a fractional size',
      path: () => '/backups',
      body: {
        customerId: 'globex',
        application: 'CUCM',
        takenAt: '2026-11-23T07:00:00Z',
        status: 'succeeded',
        sizeBytes: 1.5,
      },
      fields: ['sizeBytes'],
    },
    {
      what: 'a COP request without customerId',
      path: () => '/cop-requests',
      key: () => api.keys.acme,
      body: { copFile: 'cmterm-devicepack15.0.1.cop.sgn' },
      fields: ['customerId'],
    },
  ])('refuses $what with 400 naming the field, writing nothing', expectRefusedWithoutWrite);

  it('leaves the change as it was after refused moves', async () => {
    // Act
    const response = await api.call<ChangeView>('GET', `/changes/${planned.changeId}`);

    // Assess
    expect(response.body).toMatchObject({ status: 'SCHEDULED', version: 1, reschedulesRemaining: 1 });
    expect((await api.call<ChangeView>('GET', `/changes/${inProgress.changeId}`)).body.status).toBe(
      'IN_PROGRESS',
    );
  });
});

describe('query parameters', () => {
  it.each<Refused>([
    {
      what: 'count=0',
      method: 'GET',
      path: () => '/maintenance-windows?region=AMER&count=0',
      fields: ['count'],
    },
    {
      what: 'count=101',
      method: 'GET',
      path: () => '/maintenance-windows?region=AMER&count=101',
      fields: ['count'],
    },
    {
      what: 'count=1.5',
      method: 'GET',
      path: () => '/maintenance-windows?region=AMER&count=1.5',
      fields: ['count'],
    },
    {
      what: 'count=ten',
      method: 'GET',
      path: () => '/maintenance-windows?region=AMER&count=ten',
      fields: ['count'],
    },
    {
      what: 'an unknown region',
      method: 'GET',
      path: () => '/maintenance-windows?region=MARS',
      fields: ['region'],
    },
    { what: 'no region', method: 'GET', path: () => '/maintenance-windows', fields: ['region'] },
    {
      what: 'an unknown window kind',
      method: 'GET',
      path: () => '/maintenance-windows?region=EU&kind=weekend',
      fields: ['kind'],
    },
    {
      what: 'an unknown query parameter',
      method: 'GET',
      path: () => '/maintenance-windows?region=EU&colour=blue',
      fields: ['colour'],
    },
    {
      what: 'a date without time as from',
      method: 'GET',
      path: () => '/maintenance-windows?region=EU&from=2026-11-23',
      fields: ['from'],
    },
    {
      what: 'a repeated parameter',
      method: 'GET',
      path: () => '/maintenance-windows?region=EU&region=AMER',
      fields: ['region'],
    },
    { what: 'limit=0 on changes', method: 'GET', path: () => '/changes?limit=0', fields: ['limit'] },
    { what: 'limit=101 on changes', method: 'GET', path: () => '/changes?limit=101', fields: ['limit'] },
    { what: 'an unknown status', method: 'GET', path: () => '/changes?status=DONE', fields: ['status'] },
    { what: 'a bad from instant', method: 'GET', path: () => '/changes?from=yesterday', fields: ['from'] },
    {
      what: 'to before from',
      method: 'GET',
      path: () => '/changes?from=2026-12-10T00:00:00Z&to=2026-12-01T00:00:00Z',
      fields: ['to'],
    },
    {
      what: 'a bad customerId',
      method: 'GET',
      path: () => '/changes?customerId=no%20such',
      fields: ['customerId'],
    },
    {
      what: 'an unknown parameter on changes',
      method: 'GET',
      path: () => '/changes?sort=desc',
      fields: ['sort'],
    },
    {
      what: 'an unknown impact',
      method: 'GET',
      path: () => '/severity?impact=huge&urgency=high',
      fields: ['impact'],
    },
    { what: 'a missing urgency', method: 'GET', path: () => '/severity?impact=large', fields: ['urgency'] },
    {
      what: 'a bad openedAt',
      method: 'GET',
      path: () => '/severity?impact=large&urgency=high&openedAt=now',
      fields: ['openedAt'],
    },
    {
      what: 'an unknown severity region',
      method: 'GET',
      path: () => '/severity?impact=large&urgency=medium&region=MARS',
      fields: ['region'],
    },
    {
      what: 'backups without customerId',
      method: 'GET',
      path: () => '/backups?application=CUCM',
      fields: ['customerId'],
    },
    {
      what: 'an unknown backup application',
      method: 'GET',
      path: () => '/backups?customerId=globex&application=TEAMS',
      fields: ['application'],
    },
    {
      what: 'an unknown alert status',
      method: 'GET',
      path: () => '/alerts?status=closed',
      fields: ['status'],
    },
    {
      what: 'an unknown alert priority',
      method: 'GET',
      path: () => '/alerts?priority=P5',
      fields: ['priority'],
    },
    {
      what: 'a parameter on customers',
      method: 'GET',
      path: () => '/customers?region=EU',
      fields: ['region'],
    },
    {
      what: 'a parameter on a change',
      method: 'GET',
      path: () => `/changes/${planned.changeId}?expand=history`,
      fields: ['expand'],
    },
    {
      what: 'a parameter on the OpenAPI document',
      method: 'GET',
      path: () => '/openapi.json?format=yaml',
      fields: ['format'],
    },
  ])('refuses $what with 400 naming the parameter', expectRefusedWithoutWrite);
});

describe('body size', () => {
  /** A createChange body of exactly `bytes` bytes (its description pads it). */
  function bodyOfSize(bytes: number): string {
    const empty = JSON.stringify(plannedBody({ description: '' }));
    return JSON.stringify(plannedBody({ description: 'x'.repeat(bytes - empty.length) }));
  }

  it('refuses a body over 64 KiB with 413 PAYLOAD_TOO_LARGE and writes nothing', async () => {
    // Prepare
    const before = await tableSnapshot(api);
    const rawBody = bodyOfSize(64 * 1024 + 1);
    expect(Buffer.byteLength(rawBody)).toBe(65537);

    // Act
    const response = await api.call('POST', '/changes', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expectRefusal(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('refuses a body of a megabyte with 413', async () => {
    // Act
    const response = await api.call('POST', '/cop-requests', {
      key: api.keys.acme,
      body: {
        customerId: 'globex',
        copFile: 'cmterm-devicepack15.0.1.cop.sgn',
        reason: 'r'.repeat(1024 * 1024),
      },
    });

    // Assess
    expectRefusal(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('reads a body of exactly 64 KiB (then refuses its long description with 400, not 413)', async () => {
    // Prepare
    const rawBody = bodyOfSize(64 * 1024);

    // Act
    const response = await api.call('POST', '/changes', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expectValidationFailed(response, ['description']);
  });
});

describe('never a 5xx', () => {
  it.each([
    { what: 'a change id over 64 characters', path: `/changes/chg_${'a'.repeat(70)}` },
    { what: 'a change id with a space', path: '/changes/chg%20x' },
    { what: 'a change id with a dot', path: '/changes/chg.x' },
    { what: 'a customer id with unicode', path: '/customers/%C3%A9tienne' },
  ])('answers 404 for $what', async ({ path }) => {
    // Act
    const response = await api.call('GET', path);

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });

  it('answers a path with a malformed percent-encoding with a 4xx, not a 5xx', async () => {
    // Act
    const response = await api.call('GET', '/changes/%E0%A4%A');

    // Assess
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses a query parameter named __proto__ with 400, not a 5xx', async () => {
    // Act
    const response = await api.call('GET', '/maintenance-windows?region=AMER&__proto__=1');

    // Assess
    expectRefusal(response, 400, 'VALIDATION_FAILED');
  });

  it('refuses a body field named __proto__ with 400 naming it, and writes nothing', async () => {
    // Prepare
    const before = await tableSnapshot(api);
    const rawBody = JSON.stringify(plannedBody()).replace('{', '{"__proto__":{"admin":true},');

    // Act
    const response = await api.call('POST', '/changes', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expectValidationFailed(response, ['__proto__']);
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it.each([{ openedAt: '2051-01-06T15:00:00Z' }, { openedAt: '1999-12-31T15:00:00Z' }])(
    'answers a business-day severity opened at $openedAt with 200 or 400, not a 5xx',
    async ({ openedAt }) => {
      // Act: individualized + critical is S3, counted in business days.
      const response = await api.call(
        'GET',
        `/severity?impact=individualized&urgency=critical&openedAt=${openedAt}`,
      );

      // Assess
      expect([200, 400]).toContain(response.status);
    },
  );
});
