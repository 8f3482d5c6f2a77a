/**
 * Instants at the edges of the years the business-day calendar covers (api.md, "Additions": instants
 * outside those years are a 400, on every route; "No input may produce a 5xx").
 *
 * The holiday table covers whole UTC years, but business days are counted on a region's wall clock:
 * the first instants of the first year are still the year before in New York, the last instants of the
 * last year already the year after in Tokyo and Sydney, and a response target of a few business days
 * opened in the last days of December runs into a year the table does not have. Before this test,
 * `GET /severity?impact=individualized&urgency=low&openedAt=2050-12-31T23:59:59Z` answered 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLIDAY_YEARS } from '#core/holidays.ts';
import type { ApiResponse } from '../support/api.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type ChangeView, createPlanned, expectValidationFailed, MONDAY, tableSnapshot } from './fixtures.ts';

const FIRST = `${HOLIDAY_YEARS.first}-01-01T00:00:00Z`;
const LAST = `${HOLIDAY_YEARS.last}-12-31T23:59:59Z`;
const BEFORE = `${HOLIDAY_YEARS.first - 1}-12-31T23:59:59Z`;
const AFTER = `${HOLIDAY_YEARS.last + 1}-01-01T00:00:00Z`;
/** Inside the years by UTC, but a day outside them on some region's wall clock. */
const EDGES = [
  FIRST,
  `${HOLIDAY_YEARS.first}-01-01T04:59:59Z`,
  `${HOLIDAY_YEARS.last}-12-31T15:00:00Z`,
  LAST,
];
const REGIONS = ['AMER', 'EU', 'APJC', 'AUS'] as const;

let api: TestApi;
let planned: ChangeView;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
  planned = await createPlanned(api, { disruptsCalling: false });
});
afterAll(async () => api?.close());

function expectNo5xx(response: ApiResponse<unknown>): void {
  expect(response.status, response.text).toBeLessThan(500);
}

describe('GET /severity at the edges of the calendar', () => {
  it('answers 400 naming openedAt when an S4 target runs past the last year (was a 500)', async () => {
    // Act
    const response = await api.call(
      'GET',
      `/severity?impact=individualized&urgency=low&openedAt=${HOLIDAY_YEARS.last}-12-31T23:59:59Z`,
    );

    // Assess
    const body = expectValidationFailed(response, ['openedAt']);
    expect(body.details?.[0]?.message).toContain(String(HOLIDAY_YEARS.last));
  });

  it('answers a target counted from a day before the first year on the region clock', async () => {
    // 2020-01-01T02:00Z is 2019-12-31 21:00 in New York. The opening day never counts: one business day
    // on is Thursday 2 January (New Year's Day is a holiday), 21:00 in New York.
    const response = await api.call(
      'GET',
      `/severity?impact=large&urgency=medium&openedAt=${HOLIDAY_YEARS.first}-01-01T02:00:00Z&region=AMER`,
    );

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      severity: 'S3',
      respondBy: `${HOLIDAY_YEARS.first}-01-03T02:00:00Z`,
    });
  });

  it('still answers an S4 whose target stays within the calendar', async () => {
    // Act: Monday 19 December 2050, 10:00 in New York; three business days on is Thursday 22.
    const response = await api.call(
      'GET',
      `/severity?impact=individualized&urgency=low&openedAt=${HOLIDAY_YEARS.last}-12-19T15:00:00Z`,
    );

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      severity: 'S4',
      responseTarget: 'P3D',
      responseClock: 'business-days',
      responseTargetBusinessDays: 3,
      respondBy: `${HOLIDAY_YEARS.last}-12-22T15:00:00Z`,
    });
  });

  it('answers a continuous (S1) target from the last instant: it needs no calendar', async () => {
    const response = await api.call('GET', `/severity?impact=widespread&urgency=critical&openedAt=${LAST}`);

    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      severity: 'S1',
      respondBy: `${HOLIDAY_YEARS.last + 1}-01-01T00:14:59Z`,
    });
  });

  it.each(
    REGIONS.flatMap((region) =>
      [...EDGES, BEFORE, AFTER].flatMap((openedAt) =>
        ['low', 'medium', 'critical'].map((urgency) => ({ region, openedAt, urgency })),
      ),
    ),
  )(
    'never answers 5xx: $urgency urgency opened $openedAt in $region',
    async ({ region, openedAt, urgency }) => {
      // Act
      const response = await api.call(
        'GET',
        `/severity?impact=individualized&urgency=${urgency}&openedAt=${openedAt}&region=${region}`,
      );

      // Assess: an answer, or a refusal that names openedAt.
      expectNo5xx(response);
      if (response.status !== 200) expectValidationFailed(response, ['openedAt']);
    },
  );
});

describe('every other route that takes an instant, at the edges of the calendar', () => {
  const outside = [BEFORE, AFTER];

  it.each(REGIONS.flatMap((region) => [...EDGES, BEFORE, AFTER].map((from) => ({ region, from }))))(
    'GET /maintenance-windows from $from in $region answers without a 5xx',
    async ({ region, from }) => {
      const response = await api.call('GET', `/maintenance-windows?region=${region}&from=${from}&count=100`);

      expectNo5xx(response);
      if (outside.includes(from)) expectValidationFailed(response, ['from']);
    },
  );

  it.each([...EDGES, BEFORE, AFTER])('GET /changes from/to %s answers without a 5xx', async (instant) => {
    const from = await api.call('GET', `/changes?from=${instant}`);
    const to = await api.call('GET', `/changes?to=${instant}`);

    expectNo5xx(from);
    expectNo5xx(to);
    if (outside.includes(instant)) {
      expectValidationFailed(from, ['from']);
      expectValidationFailed(to, ['to']);
    }
  });

  it.each(
    [...EDGES, BEFORE, AFTER].flatMap((instant) => [
      { field: 'earliestStart', instant, customerId: 'globex' },
      { field: 'earliestStart', instant, customerId: 'wayne-au' },
      { field: 'certificateExpiresAt', instant, customerId: 'globex' },
    ]),
  )(
    'POST /changes with $field $instant ($customerId) answers without a 5xx',
    async ({ field, instant, customerId }) => {
      // Prepare
      const before = await tableSnapshot(api);
      const partnerId = customerId === 'wayne-au' ? 'pacific-telecom' : 'acme-voice';
      const body =
        field === 'certificateExpiresAt'
          ? { type: 'certificate-renewal', certificateExpiresAt: instant }
          : { type: 'configuration', earliestStart: instant };

      // Act
      const response = await api.call('POST', '/changes', {
        body: { customerId, partnerId, title: 'Edge of the calendar', disruptsCalling: true, ...body },
      });

      // Assess: far-future bounds find no window within the planning horizon; nothing is written.
      expectNo5xx(response);
      if (outside.includes(instant)) expectValidationFailed(response, [field]);
      if (response.status !== 201) expect(await tableSnapshot(api)).toEqual(before);
    },
  );

  it.each([...EDGES, BEFORE, AFTER])(
    'POST /changes/{id}/reschedule to %s answers without a 5xx',
    async (requestedStart) => {
      const response = await api.call('POST', `/changes/${planned.changeId}/reschedule`, {
        key: api.keys.acme,
        body: { requestedStart, reason: 'Edge of the calendar' },
      });

      expectNo5xx(response);
      if (outside.includes(requestedStart)) expectValidationFailed(response, ['requestedStart']);
      else expect(response.status).not.toBe(200);
    },
  );

  it.each([...EDGES, BEFORE, AFTER])('POST /backups taken at %s answers without a 5xx', async (takenAt) => {
    const response = await api.call('POST', '/backups', {
      body: { customerId: 'globex', application: 'CUCM', takenAt, status: 'succeeded' },
    });

    expectNo5xx(response);
    if (outside.includes(takenAt)) expectValidationFailed(response, ['takenAt']);
  });
});
