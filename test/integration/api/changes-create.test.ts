/**
 * POST /v1/changes and POST /v1/changes/emergency, and GET /v1/changes/{changeId}: where the rules
 * place a change (windows worked out by hand from rules sections 1-6) and what the API answers.
 * The clock starts on Monday 2026-11-23 15:00Z (10:00 in New York); Thursday 2026-11-26 is
 * Thanksgiving (a US public holiday; the Friday after it is a business day).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  emergencyBody,
  expectRefusal,
  MONDAY,
  plannedBody,
  readChange,
  tableSnapshot,
  windowUsage,
} from './fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
});
afterAll(async () => api?.close());
beforeEach(() => {
  api.clock.set(MONDAY);
});

describe('POST /changes', () => {
  it('schedules a disruptive change 10 business days ahead and answers 201 with the change', async () => {
    // Prepare: notice Mon 23 Nov; business days Tue 24, Wed 25, (Thanksgiving), Fri 27, Mon 30, Tue 1,
    // Wed 2, Thu 3, Fri 4, Mon 7, Tue 8 Dec (the 10th): the window of Tue 8 Dec 21:00 New York.
    const body = plannedBody({ description: 'Move the dial plan to E.164' });

    // Act
    const response = await api.call<ChangeView>('POST', '/changes', { body });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.body).toMatchObject({
      changeId: expect.stringMatching(/^chg_/),
      partnerId: 'acme-voice',
      customerId: 'globex',
      region: 'AMER',
      type: 'configuration',
      title: 'Dial plan update',
      description: 'Move the dial plan to E.164',
      disruptsCalling: true,
      emergency: false,
      urgent: false,
      status: 'SCHEDULED',
      window: {
        start: '2026-12-09T02:00:00Z',
        end: '2026-12-09T11:00:00Z',
        timezone: 'America/New_York',
        localStart: '2026-12-08T21:00:00-05:00',
        localEnd: '2026-12-09T06:00:00-05:00',
      },
      noticeSentAt: '2026-11-23T15:00:00Z',
      // 3 business days (Tue 24, Wed 25, Fri 27) at the notice's wall-clock time, 10:00 New York.
      replyBy: '2026-11-27T15:00:00Z',
      rescheduleCutoff: '2026-12-02T02:00:00Z',
      reschedulesRemaining: 1,
      createdAt: '2026-11-23T15:00:00Z',
      updatedAt: '2026-11-23T15:00:00Z',
      version: 1,
    });
  });

  it.each([
    {
      customerId: 'initech',
      partnerId: 'acme-voice',
      region: 'EU',
      // Notice Mon 23 Nov 16:00 Berlin; the 10th business day is Mon 7 Dec.
      window: {
        start: '2026-12-07T20:00:00Z',
        end: '2026-12-08T05:00:00Z',
        timezone: 'Europe/Berlin',
        localStart: '2026-12-07T21:00:00+01:00',
        localEnd: '2026-12-08T06:00:00+01:00',
      },
      replyBy: '2026-11-26T15:00:00Z',
    },
    {
      customerId: 'umbrella-jp',
      partnerId: 'pacific-telecom',
      region: 'APJC',
      // Notice Tue 24 Nov 00:00 Tokyo; the 10th business day is Tue 8 Dec.
      window: {
        start: '2026-12-08T12:00:00Z',
        end: '2026-12-08T21:00:00Z',
        timezone: 'Asia/Tokyo',
        localStart: '2026-12-08T21:00:00+09:00',
        localEnd: '2026-12-09T06:00:00+09:00',
      },
      replyBy: '2026-11-26T15:00:00Z',
    },
    {
      customerId: 'wayne-au',
      partnerId: 'pacific-telecom',
      region: 'AUS',
      // Notice Tue 24 Nov 02:00 Sydney (daylight time, +11:00); the 10th business day is Tue 8 Dec.
      window: {
        start: '2026-12-08T10:00:00Z',
        end: '2026-12-08T19:00:00Z',
        timezone: 'Australia/Sydney',
        localStart: '2026-12-08T21:00:00+11:00',
        localEnd: '2026-12-09T06:00:00+11:00',
      },
      replyBy: '2026-11-26T15:00:00Z',
    },
  ])('plans in the region of customer $customerId ($region) on its own wall clock', async (expected) => {
    // Prepare
    const body = plannedBody({ customerId: expected.customerId, partnerId: expected.partnerId });

    // Act
    const response = await api.call<ChangeView>('POST', '/changes', { body });

    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      region: expected.region,
      window: expected.window,
      replyBy: expected.replyBy,
    });
  });

  it('counts business days from the local date of the notice, and replies by its local wall-clock time', async () => {
    // Prepare: Mon 23 Nov 22:00 New York is already Tuesday in UTC.
    api.clock.set('2026-11-24T03:00:00Z');

    // Act
    const change = await createPlanned(api);

    // Assess: the same window as a notice at 10:00 that Monday; reply by Fri 27 Nov 22:00 New York.
    expect(change.window.start).toBe('2026-12-09T02:00:00Z');
    expect(change.replyBy).toBe('2026-11-28T03:00:00Z');
  });

  it('skips a public holiday in the notice period and keeps replyBy on the wall clock across daylight saving', async () => {
    // Prepare: Fri 30 Oct 2026 10:00 New York (daylight time, -04:00); the clocks go back on Sun 1 Nov.
    api.clock.set('2026-10-30T14:00:00Z');

    // Act
    const change = await createPlanned(api);

    // Assess: 10 business days: Nov 2, 3, 4, 5, 6, 9, 10, (Veterans Day), 12, 13, 16 -> Mon 16 Nov 21:00 EST.
    expect(change.window.start).toBe('2026-11-17T02:00:00Z');
    expect(change.window.localStart).toBe('2026-11-16T21:00:00-05:00');
    // 3 business days: Mon 2, Tue 3, Wed 4 Nov at 10:00 New York, now standard time (-05:00).
    expect(change.replyBy).toBe('2026-11-04T15:00:00Z');
    expect(change.rescheduleCutoff).toBe('2026-11-10T02:00:00Z');
  });

  it('uses the region given in the body instead of the customer one', async () => {
    // Act
    const change = await createPlanned(api, { region: 'EU' });

    // Assess
    expect(change.region).toBe('EU');
    expect(change.window.start).toBe('2026-12-07T20:00:00Z');
    expect(change.window.timezone).toBe('Europe/Berlin');
  });

  it('places a change that does not disrupt calling in the first weekday window 24 hours after the notice', async () => {
    // Act: 24 hours after Mon 10:00 New York is Tue 10:00; the next window starts Tue 24 Nov 21:00.
    const change = await createPlanned(api, { type: 'patch', disruptsCalling: false });

    // Assess
    expect(change.window.start).toBe('2026-11-25T02:00:00Z');
    expect(change.window.localStart).toBe('2026-11-24T21:00:00-05:00');
    expect(change.status).toBe('SCHEDULED');
  });

  it('places infrastructure work on a weekend window, but a customer change on the next weekday', async () => {
    // Prepare: Friday 27 Nov, 10:00 New York; 24 hours later is Saturday 10:00.
    api.clock.set('2026-11-27T15:00:00Z');

    // Act
    const infrastructure = await createPlanned(api, { type: 'infrastructure', disruptsCalling: false });
    const configuration = await createPlanned(api, { type: 'configuration', disruptsCalling: false });

    // Assess: Saturday 28 Nov 21:00 for the infrastructure, Monday 30 Nov 21:00 for the customer change.
    expect(infrastructure.window.start).toBe('2026-11-29T02:00:00Z');
    expect(infrastructure.window.localStart).toBe('2026-11-28T21:00:00-05:00');
    expect(configuration.window.start).toBe('2026-12-01T02:00:00Z');
  });

  it('starts no earlier than earliestStart, taking the first window that starts at or after it', async () => {
    // Act: 2027-01-15T00:00Z is Thu 14 Jan 19:00 New York; that evening's window starts at 21:00.
    const after = await createPlanned(api, { earliestStart: '2027-01-15T00:00:00Z' });
    const exactly = await createPlanned(api, { earliestStart: '2027-01-15T02:00:00Z' });

    // Assess
    expect(after.window.start).toBe('2027-01-15T02:00:00Z');
    expect(after.rescheduleCutoff).toBe('2027-01-08T02:00:00Z');
    expect(exactly.window.start).toBe('2027-01-15T02:00:00Z');
  });

  it('records the trigger and target version of an upgrade', async () => {
    // Act
    const change = await createPlanned(api, {
      type: 'upgrade',
      trigger: 'below-n-1',
      targetVersion: '15.0 SU2',
    });

    // Assess
    expect(change).toMatchObject({ type: 'upgrade', trigger: 'below-n-1', targetVersion: '15.0 SU2' });
  });

  it('renews a certificate in a window 7 to 3 days before it expires', async () => {
    // Prepare: expiry Sat 2 Jan 2027 15:00Z, so the window starts between Sat 26 Dec 15:00Z and
    // Wed 30 Dec 15:00Z; the first weekday window in that range is Mon 28 Dec 21:00 New York.
    const certificateExpiresAt = '2027-01-02T15:00:00Z';

    // Act
    const change = await createPlanned(api, { type: 'certificate-renewal', certificateExpiresAt });

    // Assess
    expect(change.window.start).toBe('2026-12-29T02:00:00Z');
    expect(change.certificateExpiresAt).toBe(certificateExpiresAt);
  });

  it('marks an urgent planned change as not reschedulable', async () => {
    // Act
    const change = await createPlanned(api, { urgent: true, urgentReason: 'CVE-2026-0001 is exploited' });

    // Assess
    expect(change.urgent).toBe(true);
    expect(change.reschedulesRemaining).toBe(0);
  });

  it('refuses with 422 NO_ELIGIBLE_WINDOW a certificate renewal too close to the expiry, writing nothing', async () => {
    // Prepare: expiry Thu 3 Dec 15:00Z needs a window by Mon 30 Nov 15:00Z, but the 10 business days
    // of notice reach Tue 8 Dec.
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', {
      body: plannedBody({ type: 'certificate-renewal', certificateExpiresAt: '2026-12-03T15:00:00Z' }),
    });

    // Assess
    expectRefusal(response, 422, 'NO_ELIGIBLE_WINDOW');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('refuses with 422 NO_ELIGIBLE_WINDOW a certificate that has already expired', async () => {
    // Act
    const response = await api.call('POST', '/changes', {
      body: plannedBody({
        type: 'certificate-renewal',
        disruptsCalling: false,
        certificateExpiresAt: '2026-11-20T00:00:00Z',
      }),
    });

    // Assess
    expectRefusal(response, 422, 'NO_ELIGIBLE_WINDOW');
  });

  it('refuses with 422 NO_ELIGIBLE_WINDOW an earliestStart beyond the planning horizon', async () => {
    // Act
    const response = await api.call('POST', '/changes', {
      body: plannedBody({ earliestStart: '2029-01-01T00:00:00Z' }),
    });

    // Assess
    expectRefusal(response, 422, 'NO_ELIGIBLE_WINDOW');
  });

  it.each([
    { what: 'an unknown partner', customerId: 'globex', partnerId: 'no-such-partner' },
    { what: 'an unknown customer', customerId: 'no-such-customer', partnerId: 'acme-voice' },
    { what: 'a customer of another partner', customerId: 'umbrella-jp', partnerId: 'acme-voice' },
  ])('answers 404 NOT_FOUND for $what and writes nothing', async ({ customerId, partnerId }) => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', { body: plannedBody({ customerId, partnerId }) });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('skips a full window (25 changes) and plans into the next one', async () => {
    // Prepare: 25 changes with earliestStart Mon 11 Jan 2027 land in that evening's window.
    const earliestStart = '2027-01-11T12:00:00Z';
    const filled: ChangeView[] = [];
    for (let i = 0; i < 25; i++) {
      filled.push(await createPlanned(api, { disruptsCalling: false, earliestStart, title: `Batch ${i}` }));
    }

    // Act
    const overflow = await createPlanned(api, {
      disruptsCalling: false,
      earliestStart,
      title: 'One too many',
    });

    // Assess
    expect(new Set(filled.map((change) => change.window.start))).toEqual(new Set(['2027-01-12T02:00:00Z']));
    expect(await windowUsage(api, 'AMER#2027-01-11')).toBe(25);
    expect(overflow.window.start).toBe('2027-01-13T02:00:00Z');
  });
});

describe('POST /changes/emergency', () => {
  it('starts an emergency with when=now at once: 201, IN_PROGRESS, never reschedulable', async () => {
    // Act: Monday 10:00 New York is outside any window, so it runs 4 hours from now.
    const response = await api.call<ChangeView>('POST', '/changes/emergency', { body: emergencyBody() });

    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      changeId: expect.stringMatching(/^chg_/),
      partnerId: 'acme-voice',
      customerId: 'globex',
      region: 'AMER',
      type: 'configuration',
      title: 'Restore the SIP trunk',
      reason: 'restore-service',
      customerImpact: 'Calls to the PSTN fail at the head office',
      emergency: true,
      status: 'IN_PROGRESS',
      reschedulesRemaining: 0,
      window: {
        start: '2026-11-23T15:00:00Z',
        end: '2026-11-23T19:00:00Z',
        timezone: 'America/New_York',
        localStart: '2026-11-23T10:00:00-05:00',
        localEnd: '2026-11-23T14:00:00-05:00',
      },
      version: 1,
    });
    expect(response.body.noticeSentAt).toBeUndefined();
    expect(response.body.replyBy).toBeUndefined();
  });

  it('runs an emergency started inside an open window until that window ends, and counts it there', async () => {
    // Prepare: Mon 23 Nov 22:30 New York, inside the window Mon 21:00 - Tue 06:00.
    api.clock.set('2026-11-24T03:30:00Z');

    // Act
    const change = await createEmergency(api, { reason: 'reduce-outage-impact' });

    // Assess
    expect(change.window).toMatchObject({ start: '2026-11-24T03:30:00Z', end: '2026-11-24T11:00:00Z' });
    expect(change.status).toBe('IN_PROGRESS');
    expect(await windowUsage(api, 'AMER#2026-11-23')).toBe(1);
  });

  it('places an emergency with when=next-window in the next window, weekends included, CONFIRMED', async () => {
    // Prepare: Saturday 28 Nov, 10:00 New York.
    api.clock.set('2026-11-28T15:00:00Z');

    // Act
    const change = await createEmergency(api, {
      when: 'next-window',
      type: 'patch',
      reason: 'prevent-outage',
    });

    // Assess: the Saturday window, 21:00 - 06:00 New York.
    expect(change).toMatchObject({
      type: 'patch',
      emergency: true,
      status: 'CONFIRMED',
      reschedulesRemaining: 0,
      window: {
        start: '2026-11-29T02:00:00Z',
        end: '2026-11-29T11:00:00Z',
        localStart: '2026-11-28T21:00:00-05:00',
        localEnd: '2026-11-29T06:00:00-05:00',
      },
    });
  });

  it('takes the window after the open one when next-window is asked during a window', async () => {
    // Prepare: inside Monday's window.
    api.clock.set('2026-11-24T03:30:00Z');

    // Act
    const change = await createEmergency(api, { when: 'next-window' });

    // Assess: Tuesday 24 Nov 21:00 New York.
    expect(change.window.start).toBe('2026-11-25T02:00:00Z');
  });

  it('places an emergency in a full window (never refused for capacity) and counts it', async () => {
    // Prepare: fill Monday 11 Jan 2027's window (the earlier test may have filled it already).
    api.clock.set('2027-01-11T15:00:00Z');
    while ((await windowUsage(api, 'AMER#2027-01-11')) < 25) {
      await createPlanned(api, { disruptsCalling: false, earliestStart: '2027-01-11T12:00:00Z' });
    }

    // Act
    const change = await createEmergency(api, { when: 'next-window', reason: 'security-vulnerability' });

    // Assess
    expect(change.window.start).toBe('2027-01-12T02:00:00Z');
    expect(await windowUsage(api, 'AMER#2027-01-11')).toBe(26);
  });

  it.each([
    { what: 'an unknown partner', customerId: 'globex', partnerId: 'no-such-partner' },
    { what: 'an unknown customer', customerId: 'no-such-customer', partnerId: 'acme-voice' },
    { what: 'a customer of another partner', customerId: 'wayne-au', partnerId: 'acme-voice' },
  ])('answers 404 NOT_FOUND for $what and writes nothing', async ({ customerId, partnerId }) => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes/emergency', {
      body: emergencyBody({ customerId, partnerId }),
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('GET /changes/{changeId}', () => {
  it('answers 200 with the change and its history', async () => {
    // Prepare
    const created = await createPlanned(api);

    // Act
    const change = await readChange(api, created.changeId);

    // Assess
    expect(change).toMatchObject({ ...created, history: expect.any(Array) });
    expect(change.history?.[0]).toMatchObject({ event: 'SCHEDULED', actor: 'ops', at: MONDAY });
  });

  it('shows an emergency now as scheduled and started in its history', async () => {
    // Prepare
    const created = await createEmergency(api);

    // Act
    const change = await readChange(api, created.changeId);

    // Assess
    expect(change.history?.map((entry) => entry.event)).toEqual(['SCHEDULED', 'STARTED']);
  });

  it('answers 404 NOT_FOUND for a change that does not exist', async () => {
    // Act
    const response = await api.call('GET', '/changes/chg_doesnotexist');

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});
