/**
 * Free text is refused where it enters (api.md, "Additions"): single-line fields (titles, reasons,
 * impacts, versions) refuse every control character, line breaks included; multi-line fields
 * (descriptions, notes, comments) keep line breaks and refuse every other control character.
 *
 * Before, a title holding CR or LF was accepted (201) and every notice of that change then failed with
 * "line break in a header"; NUL, tab, U+0085 and U+2028 went through anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  emergencyBody,
  expectValidationFailed,
  MONDAY,
  plannedBody,
  readChange,
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

interface Request {
  path: string;
  key?: string;
  body: Record<string, unknown>;
}

interface TextField {
  route: string;
  field: string;
  multiLine: boolean;
  request: (value: string) => Request;
}

/** Every free-text field of every POST route, each in an otherwise valid request. */
const TEXT_FIELDS: TextField[] = [
  {
    route: 'POST /changes',
    field: 'title',
    multiLine: false,
    request: (title) => ({ path: '/changes', body: plannedBody({ title }) }),
  },
  {
    route: 'POST /changes',
    field: 'description',
    multiLine: true,
    request: (description) => ({ path: '/changes', body: plannedBody({ description }) }),
  },
  {
    route: 'POST /changes',
    field: 'targetVersion',
    multiLine: false,
    request: (targetVersion) => ({
      path: '/changes',
      body: plannedBody({ type: 'upgrade', trigger: 'below-n-1', targetVersion }),
    }),
  },
  {
    route: 'POST /changes',
    field: 'urgentReason',
    multiLine: false,
    request: (urgentReason) => ({ path: '/changes', body: plannedBody({ urgent: true, urgentReason }) }),
  },
  {
    route: 'POST /changes/emergency',
    field: 'title',
    multiLine: false,
    request: (title) => ({ path: '/changes/emergency', body: emergencyBody({ title }) }),
  },
  {
    route: 'POST /changes/emergency',
    field: 'customerImpact',
    multiLine: false,
    request: (customerImpact) => ({ path: '/changes/emergency', body: emergencyBody({ customerImpact }) }),
  },
  {
    route: 'POST /changes/emergency',
    field: 'description',
    multiLine: true,
    request: (description) => ({ path: '/changes/emergency', body: emergencyBody({ description }) }),
  },
  {
    route: 'POST /changes/{id}/reschedule',
    field: 'reason',
    multiLine: false,
    request: (reason) => ({
      path: `/changes/${planned.changeId}/reschedule`,
      key: api.keys.acme,
      body: { requestedStart: '2026-12-15T02:00:00Z', reason },
    }),
  },
  {
    route: 'POST /changes/{id}/acknowledge',
    field: 'comment',
    multiLine: true,
    request: (comment) => ({
      path: `/changes/${planned.changeId}/acknowledge`,
      key: api.keys.acme,
      body: { comment },
    }),
  },
  {
    route: 'POST /changes/{id}/complete',
    field: 'notes',
    multiLine: true,
    request: (notes) => ({
      path: `/changes/${inProgress.changeId}/complete`,
      body: { outcome: 'succeeded', notes },
    }),
  },
  {
    route: 'POST /changes/{id}/cancel',
    field: 'reason',
    multiLine: false,
    request: (reason) => ({ path: `/changes/${planned.changeId}/cancel`, body: { reason } }),
  },
  {
    // Validation comes before the lookup: the alert need not exist for the refusal.
    route: 'POST /alerts/{id}/acknowledge',
    field: 'comment',
    multiLine: true,
    request: (comment) => ({ path: '/alerts/alr_any/acknowledge', body: { comment } }),
  },
  {
    route: 'POST /cop-requests',
    field: 'reason',
    multiLine: false,
    request: (reason) => ({
      path: '/cop-requests',
      key: api.keys.acme,
      body: { customerId: 'globex', copFile: 'ciscocm.v15-su2.cop.sgn', reason },
    }),
  },
];

const NASTY = [
  { name: 'CR', character: '\r' },
  { name: 'LF', character: '\n' },
  { name: 'NUL', character: '\u0000' },
  { name: 'U+0085 (NEXT LINE)', character: '\u0085' },
  { name: 'U+2028 (LINE SEPARATOR)', character: '\u2028' },
  { name: 'tab', character: '\t' },
];

function send(request: Request) {
  return api.call<ChangeView>('POST', request.path, {
    ...(request.key ? { key: request.key } : {}),
    body: request.body,
  });
}

describe('a control character in a free-text field', () => {
  it.each(
    TEXT_FIELDS.flatMap((field) =>
      NASTY.filter((nasty) => !(field.multiLine && nasty.character === '\n')).map((nasty) => ({
        ...field,
        ...nasty,
      })),
    ),
  )('$route refuses $name in $field with 400 naming it, and writes nothing', async (c) => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await send(c.request(`Before${c.character}after`));

    // Assess
    const body = expectValidationFailed(response, [c.field]);
    expect(body.details?.[0]?.message).toMatch(/control character/);
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('is named with its code point and place, so an invisible character can be found', async () => {
    const response = await send(TEXT_FIELDS[0]?.request('Dial plan\u0085update') as Request);

    const body = expectValidationFailed(response, ['title']);
    expect(body.details?.[0]?.message).toContain('U+0085 at character 10');
  });

  it('refuses a line break at the end of a title too (it is not trimmed away)', async () => {
    const before = await tableSnapshot(api);

    const response = await send(TEXT_FIELDS[0]?.request('Dial plan update\r\n') as Request);

    expectValidationFailed(response, ['title']);
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('line breaks in multi-line fields', () => {
  it('keeps \\n in a change description, and stores a CRLF as \\n', async () => {
    // Act
    const lf = await send({ path: '/changes', body: plannedBody({ description: 'Step one\nStep two' }) });
    const crlf = await send({ path: '/changes', body: plannedBody({ description: 'Step one\r\nStep two' }) });

    // Assess
    expect(lf.status, lf.text).toBe(201);
    expect(crlf.status, crlf.text).toBe(201);
    expect((await readChange(api, lf.body.changeId)).description).toBe('Step one\nStep two');
    expect((await readChange(api, crlf.body.changeId)).description).toBe('Step one\nStep two');
  });

  it('keeps \\n in an emergency description', async () => {
    const response = await send({
      path: '/changes/emergency',
      body: emergencyBody({ description: 'Trunk down\nFailover in place' }),
    });

    expect(response.status, response.text).toBe(201);
    expect((await readChange(api, response.body.changeId)).description).toBe('Trunk down\nFailover in place');
  });

  it('accepts \\n in an acknowledgment comment and in completion notes', async () => {
    const change = await createPlanned(api, { disruptsCalling: false });
    const emergency = await createEmergency(api);

    const acknowledged = await send({
      path: `/changes/${change.changeId}/acknowledge`,
      key: api.keys.acme,
      body: { comment: 'Fine by us.\nCall the NOC first.' },
    });
    const completed = await send({
      path: `/changes/${emergency.changeId}/complete`,
      body: { outcome: 'succeeded', notes: 'Trunk back.\nRoot cause: expired certificate.' },
    });

    expect(acknowledged.status, acknowledged.text).toBe(200);
    expect(completed.status, completed.text).toBe(200);
  });
});
