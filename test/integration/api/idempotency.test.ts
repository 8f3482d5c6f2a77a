/**
 * Idempotency-Key on POST routes (api.md, "Idempotency"): a retry with the same key and body within
 * 24 hours returns the first response and has no second effect; the same key with another body is
 * 409 IDEMPOTENCY_KEY_REUSED.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import {
  type ChangeView,
  countItems,
  createPlanned,
  emergencyBody,
  expectRefusal,
  expectValidationFailed,
  MONDAY,
  plannedBody,
  readChange,
  tableSnapshot,
} from './fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
});
afterAll(async () => api?.close());
beforeEach(() => {
  api.clock.set(MONDAY);
});

const withKey = (key: string) => ({ 'Idempotency-Key': key });

describe('POST /changes with an Idempotency-Key', () => {
  it('answers a retry with the first response and creates the change once', async () => {
    // Prepare
    const changesBefore = await countItems(api, 'change');
    const request = { body: plannedBody({ title: 'Retried once' }), headers: withKey('create-1') };

    // Act
    const first = await api.call<ChangeView>('POST', '/changes', request);
    const retry = await api.call<ChangeView>('POST', '/changes', request);

    // Assess
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replay')).toBe('true');
    expect(await countItems(api, 'change')).toBe(changesBefore + 1);
  });

  it('still replays the first response 23 hours later', async () => {
    // Prepare
    const request = { body: plannedBody({ title: 'Retried next day' }), headers: withKey('create-2') };
    const first = await api.call<ChangeView>('POST', '/changes', request);
    const changesBefore = await countItems(api, 'change');
    api.clock.set('2026-11-24T14:00:00Z');

    // Act
    const retry = await api.call<ChangeView>('POST', '/changes', request);

    // Assess
    expect(retry.status).toBe(201);
    expect(retry.body.changeId).toBe(first.body.changeId);
    expect(await countItems(api, 'change')).toBe(changesBefore);
  });

  it('refuses the same key with another body with 409 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    // Prepare
    await api.call('POST', '/changes', {
      body: plannedBody({ title: 'First body' }),
      headers: withKey('create-3'),
    });
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', {
      body: plannedBody({ title: 'Another body' }),
      headers: withKey('create-3'),
    });

    // Assess
    expectRefusal(response, 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('replays the first response for the same body with its keys in another order (was a 409)', async () => {
    // Prepare: the same fields, nested ones too, written in reverse key order.
    const body = plannedBody({
      type: 'certificate-renewal',
      title: 'Renew the trunk certificate',
      certificateExpiresAt: '2026-12-24T12:00:00Z',
      description: 'Same body, other key order',
    });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(body));
    const first = await api.call<ChangeView>('POST', '/changes', { body, headers: withKey('create-order') });
    const changesBefore = await countItems(api, 'change');

    // Act
    const retry = await api.call<ChangeView>('POST', '/changes', {
      body: reordered,
      headers: withKey('create-order'),
    });

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replay')).toBe('true');
    expect(await countItems(api, 'change')).toBe(changesBefore);
  });

  it('still refuses a reordered body whose values differ, with 409 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const body = plannedBody({ title: 'Values matter', description: 'one' });
    await api.call('POST', '/changes', { body, headers: withKey('create-order-2') });
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', {
      body: Object.fromEntries(Object.entries({ ...body, description: 'two' }).reverse()),
      headers: withKey('create-order-2'),
    });

    // Assess
    expectRefusal(response, 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('creates one change for concurrent requests with the same key', async () => {
    // Prepare
    const changesBefore = await countItems(api, 'change');
    const request = { body: plannedBody({ title: 'Sent five times at once' }), headers: withKey('create-4') };

    // Act
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api.call<ChangeView>('POST', '/changes', request)),
    );

    // Assess
    expect(await countItems(api, 'change')).toBe(changesBefore + 1);
    const created = responses.filter((response) => response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.body.changeId)).size).toBe(1);
    for (const response of responses) expect(response.status).toBeLessThan(500);
  });

  it('replays a refusal too: the retry of a request for an unknown customer gets the same 404', async () => {
    // Prepare
    const request = { body: plannedBody({ customerId: 'no-such-customer' }), headers: withKey('create-5') };
    const first = await api.call('POST', '/changes', request);

    // Act
    const retry = await api.call('POST', '/changes', request);

    // Assess
    expectRefusal(first, 404, 'NOT_FOUND');
    expect(retry.status).toBe(404);
    expect(retry.body).toEqual(first.body);
  });

  it('refuses an Idempotency-Key over 255 characters with 400 and writes nothing', async () => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/changes', {
      body: plannedBody(),
      headers: withKey('k'.repeat(256)),
    });

    // Assess
    expectValidationFailed(response, ['Idempotency-Key']);
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('other POST routes with an Idempotency-Key', () => {
  it('creates an emergency change once', async () => {
    // Prepare
    const changesBefore = await countItems(api, 'change');
    const request = { body: emergencyBody(), headers: withKey('emergency-1') };

    // Act
    const first = await api.call<ChangeView>('POST', '/changes/emergency', request);
    const retry = await api.call<ChangeView>('POST', '/changes/emergency', request);

    // Assess
    expect(first.status).toBe(201);
    expect(retry.body.changeId).toBe(first.body.changeId);
    expect(await countItems(api, 'change')).toBe(changesBefore + 1);
  });

  it('answers a retried reschedule with its first 200, not RESCHEDULE_LIMIT_REACHED', async () => {
    // Prepare
    const change = await createPlanned(api);
    const request = {
      key: api.keys.acme,
      body: { requestedStart: '2026-12-15T02:00:00Z', reason: 'Customer event' },
      headers: withKey('reschedule-1'),
    };

    // Act
    const first = await api.call<ChangeView>('POST', `/changes/${change.changeId}/reschedule`, request);
    const retry = await api.call<ChangeView>('POST', `/changes/${change.changeId}/reschedule`, request);

    // Assess
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const stored = await readChange(api, change.changeId);
    expect(stored.history?.filter((entry) => entry.event === 'RESCHEDULED')).toHaveLength(1);
    expect(stored.version).toBe(2);
  });

  it('refuses the same key for the reschedule of another change with 409 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const one = await createPlanned(api);
    const other = await createPlanned(api);
    const body = { requestedStart: '2026-12-16T02:00:00Z', reason: 'Customer event' };
    await api.call('POST', `/changes/${one.changeId}/reschedule`, {
      key: api.keys.acme,
      body,
      headers: withKey('reschedule-2'),
    });

    // Act
    const response = await api.call('POST', `/changes/${other.changeId}/reschedule`, {
      key: api.keys.acme,
      body,
      headers: withKey('reschedule-2'),
    });

    // Assess
    expectRefusal(response, 409, 'IDEMPOTENCY_KEY_REUSED');
    expect((await readChange(api, other.changeId)).reschedulesRemaining).toBe(1);
  });

  it('answers a retried acknowledgement with its first 200, not INVALID_STATE', async () => {
    // Prepare
    const change = await createPlanned(api);
    const request = { key: api.keys.acme, body: {}, headers: withKey('ack-1') };

    // Act
    const first = await api.call<ChangeView>('POST', `/changes/${change.changeId}/acknowledge`, request);
    const retry = await api.call<ChangeView>('POST', `/changes/${change.changeId}/acknowledge`, request);

    // Assess
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
  });

  it('records a backup once', async () => {
    // Prepare
    const before = await countItems(api, 'backup');
    const request = {
      body: {
        customerId: 'globex',
        application: 'CUCM',
        takenAt: '2026-11-23T07:00:00Z',
        status: 'succeeded',
      },
      headers: withKey('backup-1'),
    };

    // Act
    const first = await api.call<{ backupId: string }>('POST', '/backups', request);
    const retry = await api.call<{ backupId: string }>('POST', '/backups', request);

    // Assess
    expect(first.status).toBe(201);
    expect(retry.body.backupId).toBe(first.body.backupId);
    expect(await countItems(api, 'backup')).toBe(before + 1);
  });

  it('keeps the keys of different callers apart', async () => {
    // Act: both partners happen to use the same key for their own requests.
    const acme = await api.call<{ requestId: string }>('POST', '/cop-requests', {
      key: api.keys.acme,
      body: { customerId: 'globex', copFile: 'cmterm-devicepack15.0.1.cop.sgn' },
      headers: withKey('shared-key'),
    });
    const pacific = await api.call<{ requestId: string }>('POST', '/cop-requests', {
      key: api.keys.pacific,
      body: { customerId: 'wayne-au', copFile: 'cmterm-devicepack15.0.1.cop.sgn' },
      headers: withKey('shared-key'),
    });

    // Assess
    expect(acme.status).toBe(202);
    expect(pacific.status).toBe(202);
    expect(pacific.body.requestId).not.toBe(acme.body.requestId);
  });
});
