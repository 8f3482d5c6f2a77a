/**
 * Random and malformed bodies at every POST route of the contract, with ops and partner keys, through
 * the real API and DynamoDB Local. Properties (docs/api.md, "Errors"):
 * - no input produces a 5xx;
 * - every refusal is `{ error, message }`, with `details` naming the fields when it is a 400;
 * - no refused request changes any state: the whole table (scanned, sorted, canonical JSON) is the
 *   same after a 4xx as before it.
 * A generated body may happen to be valid; a 2xx is allowed then (and counted), without the check.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#contract/routes.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

/** ~150 runs per route keeps the file well under a minute; FUZZ_RUNS=1000 for a longer hunt. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const MAX_BODY_BYTES = 64 * 1024;

type KeyName = 'ops' | 'acme' | 'pacific';

interface FuzzRoute {
  /** Contract path template, e.g. `/changes/{changeId}/cancel`. */
  template: string;
  /** The concrete path the requests go to (an existing resource where there is one). */
  path: () => string;
  /** The same route on a resource that does not exist, for routes with a path parameter. */
  missing?: string;
  /** A valid body, the start of the near-miss mutations. */
  valid: () => Record<string, unknown>;
  /** Who is asked, weighted towards the caller the route is for (so validation is reached). */
  keys: readonly { weight: number; arbitrary: fc.Arbitrary<KeyName> }[];
  /** Well-formed but questionable values per field, to get past validation into the rules. */
  plausible: Record<string, fc.Arbitrary<unknown>>;
}

let api: TestApi;
const ids = {
  acknowledge: '',
  reschedule: '',
  rescheduleTarget: '',
  complete: '',
  cancel: '',
  alert: '',
};
const outcome = {
  requests: 0,
  success: 0,
  refused: 0,
  refusalsKeptForReplay: 0,
  byStatus: {} as Record<string, number>,
};

// ------------------------------------------------------------------------------------------------
// Table fingerprint

function canonical(value: unknown): unknown {
  if (value instanceof Set) return { $set: [...value].map(canonical).sort() };
  if (value instanceof Uint8Array) return { $binary: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The whole table as strings: every item, sorted by key, attributes in canonical order. Idempotency
 * records apart: a refusal that carried an Idempotency-Key is kept as "the first response" for its
 * retries (api.md, Idempotency), which is bookkeeping about the request, not state of the system.
 */
async function fingerprint(): Promise<{ state: string; idempotency: string }> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await api.table.doc.send(
      new ScanCommand({ TableName: api.table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const isIdempotency = (item: Record<string, unknown>) => String(item.pk).startsWith('IDEMPOTENCY#');
  const text = (selected: Record<string, unknown>[]) =>
    selected
      .map((item) => JSON.stringify(canonical(item)))
      .sort()
      .join('\n');
  return {
    state: text(items.filter((item) => !isIdempotency(item))),
    idempotency: text(items.filter(isIdempotency)),
  };
}

// ------------------------------------------------------------------------------------------------
// Generators: raw JSON texts, so keys like __proto__ and duplicate keys reach the server as written.

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

/** Strings that look almost right, or are right for another field. */
const trickyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '0',
    '123',
    '-1',
    '1e3',
    'true',
    'false',
    'null',
    'NaN',
    'Infinity',
    'undefined',
    '{}',
    '[]',
    '2026-12-15T02:00:00',
    '2026-12-15T02:00:00Z',
    '2026-12-15T21:00:00-05:00',
    '2026-13-45T99:99:99Z',
    '0000-00-00T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-12-15',
    'now',
    'next-window',
    'succeeded',
    'rolled-back',
    'CUCM',
    'AMER',
    'globex',
    'acme-voice',
    'pacific-telecom',
    'umbrella-jp',
    '../../etc/passwd',
    'file.cop.sgn',
    '../x.cop.sgn',
    'a/b.cop.sha512',
    '__proto__',
    'constructor',
    "'; DROP TABLE changes; --",
    '<script>alert(1)</script>',
    '$' + '{jndi:ldap://x}',
    '\u0000',
    '\u202e\u200b\ufeff',
    '😀🏳️‍🌈',
    '\ud800',
    'Ω≈ç√∫˜µ≤≥÷',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1, max: 6 }).map((n) => 'x'.repeat(10 ** n)),
);

/** JSON texts of any value, including number literals JSON.stringify never writes. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 3, arbitrary: trickyString.map((s) => JSON.stringify(s)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1e400',
      '-1e400',
      '-0',
      '0.1',
      '123456789012345678901234567890',
      '9007199254740993',
      '-9007199254740993',
      '1.5',
      'true',
      'false',
      'null',
      '{}',
      '[]',
      '[[[[[[[[[[]]]]]]]]]]',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
);

function objectText(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

/** The route's valid body with some fields dropped, replaced by odd values, stringified, or added. */
function nearMiss(route: FuzzRoute): fc.Arbitrary<string> {
  return fc
    .record({
      drop: fc.array(fc.nat(), { maxLength: 2 }),
      replace: fc.array(fc.tuple(fc.nat(), jsonText), { maxLength: 3 }),
      stringify: fc.boolean(),
      extra: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 12 })), jsonText),
        { maxLength: 2 },
      ),
    })
    .map(({ drop, replace, stringify, extra }) => {
      const valid = route.valid();
      const keys = Object.keys(valid);
      const entries = new Map<string, string>(keys.map((key) => [key, JSON.stringify(valid[key])]));
      for (const index of drop) entries.delete(keys[index % keys.length] as string);
      for (const [index, text] of replace) entries.set(keys[index % keys.length] as string, text);
      // Numbers and booleans as strings ("5", "true").
      if (stringify) {
        for (const [key, text] of entries) {
          if (/^(-?\d|true|false)/.test(text)) entries.set(key, JSON.stringify(text));
        }
      }
      return objectText([...entries, ...extra]);
    });
}

/** Objects with the schema's own field names, every value arbitrary. */
function schemaShaped(route: FuzzRoute): fc.Arbitrary<string> {
  const keys = Object.keys(route.valid());
  return fc
    .uniqueArray(fc.constantFrom(...keys), { maxLength: keys.length })
    .chain((chosen) => fc.tuple(...chosen.map((key) => jsonText.map((value) => [key, value] as const))))
    .map((entries) => objectText(entries));
}

/** Text that is not JSON at all, or not an object, or too big. */
const notJson = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":',
    "{'single':'quotes'}",
    '{"trailing":1,}',
    '{a:1}',
    'undefined',
    'NaN',
    '\u0000',
    '\ufeff{}',
    '<xml/>',
    'reason=x&outcome=succeeded',
    '{"reason": "x"}garbage',
  ),
  jsonText.map((text) => text.slice(0, Math.max(0, text.length - 1))),
);

const hugeBody = fc.oneof(
  // Just over the 64 KiB limit, as a field value and as a whole body.
  fc
    .integer({ min: 1, max: 2048 })
    .map((n) => objectText([['reason', JSON.stringify('r'.repeat(MAX_BODY_BYTES + n))]])),
  fc.integer({ min: 0, max: 2048 }).map((n) => ' '.repeat(MAX_BODY_BYTES + n)),
  // Multi-byte characters: under 64 Ki characters but over 64 KiB of UTF-8.
  fc.constant(objectText([['reason', JSON.stringify('é'.repeat(MAX_BODY_BYTES / 2 + 10))]])),
  fc.constant(objectText([['reason', JSON.stringify('😀'.repeat(MAX_BODY_BYTES / 4 + 10))]])),
  // A long array of nothing much.
  fc.integer({ min: 1000, max: 20_000 }).map((n) => `[${Array.from({ length: n }, () => '0').join(',')}]`),
);

/** The valid body with one or two fields set to well-formed values the rules may refuse. */
function plausible(route: FuzzRoute): fc.Arbitrary<string> {
  const fields = Object.keys(route.plausible);
  if (fields.length === 0) return nearMiss(route);
  return fc
    .uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: 2 })
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((field) =>
          (route.plausible[field] as fc.Arbitrary<unknown>).map((v) => [field, v] as const),
        ),
      ),
    )
    .map((changes) => JSON.stringify({ ...route.valid(), ...Object.fromEntries(changes) }));
}

function bodies(route: FuzzRoute): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: plausible(route) },
    { weight: 3, arbitrary: nearMiss(route) },
    { weight: 3, arbitrary: schemaShaped(route) },
    { weight: 2, arbitrary: jsonText },
    { weight: 2, arbitrary: notJson },
    { weight: 1, arbitrary: hugeBody },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const contentTypes = fc.constantFrom<Record<string, string>>(
  { 'content-type': 'application/json' },
  { 'content-type': 'application/json; charset=utf-8' },
  { 'content-type': 'text/plain' },
  { 'content-type': 'application/x-www-form-urlencoded' },
  {},
);
/** Sometimes an Idempotency-Key, from a small pool so keys get reused with other bodies (and bad ones). */
const idempotencyKeys = fc.option(
  fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', '', 'k'.repeat(256)),
  {
    freq: 4,
  },
);
const headerVariants = fc
  .tuple(contentTypes, idempotencyKeys)
  .map(([headers, key]) => (key === null ? headers : { ...headers, 'idempotency-key': key }));

// Well-formed values that may still be wrong: instants around now, ids of others' or of nothing.
/** Instants the schema accepts at the edges of the calendar (year 0, year 9999, extreme offsets). */
const EXTREME_INSTANTS = [
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+14:00',
  '9999-12-31T23:59:59.999999999Z',
  '9999-12-31T23:59:59-23:59',
  '1970-01-01T00:00:00Z',
  '2028-02-29T02:00:00Z',
  '2026-12-15T02:00:00.1234567890123Z',
  '2026-03-08T07:00:00+00:00',
];
const instantNearby = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .date({
        min: new Date('2026-10-01T00:00:00Z'),
        max: new Date('2027-04-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .chain((date) =>
        fc.constantFrom(
          date.toISOString(),
          // A window start (21:00 New York) on that date, as UTC and with the local offset.
          `${date.toISOString().slice(0, 10)}T02:00:00Z`,
          `${date.toISOString().slice(0, 10)}T21:00:00-05:00`,
        ),
      ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...EXTREME_INSTANTS) },
);
const someCustomer = fc.constantFrom('globex', 'initech', 'umbrella-jp', 'wayne-au', 'nobody');
const somePartner = fc.constantFrom('acme-voice', 'pacific-telecom', 'nobody');

// ------------------------------------------------------------------------------------------------
// Routes

const ops = fc.constant<KeyName>('ops');
const acme = fc.constant<KeyName>('acme');
const pacific = fc.constant<KeyName>('pacific');
const forOps = [
  { weight: 6, arbitrary: ops },
  { weight: 1, arbitrary: acme },
  { weight: 1, arbitrary: pacific },
];
const forOwner = [
  { weight: 6, arbitrary: acme },
  { weight: 1, arbitrary: pacific },
  { weight: 1, arbitrary: ops },
];
const forPartners = [
  { weight: 4, arbitrary: acme },
  { weight: 3, arbitrary: pacific },
  { weight: 1, arbitrary: ops },
];

const FUZZ_ROUTES: FuzzRoute[] = [
  {
    template: '/changes',
    path: () => '/changes',
    valid: () => ({
      customerId: 'globex',
      partnerId: 'acme-voice',
      region: 'AMER',
      type: 'upgrade',
      title: 'Upgrade to 15.0 SU2',
      description: 'below n-1',
      disruptsCalling: true,
      earliestStart: '2027-01-12T02:00:00Z',
      trigger: 'below-n-1',
      targetVersion: '15.0 SU2',
      urgent: false,
    }),
    keys: forOps,
    plausible: {
      customerId: someCustomer,
      partnerId: somePartner,
      region: fc.constantFrom('AMER', 'EU', 'APJC', 'AUS'),
      type: fc.constantFrom('upgrade', 'patch', 'certificate-renewal', 'infrastructure', 'configuration'),
      earliestStart: instantNearby,
      certificateExpiresAt: instantNearby,
      urgent: fc.boolean(),
      disruptsCalling: fc.boolean(),
    },
  },
  {
    template: '/changes/emergency',
    path: () => '/changes/emergency',
    valid: () => ({
      customerId: 'globex',
      partnerId: 'acme-voice',
      reason: 'restore-service',
      customerImpact: 'calls drop',
      title: 'Restart',
      description: 'node restart',
      type: 'configuration',
      when: 'next-window',
    }),
    keys: forOps,
    plausible: {
      customerId: someCustomer,
      partnerId: somePartner,
      when: fc.constantFrom('now', 'next-window'),
    },
  },
  {
    template: '/changes/{changeId}/acknowledge',
    path: () => `/changes/${ids.acknowledge}/acknowledge`,
    missing: '/changes/chg_missing/acknowledge',
    valid: () => ({ comment: 'fine by us' }),
    keys: forOwner,
    plausible: { comment: fc.string({ maxLength: 1001 }) },
  },
  {
    template: '/changes/{changeId}/reschedule',
    path: () => `/changes/${ids.reschedule}/reschedule`,
    missing: '/changes/chg_missing/reschedule',
    valid: () => ({ requestedStart: ids.rescheduleTarget, reason: 'customer conflict' }),
    keys: forOwner,
    plausible: { requestedStart: instantNearby },
  },
  {
    template: '/changes/{changeId}/complete',
    path: () => `/changes/${ids.complete}/complete`,
    missing: '/changes/chg_missing/complete',
    valid: () => ({ outcome: 'succeeded', notes: 'all good' }),
    keys: forOps,
    plausible: { outcome: fc.constantFrom('succeeded', 'failed', 'rolled-back', 'SUCCEEDED', 'cancelled') },
  },
  {
    template: '/changes/{changeId}/cancel',
    path: () => `/changes/${ids.cancel}/cancel`,
    missing: '/changes/chg_missing/cancel',
    valid: () => ({ reason: 'no longer needed' }),
    keys: forOps,
    plausible: { reason: fc.string({ maxLength: 1001 }) },
  },
  {
    template: '/cop-requests',
    path: () => '/cop-requests',
    valid: () => ({ customerId: 'globex', copFile: 'cmterm-devicepack1.cop.sgn', reason: 'new phones' }),
    keys: forPartners,
    plausible: {
      customerId: someCustomer,
      copFile: fc.constantFrom(
        'a.cop.sgn',
        'b.cop.sha512',
        'c.cop',
        'd.cop.sgn.exe',
        `${'x'.repeat(195)}.cop.sgn`,
      ),
    },
  },
  {
    template: '/backups',
    path: () => '/backups',
    valid: () => ({
      customerId: 'globex',
      application: 'CUCM',
      takenAt: '2026-11-23T02:00:00Z',
      status: 'succeeded',
      sizeBytes: 1_048_576,
    }),
    keys: forOps,
    plausible: {
      customerId: someCustomer,
      takenAt: instantNearby,
      status: fc.constantFrom('succeeded', 'failed', 'partial'),
      sizeBytes: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2)),
    },
  },
  {
    template: '/alerts/{alertId}/acknowledge',
    path: () => `/alerts/${ids.alert}/acknowledge`,
    missing: '/alerts/alert_missing/acknowledge',
    valid: () => ({ comment: 'on it' }),
    keys: forOps,
    plausible: { comment: fc.string({ maxLength: 1001 }) },
  },
];

// ------------------------------------------------------------------------------------------------

// Targets of the routes with a path parameter; a success uses one up, so a fresh one replaces it.

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const response = await api.call<{ changeId: string }>('POST', path, { body });
  expect(response.status, response.text).toBe(201);
  return response.body.changeId;
}

const newPlannedChange = () =>
  created('/changes', {
    customerId: 'globex',
    partnerId: 'acme-voice',
    type: 'configuration',
    title: 'Dial plan',
    disruptsCalling: true,
  });

const newRunningEmergency = () =>
  created('/changes/emergency', {
    customerId: 'globex',
    partnerId: 'acme-voice',
    reason: 'restore-service',
    customerImpact: 'calls drop',
    title: 'Restart',
    when: 'now',
  });

let alertsRaised = 0;
async function newOpenAlert(): Promise<string> {
  const { alert } = await api.ports.alerts.put({
    event: 'NO_GOOD_BACKUP',
    priority: 'P2',
    raisedAt: '2026-11-23T06:00:00Z',
    respondBy: '2026-11-23T08:00:00Z',
    subject: 'No good CUCM backup for globex',
    detail: { customerId: 'globex', application: 'CUCM' },
    dedupeKey: `fuzz-no-good-backup-${alertsRaised++}`,
  });
  return alert.alertId;
}

const RENEW: Record<string, () => Promise<void>> = {
  '/changes/{changeId}/acknowledge': async () => {
    ids.acknowledge = await newPlannedChange();
  },
  '/changes/{changeId}/reschedule': async () => {
    ids.reschedule = await newPlannedChange();
  },
  '/changes/{changeId}/complete': async () => {
    ids.complete = await newRunningEmergency();
  },
  '/changes/{changeId}/cancel': async () => {
    ids.cancel = await newPlannedChange();
  },
  '/alerts/{alertId}/acknowledge': async () => {
    ids.alert = await newOpenAlert();
  },
};

beforeAll(async () => {
  api = await startTestApi();
  for (const renew of Object.values(RENEW)) await renew();
  // A valid reschedule target: the first window (weekends included) two weeks ahead.
  const windows = await api.call<{ windows: { start: string }[] }>(
    'GET',
    `/maintenance-windows?region=AMER&kind=infrastructure&from=${api.clock.now().plus({ days: 14 }).toISO()}`,
  );
  ids.rescheduleTarget = windows.body.windows[0]?.start as string;
});

afterAll(async () => {
  console.info('post-bodies fuzz outcome', JSON.stringify(outcome));
  await api?.close();
});

function expectContractRefusal(status: number, body: unknown, text: string): void {
  expect(body, text).toBeTypeOf('object');
  const error = body as Record<string, unknown>;
  expect(
    Object.keys(error).every((key) => ['error', 'message', 'details'].includes(key)),
    text,
  ).toBe(true);
  expect(error.error, text).toEqual(expect.stringMatching(/^[A-Z][A-Z_]+$/));
  expect(error.message, text).toEqual(expect.any(String));
  expect((error.message as string).length, text).toBeGreaterThan(0);
  if (status === 400) {
    expect(error.error, text).toBe('VALIDATION_FAILED');
    expect(Array.isArray(error.details), text).toBe(true);
    const details = error.details as unknown[];
    expect(details.length, text).toBeGreaterThan(0);
    for (const detail of details) {
      expect(detail, text).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
  }
}

describe('POST bodies (fuzz)', () => {
  it('covers every POST route of the contract', () => {
    const contract = ROUTES.filter((route) => route.method === 'POST').map((route) => route.path);
    expect(FUZZ_ROUTES.map((route) => route.template).sort()).toEqual([...contract].sort());
  });

  for (const route of FUZZ_ROUTES) {
    it(`POST ${route.template}: never 5xx, refusals in the contract's shape, refused requests change nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(
          bodies(route),
          fc.oneof(...route.keys),
          headerVariants,
          fc.integer({ min: 1, max: 10 }),
          async (rawBody, keyName, headers, dice) => {
            // Prepare
            const before = await fingerprint();

            // Act
            const path = route.missing && dice === 1 ? route.missing : route.path();
            const response = await api.call('POST', path, {
              key: api.keys[keyName],
              headers,
              ...(rawBody === undefined ? {} : { rawBody }),
            });

            // Assess
            outcome.requests++;
            outcome.byStatus[response.status] = (outcome.byStatus[response.status] ?? 0) + 1;
            const where =
              `${path} as ${keyName} ${JSON.stringify(headers)} body ${JSON.stringify(rawBody?.slice(0, 200))}: ` +
              `${response.status} ${response.text.slice(0, 300)}`;
            expect(response.status, where).toBeLessThan(500);
            if (response.status < 300) {
              // Allowed: the body happened to be valid. Its target is used up; take a fresh one.
              outcome.success++;
              await RENEW[route.template]?.();
              return;
            }
            outcome.refused++;
            expect(response.status, where).toBeGreaterThanOrEqual(400);
            expectContractRefusal(response.status, response.body, where);
            const after = await fingerprint();
            expect(after.state, `state changed by a refused request: ${where}`).toBe(before.state);
            // Without a key, or refused before the key is looked at (400, 413), not even a record is kept.
            if (!('idempotency-key' in headers) || response.status === 400 || response.status === 413) {
              expect(after.idempotency, `idempotency record written for: ${where}`).toBe(before.idempotency);
            } else if (after.idempotency !== before.idempotency) {
              outcome.refusalsKeptForReplay++;
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
