/**
 * The bookkeeping routes: backup results with their retention class (rules section 8), COP upload
 * requests (section 9) and the system's alerts (section 11). The clock is Monday 2026-11-23 15:00Z.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { expectRefusal, expectValidationFailed, MONDAY, tableSnapshot } from './fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(MONDAY);
});
afterAll(async () => api?.close());

interface BackupView {
  backupId: string;
  customerId: string;
  application: string;
  takenAt: string;
  status: string;
  sizeBytes?: number;
  retention: string;
  expiresAt?: string;
}

async function recordBackup(application: string, takenAt: string, status = 'succeeded'): Promise<BackupView> {
  const response = await api.call<BackupView>('POST', '/backups', {
    body: { customerId: 'globex', application, takenAt, status },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

async function listBackups(query: string): Promise<BackupView[]> {
  const response = await api.call<{ items: BackupView[] }>('GET', `/backups?${query}`);
  expect(response.status, response.text).toBe(200);
  return response.body.items;
}

/** takenAt -> [retention, expiresAt] of one application's backups. */
const retentionByTakenAt = (items: BackupView[]) =>
  Object.fromEntries(items.map((item) => [item.takenAt, [item.retention, item.expiresAt]]));

describe('POST /backups', () => {
  it('records a backup result and answers 201 with its retention class', async () => {
    // Act
    const response = await api.call<BackupView>('POST', '/backups', {
      body: {
        customerId: 'globex',
        application: 'EXPRESSWAY',
        takenAt: '2026-11-23T07:00:00Z',
        status: 'succeeded',
        sizeBytes: 123_456_789,
      },
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      backupId: expect.stringMatching(/^bkp_/),
      customerId: 'globex',
      application: 'EXPRESSWAY',
      takenAt: '2026-11-23T07:00:00Z',
      status: 'succeeded',
      sizeBytes: 123_456_789,
      retention: 'DATA_CENTRE',
    });
  });

  it('stores takenAt given with an offset as the same instant in UTC', async () => {
    // Act
    const backup = await recordBackup('CER', '2026-11-22T08:00:00+01:00');

    // Assess
    expect(backup.takenAt).toBe('2026-11-22T07:00:00Z');
  });

  it('answers 404 NOT_FOUND for an unknown customer and writes nothing', async () => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/backups', {
      body: {
        customerId: 'no-such-customer',
        application: 'CUCM',
        takenAt: '2026-11-23T07:00:00Z',
        status: 'succeeded',
      },
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('GET /backups', () => {
  it('keeps the 3 latest good backups in the data centre and the older ones 33 days from takenAt', async () => {
    // Prepare: five nightly good backups, 18 to 22 Nov at 07:00Z, and one from 1 Oct.
    for (const day of ['18', '19', '20', '21', '22']) await recordBackup('CUCM', `2026-11-${day}T07:00:00Z`);
    await recordBackup('CUCM', '2026-10-01T07:00:00Z');

    // Act
    const items = await listBackups('customerId=globex&application=CUCM');

    // Assess
    expect(items).toHaveLength(6);
    expect(retentionByTakenAt(items)).toEqual({
      '2026-11-22T07:00:00Z': ['DATA_CENTRE', undefined],
      '2026-11-21T07:00:00Z': ['DATA_CENTRE', undefined],
      '2026-11-20T07:00:00Z': ['DATA_CENTRE', undefined],
      // Older than 3 days: kept 30 more days, until takenAt + 33 days.
      '2026-11-19T07:00:00Z': ['EXTENDED', '2026-12-22T07:00:00Z'],
      '2026-11-18T07:00:00Z': ['EXTENDED', '2026-12-21T07:00:00Z'],
      // Past takenAt + 33 days.
      '2026-10-01T07:00:00Z': ['EXPIRED', '2026-11-03T07:00:00Z'],
    });
    for (const item of items)
      expect(item).toMatchObject({ customerId: 'globex', application: 'CUCM', status: 'succeeded' });
  });

  it('keeps a good backup younger than 3 days in the data centre even when it is not one of the latest 3', async () => {
    // Prepare: four good backups on 22 Nov.
    for (const hour of ['01', '07', '13', '19'])
      await recordBackup('IM_AND_PRESENCE', `2026-11-22T${hour}:00:00Z`);

    // Act
    const items = await listBackups('customerId=globex&application=IM_AND_PRESENCE');

    // Assess
    expect(retentionByTakenAt(items)['2026-11-22T01:00:00Z']).toEqual([
      'DATA_CENTRE',
      '2026-12-25T01:00:00Z',
    ]);
  });

  it('never expires the 3 latest good backups however old, when later backups failed', async () => {
    // Prepare: three good backups in September, then three failed nights.
    for (const day of ['01', '02', '03']) await recordBackup('UNITY_CONNECTION', `2026-09-${day}T07:00:00Z`);
    for (const day of ['20', '21', '22'])
      await recordBackup('UNITY_CONNECTION', `2026-11-${day}T07:00:00Z`, 'failed');

    // Act
    const items = await listBackups('customerId=globex&application=UNITY_CONNECTION');

    // Assess: the failed results are records only, kept 7 days.
    expect(retentionByTakenAt(items)).toEqual({
      '2026-09-01T07:00:00Z': ['DATA_CENTRE', undefined],
      '2026-09-02T07:00:00Z': ['DATA_CENTRE', undefined],
      '2026-09-03T07:00:00Z': ['DATA_CENTRE', undefined],
      '2026-11-20T07:00:00Z': ['EXPIRED', '2026-11-27T07:00:00Z'],
      '2026-11-21T07:00:00Z': ['EXPIRED', '2026-11-28T07:00:00Z'],
      '2026-11-22T07:00:00Z': ['EXPIRED', '2026-11-29T07:00:00Z'],
    });
  });

  it("lists every application's backups of the customer without an application filter", async () => {
    // Act
    const items = await listBackups('customerId=globex');

    // Assess
    expect(new Set(items.map((item) => item.application))).toEqual(
      new Set(['CUCM', 'CER', 'EXPRESSWAY', 'IM_AND_PRESENCE', 'UNITY_CONNECTION']),
    );
    expect(items.every((item) => item.customerId === 'globex')).toBe(true);
  });

  it('answers an empty list for a customer without backups', async () => {
    // Act
    const items = await listBackups('customerId=wayne-au');

    // Assess
    expect(items).toEqual([]);
  });

  it('answers 404 NOT_FOUND for an unknown customer', async () => {
    // Act
    const response = await api.call('GET', '/backups?customerId=no-such-customer');

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

interface CopView {
  requestId: string;
  partnerId: string;
  customerId: string;
  copFile: string;
  reason?: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

describe('POST /cop-requests', () => {
  it('accepts a COP upload request with 202 PENDING', async () => {
    // Act
    const response = await api.call<CopView>('POST', '/cop-requests', {
      key: api.keys.acme,
      body: {
        customerId: 'globex',
        copFile: 'cmterm-devicepack15.0.1.21.cop.sgn',
        reason: 'New phone models',
      },
    });

    // Assess
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      requestId: expect.stringMatching(/^cop_/),
      partnerId: 'acme-voice',
      customerId: 'globex',
      copFile: 'cmterm-devicepack15.0.1.21.cop.sgn',
      reason: 'New phone models',
      status: 'PENDING',
      createdAt: MONDAY,
      updatedAt: MONDAY,
    });
  });

  it('accepts a .cop.sha512 file for its own customer', async () => {
    // Act
    const response = await api.call<CopView>('POST', '/cop-requests', {
      key: api.keys.pacific,
      body: { customerId: 'wayne-au', copFile: 'ciscocm.enable-sha512sum-2021-signing-key-v1.0.cop.sha512' },
    });

    // Assess
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      partnerId: 'pacific-telecom',
      customerId: 'wayne-au',
      status: 'PENDING',
    });
  });

  it.each([
    'firmware.zip',
    'devicepack.cop',
    'devicepack.cop.sgn.zip',
    'devicepack.sgn',
    '.cop.sgn',
    '../../etc/passwd.cop.sgn',
    'folder/devicepack.cop.sgn',
    'device pack.cop.sgn',
  ])('refuses the file name %s with 400 naming copFile and writes nothing', async (copFile) => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/cop-requests', {
      key: api.keys.acme,
      body: { customerId: 'globex', copFile },
    });

    // Assess
    expectValidationFailed(response, ['copFile']);
    expect(await tableSnapshot(api)).toEqual(before);
  });

  it('answers 404 NOT_FOUND for an unknown customer and writes nothing', async () => {
    // Prepare
    const before = await tableSnapshot(api);

    // Act
    const response = await api.call('POST', '/cop-requests', {
      key: api.keys.acme,
      body: { customerId: 'no-such-customer', copFile: 'cmterm-devicepack15.0.1.21.cop.sgn' },
    });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
    expect(await tableSnapshot(api)).toEqual(before);
  });
});

describe('GET /cop-requests/{requestId}', () => {
  let created: CopView;
  beforeAll(async () => {
    const response = await api.call<CopView>('POST', '/cop-requests', {
      key: api.keys.acme,
      body: { customerId: 'initech', copFile: 'cmterm-locale-de_DE-15.0.1.cop.sgn' },
    });
    expect(response.status).toBe(202);
    created = response.body;
  });

  it('answers 200 with the request to the owning partner and to ops', async () => {
    // Act
    const owner = await api.call<CopView>('GET', `/cop-requests/${created.requestId}`, {
      key: api.keys.acme,
    });
    const ops = await api.call<CopView>('GET', `/cop-requests/${created.requestId}`, { key: api.keys.ops });

    // Assess
    expect(owner.status).toBe(200);
    expect(owner.body).toEqual(created);
    expect(ops.status).toBe(200);
    expect(ops.body).toEqual(created);
  });

  it('answers 404 NOT_FOUND to another partner', async () => {
    // Act
    const response = await api.call('GET', `/cop-requests/${created.requestId}`, { key: api.keys.pacific });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });

  it('answers 404 NOT_FOUND for an unknown request', async () => {
    // Act
    const response = await api.call('GET', '/cop-requests/cop_doesnotexist', { key: api.keys.acme });

    // Assess
    expectRefusal(response, 404, 'NOT_FOUND');
  });
});

interface AlertView {
  alertId: string;
  event: string;
  priority: string;
  raisedAt: string;
  respondBy: string;
  subject: string;
  detail: Record<string, unknown>;
  acknowledgedAt?: string;
}

describe('alerts', () => {
  let backupAlertId: string;
  let storageAlertId: string;

  beforeAll(async () => {
    // Raised in this file's table, as the jobs raise them.
    const { draftAlert } = await import('#core/alerts.ts');
    const { alerts, policy } = api.ports;
    backupAlertId = (
      await alerts.put(
        draftAlert(policy, 'NO_GOOD_BACKUP', {
          raisedAt: '2026-11-23T06:00:00Z',
          subject: 'No good CUCM backup for globex last night',
          detail: { customerId: 'globex', application: 'CUCM' },
          dedupeKey: 'NO_GOOD_BACKUP#globex#CUCM#2026-11-22',
        }),
      )
    ).alert.alertId;
    storageAlertId = (
      await alerts.put(
        draftAlert(policy, 'STORAGE_NEAR_SATURATION', {
          raisedAt: '2026-11-23T09:00:00Z',
          subject: 'Backup storage at 85%',
          dedupeKey: 'STORAGE#2026-11-23',
        }),
      )
    ).alert.alertId;
  });

  describe('GET /alerts', () => {
    it('lists the open alerts with priority and response deadline', async () => {
      // Act
      const response = await api.call<{ items: AlertView[] }>('GET', '/alerts');

      // Assess
      expect(response.status).toBe(200);
      const byId = new Map(response.body.items.map((alert) => [alert.alertId, alert]));
      expect(byId.get(backupAlertId)).toEqual({
        alertId: backupAlertId,
        event: 'NO_GOOD_BACKUP',
        priority: 'P2',
        raisedAt: '2026-11-23T06:00:00Z',
        respondBy: '2026-11-23T08:00:00Z',
        subject: 'No good CUCM backup for globex last night',
        detail: { customerId: 'globex', application: 'CUCM' },
      });
      expect(byId.get(storageAlertId)).toMatchObject({
        event: 'STORAGE_NEAR_SATURATION',
        priority: 'P4',
        respondBy: '2026-11-23T17:00:00Z',
      });
    });

    it('filters by priority', async () => {
      // Act
      const response = await api.call<{ items: AlertView[] }>('GET', '/alerts?priority=P4');

      // Assess
      expect(response.body.items.map((alert) => alert.alertId)).toEqual([storageAlertId]);
    });
  });

  describe('POST /alerts/{alertId}/acknowledge', () => {
    it('acknowledges an alert: it leaves the open list for the acknowledged one', async () => {
      // Prepare
      api.clock.set('2026-11-23T15:30:00Z');

      // Act
      const response = await api.call<AlertView>('POST', `/alerts/${backupAlertId}/acknowledge`, {
        body: {},
      });

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ alertId: backupAlertId, acknowledgedAt: '2026-11-23T15:30:00Z' });
      const open = await api.call<{ items: AlertView[] }>('GET', '/alerts?status=open');
      const acknowledged = await api.call<{ items: AlertView[] }>('GET', '/alerts?status=acknowledged');
      expect(open.body.items.map((alert) => alert.alertId)).toEqual([storageAlertId]);
      expect(acknowledged.body.items).toEqual([
        expect.objectContaining({ alertId: backupAlertId, acknowledgedAt: '2026-11-23T15:30:00Z' }),
      ]);
    });

    it('answers an alert acknowledged before as it is', async () => {
      // Prepare
      api.clock.set('2026-11-23T18:00:00Z');

      // Act
      const response = await api.call<AlertView>('POST', `/alerts/${backupAlertId}/acknowledge`);

      // Assess
      expect(response.status).toBe(200);
      expect(response.body.acknowledgedAt).toBe('2026-11-23T15:30:00Z');
    });

    it('answers 404 NOT_FOUND for an unknown alert and writes nothing', async () => {
      // Prepare
      const before = await tableSnapshot(api);

      // Act
      const response = await api.call('POST', '/alerts/alr_doesnotexist/acknowledge', { body: {} });

      // Assess
      expectRefusal(response, 404, 'NOT_FOUND');
      expect(await tableSnapshot(api)).toEqual(before);
    });
  });
});
