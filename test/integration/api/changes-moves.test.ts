/**
 * The moves of a change's lifecycle through the API: the partner acknowledges (SCHEDULED ->
 * CONFIRMED), ops completes a change in progress (-> COMPLETED | FAILED | ROLLED_BACK) and ops cancels
 * a change that has not started (-> CANCELLED). A planned change only becomes IN_PROGRESS through the
 * lifecycle workflow, so changes in progress here are emergencies with when=now.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  createEmergency,
  createPlanned,
  expectRefusal,
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

const ONE_HOUR_LATER = '2026-11-23T16:00:00Z';

describe('POST /changes/{changeId}/acknowledge', () => {
  it('confirms a scheduled change for the owning partner and records who acknowledged it', async () => {
    // Prepare
    const created = await createPlanned(api);
    api.clock.set(ONE_HOUR_LATER);

    // Act
    const response = await api.call<ChangeView>('POST', `/changes/${created.changeId}/acknowledge`, {
      key: api.keys.acme,
      body: { comment: 'Fine with the customer' },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      changeId: created.changeId,
      status: 'CONFIRMED',
      window: created.window,
      version: 2,
      updatedAt: ONE_HOUR_LATER,
    });
    const events = response.body.history?.slice(1);
    expect(events).toEqual([
      {
        at: ONE_HOUR_LATER,
        event: 'ACKNOWLEDGED',
        actor: 'partner:acme-voice',
        detail: { comment: 'Fine with the customer' },
        version: 2,
      },
      expect.objectContaining({ at: ONE_HOUR_LATER, event: 'CONFIRMED', actor: 'partner:acme-voice' }),
    ]);
  });

  it('accepts an acknowledgement without a body', async () => {
    // Prepare
    const created = await createPlanned(api);

    // Act
    const response = await api.call<ChangeView>('POST', `/changes/${created.changeId}/acknowledge`, {
      key: api.keys.acme,
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('CONFIRMED');
  });

  it('refuses a second acknowledgement with 409 INVALID_STATE and changes nothing', async () => {
    // Prepare
    const created = await createPlanned(api);
    const path = `/changes/${created.changeId}/acknowledge`;
    expect((await api.call('POST', path, { key: api.keys.acme, body: {} })).status).toBe(200);
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', path, { key: api.keys.acme, body: {} });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('refuses to acknowledge a cancelled change with 409 INVALID_STATE', async () => {
    // Prepare
    const created = await createPlanned(api);
    await api.call('POST', `/changes/${created.changeId}/cancel`, { body: { reason: 'Customer left' } });

    // Act
    const response = await api.call('POST', `/changes/${created.changeId}/acknowledge`, {
      key: api.keys.acme,
      body: {},
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
  });

  it('refuses to acknowledge an emergency already confirmed with 409 INVALID_STATE', async () => {
    // Prepare
    const emergency = await createEmergency(api, { when: 'next-window' });

    // Act
    const response = await api.call('POST', `/changes/${emergency.changeId}/acknowledge`, {
      key: api.keys.acme,
      body: {},
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
  });

  it('answers 404 NOT_FOUND for a change that does not exist', async () => {
    // Act
    const response = await api.call('POST', '/changes/chg_missing/acknowledge', {
      key: api.keys.acme,
      body: {},
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

describe('POST /changes/{changeId}/complete', () => {
  it.each([
    { outcome: 'succeeded', status: 'COMPLETED', event: 'COMPLETED' },
    { outcome: 'failed', status: 'FAILED', event: 'FAILED' },
    { outcome: 'rolled-back', status: 'ROLLED_BACK', event: 'ROLLED_BACK' },
  ])('records outcome $outcome of a change in progress as $status', async ({ outcome, status, event }) => {
    // Prepare
    const emergency = await createEmergency(api);
    api.clock.set(ONE_HOUR_LATER);

    // Act
    const response = await api.call<ChangeView>('POST', `/changes/${emergency.changeId}/complete`, {
      body: { outcome, notes: 'Trunk re-registered' },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ changeId: emergency.changeId, status, outcome, version: 2 });
    expect(response.body.history?.at(-1)).toEqual({
      at: ONE_HOUR_LATER,
      event,
      actor: 'ops',
      detail: { outcome, notes: 'Trunk re-registered' },
      version: 2,
    });
  });

  it('refuses to complete a change twice with 409 INVALID_STATE and changes nothing', async () => {
    // Prepare
    const emergency = await createEmergency(api);
    const path = `/changes/${emergency.changeId}/complete`;
    expect((await api.call('POST', path, { body: { outcome: 'succeeded' } })).status).toBe(200);
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', path, { body: { outcome: 'failed' } });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
    expect(await tableSnapshot(api)).toEqual(before);
    expect((await readChange(api, emergency.changeId)).status).toBe('COMPLETED');
  });

  it('refuses to complete a change that is not in progress (scheduled) with 409 INVALID_STATE', async () => {
    // Prepare
    const planned = await createPlanned(api);
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', `/changes/${planned.changeId}/complete`, {
      body: { outcome: 'succeeded' },
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('refuses to complete a confirmed emergency whose window has not started with 409 INVALID_STATE', async () => {
    // Prepare
    const emergency = await createEmergency(api, { when: 'next-window' });

    // Act
    const response = await api.call('POST', `/changes/${emergency.changeId}/complete`, {
      body: { outcome: 'succeeded' },
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
  });

  it('answers 404 NOT_FOUND for a change that does not exist', async () => {
    // Act
    const response = await api.call('POST', '/changes/chg_missing/complete', {
      body: { outcome: 'succeeded' },
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

describe('POST /changes/{changeId}/cancel', () => {
  it('cancels a scheduled change and records the reason', async () => {
    // Prepare
    const planned = await createPlanned(api);
    api.clock.set(ONE_HOUR_LATER);

    // Act
    const response = await api.call<ChangeView>('POST', `/changes/${planned.changeId}/cancel`, {
      body: { reason: 'The customer postponed the project' },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ changeId: planned.changeId, status: 'CANCELLED', version: 2 });
    expect(response.body.history?.at(-1)).toEqual({
      at: ONE_HOUR_LATER,
      event: 'CANCELLED',
      actor: 'ops',
      detail: { reason: 'The customer postponed the project' },
      version: 2,
    });
  });

  it('cancels a confirmed change', async () => {
    // Prepare
    const planned = await createPlanned(api);
    await api.call('POST', `/changes/${planned.changeId}/acknowledge`, { key: api.keys.acme, body: {} });

    // Act
    const response = await api.call<ChangeView>('POST', `/changes/${planned.changeId}/cancel`, {
      body: { reason: 'No longer needed' },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('CANCELLED');
  });

  it('refuses a second cancellation with 409 INVALID_STATE and changes nothing', async () => {
    // Prepare
    const planned = await createPlanned(api);
    const path = `/changes/${planned.changeId}/cancel`;
    expect((await api.call('POST', path, { body: { reason: 'First' } })).status).toBe(200);
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', path, { body: { reason: 'Second' } });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('refuses to cancel a change in progress with 409 INVALID_STATE', async () => {
    // Prepare
    const emergency = await createEmergency(api);
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', `/changes/${emergency.changeId}/cancel`, {
      body: { reason: 'Too late' },
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
    expect(await tableSnapshot(api)).toEqual(before);
    expect((await readChange(api, emergency.changeId)).status).toBe('IN_PROGRESS');
  });

  it('refuses to cancel a completed change with 409 INVALID_STATE', async () => {
    // Prepare
    const emergency = await createEmergency(api);
    await api.call('POST', `/changes/${emergency.changeId}/complete`, { body: { outcome: 'succeeded' } });

    // Act
    const response = await api.call('POST', `/changes/${emergency.changeId}/cancel`, {
      body: { reason: 'x' },
    });

    // Assess
    expectRefusal(response, 409, 'INVALID_STATE');
  });

  it('gives the window place back: after a cancellation a full window takes a change again', async () => {
    // Prepare: fill the window of Mon 11 Jan 2027 (21:00 New York) with 25 changes.
    const earliestStart = '2027-01-11T12:00:00Z';
    const filled: ChangeView[] = [];
    for (let i = 0; i < 25; i++)
      filled.push(await createPlanned(api, { disruptsCalling: false, earliestStart }));
    expect((await createPlanned(api, { disruptsCalling: false, earliestStart })).window.start).toBe(
      '2027-01-13T02:00:00Z',
    );

    // Act
    const cancelled = await api.call('POST', `/changes/${filled[0]?.changeId}/cancel`, {
      body: { reason: 'Freed' },
    });
    const next = await createPlanned(api, { disruptsCalling: false, earliestStart });

    // Assess
    expect(cancelled.status).toBe(200);
    expect(next.window.start).toBe('2027-01-12T02:00:00Z');
    expect(await windowUsage(api, 'AMER#2027-01-11')).toBe(25);
  });

  it('answers 404 NOT_FOUND for a change that does not exist', async () => {
    // Act
    const response = await api.call('POST', '/changes/chg_missing/cancel', { body: { reason: 'x' } });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});
