/**
 * POST /v1/changes/{changeId}/reschedule (rules section 4): once, at least 7 days (168 h) before the
 * window, into a window of the region (weekday or weekend) with capacity, 7 days to 60 days out.
 * The clock starts on Monday 2026-11-23 15:00Z; a disruptive globex change created then sits in the
 * window of Tue 8 Dec 21:00 New York (2026-12-09T02:00Z), so its cutoff is 2026-12-02T02:00Z.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../support/api.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  expectRefusal,
  expectValidationFailed,
  MONDAY,
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

const SCHEDULED_START = '2026-12-09T02:00:00Z';
const SCHEDULED_WINDOW = 'AMER#2026-12-08';

/** A disruptive globex change in the window of Tue 8 Dec (created at the clock's now). */
async function scheduledChange(overrides: Record<string, unknown> = {}): Promise<ChangeView> {
  const change = await createPlanned(api, overrides);
  return change;
}

function reschedule(
  changeId: string,
  requestedStart: string,
  key = api.keys.acme,
): Promise<ApiResponse<ChangeView>> {
  return api.call<ChangeView>('POST', `/changes/${changeId}/reschedule`, {
    key,
    body: { requestedStart, reason: 'The customer has a product launch that night' },
  });
}

describe('POST /changes/{changeId}/reschedule', () => {
  describe('moves the change', () => {
    it('moves a scheduled change to a weekend window, confirms it and uses up its reschedule', async () => {
      // Prepare
      const change = await scheduledChange();
      expect(change.window.start).toBe(SCHEDULED_START);
      const usedBefore = await windowUsage(api, SCHEDULED_WINDOW);
      api.clock.set('2026-11-24T15:00:00Z');

      // Act: Saturday 12 Dec 21:00 New York.
      const response = await reschedule(change.changeId, '2026-12-13T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        changeId: change.changeId,
        status: 'CONFIRMED',
        reschedulesRemaining: 0,
        window: {
          start: '2026-12-13T02:00:00Z',
          end: '2026-12-13T11:00:00Z',
          timezone: 'America/New_York',
          localStart: '2026-12-12T21:00:00-05:00',
          localEnd: '2026-12-13T06:00:00-05:00',
        },
        rescheduleCutoff: '2026-12-06T02:00:00Z',
        version: 2,
        updatedAt: '2026-11-24T15:00:00Z',
      });
      const rescheduled = response.body.history?.find((entry) => entry.event === 'RESCHEDULED');
      expect(rescheduled).toMatchObject({
        at: '2026-11-24T15:00:00Z',
        actor: 'partner:acme-voice',
        detail: {
          reason: 'The customer has a product launch that night',
          from: { start: SCHEDULED_START },
          to: { start: '2026-12-13T02:00:00Z' },
        },
      });
      expect(await windowUsage(api, SCHEDULED_WINDOW)).toBe(usedBefore - 1);
      expect(await windowUsage(api, 'AMER#2026-12-12')).toBe(1);
      expect((await readChange(api, change.changeId)).window.start).toBe('2026-12-13T02:00:00Z');
    });

    it('accepts a requestedStart given in local time with its offset', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act: Monday 14 Dec 21:00 New York, written with its -05:00 offset.
      const response = await reschedule(change.changeId, '2026-12-14T21:00:00-05:00');

      // Assess
      expect(response.status).toBe(200);
      expect(response.body.window.start).toBe('2026-12-15T02:00:00Z');
    });

    it('reschedules a change the partner already confirmed', async () => {
      // Prepare
      const change = await scheduledChange();
      await api.call('POST', `/changes/${change.changeId}/acknowledge`, { key: api.keys.acme, body: {} });

      // Act
      const response = await reschedule(change.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'CONFIRMED', reschedulesRemaining: 0 });
    });

    it('accepts a request exactly 168 hours before the window (the cutoff itself)', async () => {
      // Prepare
      const change = await scheduledChange();
      api.clock.set('2026-12-02T02:00:00Z');

      // Act: Wed 9 Dec 21:00 New York, 7 days and 24 hours after the request.
      const response = await reschedule(change.changeId, '2026-12-10T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
    });

    it('accepts a window exactly 7 days after the request', async () => {
      // Prepare: Mon 23 Nov 21:00 New York.
      api.clock.set('2026-11-24T02:00:00Z');
      const change = await scheduledChange();
      expect(change.window.start).toBe(SCHEDULED_START);

      // Act: Mon 30 Nov 21:00 New York.
      const response = await reschedule(change.changeId, '2026-12-01T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
    });

    it('accepts a window exactly 60 days after the original window', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act: Sat 6 Feb 2027 21:00 New York = 2026-12-09T02:00Z + 60 days.
      const response = await reschedule(change.changeId, '2027-02-07T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
    });

    it('moves a certificate renewal to a weekend window inside its 7-to-3-days range', async () => {
      // Prepare: expiry Sat 2 Jan 2027 15:00Z; the renewal must start within [26 Dec 15:00Z, 30 Dec 15:00Z].
      const change = await scheduledChange({
        type: 'certificate-renewal',
        certificateExpiresAt: '2027-01-02T15:00:00Z',
      });
      expect(change.window.start).toBe('2026-12-29T02:00:00Z');

      // Act: Sat 26 Dec 21:00 New York.
      const response = await reschedule(change.changeId, '2026-12-27T02:00:00Z');

      // Assess
      expect(response.status).toBe(200);
      expect(response.body.window.start).toBe('2026-12-27T02:00:00Z');
    });

    it('lets exactly one of several concurrent requests win; the others get 409 RESCHEDULE_LIMIT_REACHED', async () => {
      // Prepare
      const change = await scheduledChange();
      const targets = ['2026-12-16T02:00:00Z', '2026-12-17T02:00:00Z', '2026-12-18T02:00:00Z'];
      const windows = ['AMER#2026-12-15', 'AMER#2026-12-16', 'AMER#2026-12-17'];
      const usedBefore = await windowUsage(api, SCHEDULED_WINDOW);
      const targetsBefore = await Promise.all(windows.map((id) => windowUsage(api, id)));

      // Act
      const responses = await Promise.all(targets.map((start) => reschedule(change.changeId, start)));

      // Assess
      const winners = responses.filter((response) => response.status === 200);
      const losers = responses.filter((response) => response.status !== 200);
      expect(winners).toHaveLength(1);
      for (const loser of losers) expectRefusal(loser, 409, 'RESCHEDULE_LIMIT_REACHED');
      const stored = await readChange(api, change.changeId);
      expect(stored.window.start).toBe(winners[0]?.body.window.start);
      expect(stored.history?.filter((entry) => entry.event === 'RESCHEDULED')).toHaveLength(1);
      expect(await windowUsage(api, SCHEDULED_WINDOW)).toBe(usedBefore - 1);
      const targetsAfter = await Promise.all(windows.map((id) => windowUsage(api, id)));
      const added = targetsAfter.reduce((sum, used, i) => sum + used - (targetsBefore[i] ?? 0), 0);
      expect(added).toBe(1);
    });
  });

  describe('refuses', () => {
    /** Runs a refused reschedule and checks that the table is exactly as before. */
    async function refusedWithoutWrite(
      changeId: string,
      requestedStart: string,
    ): Promise<ApiResponse<ChangeView>> {
      const before = await tableSnapshot(api);
      const response = await reschedule(changeId, requestedStart);
      expect(await tableSnapshot(api)).toEqual(before);
      return response;
    }

    it('refuses a second reschedule with 409 RESCHEDULE_LIMIT_REACHED', async () => {
      // Prepare
      const change = await scheduledChange();
      expect((await reschedule(change.changeId, '2026-12-15T02:00:00Z')).status).toBe(200);

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-16T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'RESCHEDULE_LIMIT_REACHED');
    });

    it('refuses with 409 RESCHEDULE_CUTOFF_PASSED a change whose window starts within 7 days', async () => {
      // Prepare: a non-disruptive change sits in Tue 24 Nov's window, well inside the 168 hours.
      const change = await scheduledChange({ disruptsCalling: false });
      expect(change.window.start).toBe('2026-11-25T02:00:00Z');

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'RESCHEDULE_CUTOFF_PASSED');
    });

    it('refuses with 409 RESCHEDULE_CUTOFF_PASSED a request one second after the cutoff', async () => {
      // Prepare
      const change = await scheduledChange();
      api.clock.set('2026-12-02T02:00:01Z');

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-10T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'RESCHEDULE_CUTOFF_PASSED');
    });

    it('refuses an emergency change with 409 NOT_RESCHEDULABLE', async () => {
      // Prepare
      const emergency = await createEmergency(api, { when: 'next-window' });

      // Act
      const response = await refusedWithoutWrite(emergency.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'NOT_RESCHEDULABLE');
    });

    it('refuses an emergency change in progress with 409 NOT_RESCHEDULABLE', async () => {
      // Prepare
      const emergency = await createEmergency(api, { when: 'now' });

      // Act
      const response = await refusedWithoutWrite(emergency.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'NOT_RESCHEDULABLE');
    });

    it('refuses an urgent planned change with 409 NOT_RESCHEDULABLE', async () => {
      // Prepare
      const change = await scheduledChange({
        urgent: true,
        urgentReason: 'Severe vulnerability CVE-2026-0002',
      });

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'NOT_RESCHEDULABLE');
    });

    it('refuses a cancelled change with 409 INVALID_STATE', async () => {
      // Prepare
      const change = await scheduledChange();
      await api.call('POST', `/changes/${change.changeId}/cancel`, { body: { reason: 'Dropped' } });

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'INVALID_STATE');
    });

    it.each([
      { what: 'an hour into a window', requestedStart: '2026-12-15T03:00:00Z' },
      { what: 'the afternoon before a window', requestedStart: '2026-12-14T21:00:00Z' },
      { what: 'thirty seconds after a window start', requestedStart: '2026-12-15T02:00:30Z' },
      { what: "the start of another region's window (Berlin 21:00)", requestedStart: '2026-12-14T20:00:00Z' },
    ])('refuses $what with 422 OUTSIDE_MAINTENANCE_WINDOW', async ({ requestedStart }) => {
      // Prepare
      const change = await scheduledChange();

      // Act
      const response = await refusedWithoutWrite(change.changeId, requestedStart);

      // Assess
      expectRefusal(response, 422, 'OUTSIDE_MAINTENANCE_WINDOW');
    });

    it('refuses the window the change is already in with 422 SAME_WINDOW', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act
      const response = await refusedWithoutWrite(change.changeId, change.window.start);

      // Assess
      expectRefusal(response, 422, 'SAME_WINDOW');
    });

    it('refuses a window less than 7 days after the request with 422 RESCHEDULE_TOO_SOON', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act: Thu 26 Nov 21:00 New York is 3 days after the request.
      const response = await refusedWithoutWrite(change.changeId, '2026-11-27T02:00:00Z');

      // Assess
      expectRefusal(response, 422, 'RESCHEDULE_TOO_SOON');
    });

    it('refuses a window one day short of 7 days after the request with 422 RESCHEDULE_TOO_SOON', async () => {
      // Prepare: Mon 23 Nov 21:00 New York.
      api.clock.set('2026-11-24T02:00:00Z');
      const change = await scheduledChange();

      // Act: Sun 29 Nov 21:00 New York, 6 days after the request.
      const response = await refusedWithoutWrite(change.changeId, '2026-11-30T02:00:00Z');

      // Assess
      expectRefusal(response, 422, 'RESCHEDULE_TOO_SOON');
    });

    it('refuses a window more than 60 days after the original window with 422 RESCHEDULE_TOO_LATE', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act: Sun 7 Feb 2027 21:00 New York, 60 days and 24 hours after the original window.
      const response = await refusedWithoutWrite(change.changeId, '2027-02-08T02:00:00Z');

      // Assess
      expectRefusal(response, 422, 'RESCHEDULE_TOO_LATE');
    });

    it.each([
      {
        code: 'RESCHEDULE_TOO_LATE',
        requestedStart: '2026-12-31T02:00:00Z',
        when: 'less than 3 days before',
      },
      {
        code: 'RESCHEDULE_TOO_SOON',
        requestedStart: '2026-12-26T02:00:00Z',
        when: 'more than 7 days before',
      },
    ])(
      'refuses a certificate renewal window $when the expiry with 422 $code',
      async ({ code, requestedStart }) => {
        // Prepare
        const change = await scheduledChange({
          type: 'certificate-renewal',
          certificateExpiresAt: '2027-01-02T15:00:00Z',
        });

        // Act
        const response = await refusedWithoutWrite(change.changeId, requestedStart);

        // Assess
        expectRefusal(response, 422, code);
      },
    );

    it('refuses a full window with 409 WINDOW_FULL', async () => {
      // Prepare: 25 changes fill the window of Mon 11 Jan 2027 (21:00 New York).
      for (let i = 0; i < 25; i++) {
        await createPlanned(api, { disruptsCalling: false, earliestStart: '2027-01-11T12:00:00Z' });
      }
      expect(await windowUsage(api, 'AMER#2027-01-11')).toBe(25);
      const change = await scheduledChange();

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2027-01-12T02:00:00Z');

      // Assess
      expectRefusal(response, 409, 'WINDOW_FULL');
      expect((await readChange(api, change.changeId)).reschedulesRemaining).toBe(1);
    });

    it('answers 404 NOT_FOUND for a change that does not exist', async () => {
      // Act
      const response = await reschedule('chg_missing', '2026-12-15T02:00:00Z');

      // Assess
      expectRefusal(response, 404, 'NOT_FOUND');
    });

    it('answers 400 VALIDATION_FAILED naming requestedStart when it has no offset, and writes nothing', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act
      const response = await refusedWithoutWrite(change.changeId, '2026-12-14T21:00:00');

      // Assess
      expectValidationFailed(response, ['requestedStart']);
    });

    it('answers 400 VALIDATION_FAILED naming reason when it is missing', async () => {
      // Prepare
      const change = await scheduledChange();

      // Act
      const response = await api.call('POST', `/changes/${change.changeId}/reschedule`, {
        key: api.keys.acme,
        body: { requestedStart: '2026-12-15T02:00:00Z' },
      });

      // Assess
      expectValidationFailed(response, ['reason']);
    });
  });
});
