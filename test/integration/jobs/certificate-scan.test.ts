/**
 * The nightly certificate scan against DynamoDB Local, night after night on a fixed clock. The first
 * night is Monday 2027-05-03 02:00 UTC (the job's schedule): Sunday 22:00 in New York, Monday 11:00 in
 * Tokyo (Golden Week holidays 3..5 May) and 12:00 in Sydney. Certificates:
 * - globex (AMER) expires 2027-06-10 12:00Z (38 days): a planned renewal. The notice leaves local
 *   Sunday 2027-05-02, so 10 business days reach Friday 2027-05-14; the range 7..3 days before expiry
 *   is 2027-06-03 12:00Z .. 2027-06-07 12:00Z, whose first customer window is Thursday 2027-06-03
 *   21:00 EDT = 2027-06-04T01:00Z.
 * - wayne (AUS) expires 2027-05-28 00:00Z (24 days): an urgent planned renewal; 10 business days
 *   from Monday 2027-05-03 reach Monday 2027-05-17, the range is 2027-05-21 00:00Z .. 2027-05-25
 *   00:00Z, first window Friday 2027-05-21 21:00 AEST = 2027-05-21T11:00Z.
 * - umbrella-expressway (APJC) expires 2027-05-08 00:00Z: too late for the notice; its range
 *   (2027-05-01 .. 2027-05-05 00:00Z) holds tonight's window, Monday 21:00 JST = 2027-05-03T12:00Z:
 *   an emergency in that window.
 * - umbrella-cucm (APJC) expires 2027-05-12 00:00Z: too late for the notice, and its range opens
 *   2027-05-05 00:00Z, after tonight's window: it waits, and the scan of Wednesday 2027-05-05 renews
 *   it as an emergency in that night's window (21:00 JST = 2027-05-05T12:00Z).
 * - initech (EU) expires in 200 days, and one of its certificates expired on 2027-05-01: neither is read.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { indexKeys, keys } from '#adapters/dynamodb/keys.ts';
import { applyMove } from '#app/changes/move-change.ts';
import type { JobSummary } from '#app/jobs/run-job.ts';
import { addBusinessDaysToDate, localDateOf } from '#core/calendar.ts';
import { type ChangeRecord, cancelChange } from '#core/change.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { certificateScanJob } from '#jobs/certificate-scan.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { type TestPorts, testPorts } from '../../support/ports.ts';
import { type FreshTable, freshTable } from '../support/table.ts';

const NIGHT_1 = '2027-05-03T02:00:00Z';
const policy = DEFAULT_POLICY;

let table: FreshTable;
let current = DateTime.fromISO(NIGHT_1, { zone: 'utc' });
let ports: TestPorts;
let scan: (event?: { time?: string; restart?: boolean }) => Promise<JobSummary>;

beforeAll(async () => {
  table = await freshTable('certscan');
  ports = testPorts({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: table.tableName,
    clock: { now: () => current },
  });
  scan = invokeJob('certificate-scan', certificateScanJob(ports));
  const { directory } = ports.stores;
  const contacts = [{ email: 'noc@acme-voice.example', subscriptions: ['maintenance-and-outages'] }];
  await directory.putPartner({ partnerId: 'acme-voice', name: 'Acme Voice Partners', contacts });
  await directory.putPartner({ partnerId: 'pacific-telecom', name: 'Pacific Telecom', contacts });
  const customer = (customerId: string, partnerId: string, region: 'AMER' | 'APJC' | 'AUS' | 'EU') => ({
    customerId,
    partnerId,
    name: `${customerId} Inc.`,
    region,
    version: '15.0 SU2',
    sso: region === 'AMER',
    contacts: [{ email: `it@${customerId}.example` }],
  });
  await directory.putCustomer({
    ...customer('globex', 'acme-voice', 'AMER'),
    certificates: [
      { certificateId: 'globex-cucm', commonName: 'cucm.globex.example', expiresAt: '2027-06-10T12:00:00Z' },
    ],
  });
  await directory.putCustomer({
    ...customer('wayne-au', 'pacific-telecom', 'AUS'),
    certificates: [
      { certificateId: 'wayne-cucm', commonName: 'cucm.wayne.example', expiresAt: '2027-05-28T00:00:00Z' },
    ],
  });
  await directory.putCustomer({
    ...customer('umbrella-jp', 'pacific-telecom', 'APJC'),
    certificates: [
      {
        certificateId: 'umbrella-expressway',
        commonName: 'exp.umbrella.example',
        expiresAt: '2027-05-08T00:00:00Z',
      },
      {
        certificateId: 'umbrella-cucm',
        commonName: 'cucm.umbrella.example',
        expiresAt: '2027-05-12T00:00:00Z',
      },
    ],
  });
  await directory.putCustomer({
    ...customer('initech', 'acme-voice', 'EU'),
    certificates: [
      { certificateId: 'initech-exp', commonName: 'exp.initech.example', expiresAt: '2027-11-19T00:00:00Z' },
      { certificateId: 'initech-old', commonName: 'old.initech.example', expiresAt: '2027-05-01T00:00:00Z' },
    ],
  });
});

afterAll(() => {
  table?.client.destroy();
});

async function nightAt(instant: string): Promise<JobSummary> {
  current = DateTime.fromISO(instant, { zone: 'utc' });
  return scan({ time: instant });
}

async function allChanges(): Promise<ChangeRecord[]> {
  return (await ports.changes.query({ scope: { kind: 'all' }, limit: 1000 })).items;
}

async function renewalsOf(certificateId: string): Promise<ChangeRecord[]> {
  return (await allChanges()).filter((c) => c.certificateId === certificateId);
}

async function only(certificateId: string): Promise<ChangeRecord> {
  const renewals = await renewalsOf(certificateId);
  expect(renewals).toHaveLength(1);
  return renewals[0] as ChangeRecord;
}

/** Rules section 6 and 3: 7..3 days before expiry, on or after the 10th business day of notice. */
function expectPlannedRules(change: ChangeRecord): void {
  const expiresAt = DateTime.fromISO(change.certificateExpiresAt as string, { zone: change.window.timezone });
  const start = Date.parse(change.window.start);
  expect(start).toBeGreaterThanOrEqual(expiresAt.minus({ days: 7 }).toMillis());
  expect(start).toBeLessThanOrEqual(expiresAt.minus({ days: 3 }).toMillis());
  const noticeDate = localDateOf(policy, change.region, change.noticeSentAt as string);
  expect(
    change.window.localStart.slice(0, 10) >= addBusinessDaysToDate(policy, change.region, noticeDate, 10),
  ).toBe(true);
}

async function capacityUsed(windowId: string): Promise<number> {
  return (await ports.changes.capacityUsed([windowId])).get(windowId) ?? 0;
}

describe('certificate scan', () => {
  it('schedules one planned renewal per certificate due within 60 days, 7..3 days before expiry', async () => {
    // Act
    const summary = await nightAt(NIGHT_1);

    // Assess
    expect(summary.counts).toEqual({ certificates: 4, scheduled: 2, tooLate: 2, emergencies: 1 });
    const globex = await only('globex-cucm');
    expect(globex).toMatchObject({
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'certificate-renewal',
      title: 'Renew certificate cucm.globex.example (expires 2027-06-10 12:00 UTC)',
      status: 'SCHEDULED',
      emergency: false,
      disruptsCalling: true,
      urgent: false,
      reschedulesRemaining: 1,
      certificateExpiresAt: '2027-06-10T12:00:00Z',
      noticeSentAt: NIGHT_1,
      window: {
        start: '2027-06-04T01:00:00Z',
        localStart: '2027-06-03T21:00:00-04:00',
        timezone: 'America/New_York',
      },
    });
    expect(globex.changeId).toMatch(/^chg_cert_[0-9a-f]{24}$/);
    expectPlannedRules(globex);

    const wayne = await only('wayne-cucm');
    expect(wayne).toMatchObject({
      status: 'SCHEDULED',
      urgent: true,
      reschedulesRemaining: 0,
      window: { start: '2027-05-21T11:00:00Z', localStart: '2027-05-21T21:00:00+10:00' },
    });
    expect(wayne.urgentReason).toContain('about to expire');
    expectPlannedRules(wayne);

    const stored = await ports.changes.read(globex.changeId);
    expect(stored?.history.map((h) => [h.event, h.actor])).toEqual([['SCHEDULED', 'system']]);
    expect(ports.workflow.started).toEqual(expect.arrayContaining([globex.changeId, wayne.changeId]));
    expect(await capacityUsed('AMER#2027-06-03')).toBe(1);
  });

  it('renews a certificate too close to expiry for the notice as an emergency in a window of its range', async () => {
    const emergency = await only('umbrella-expressway');
    expect(emergency).toMatchObject({
      type: 'certificate-renewal',
      emergency: true,
      urgent: true,
      status: 'CONFIRMED',
      reason: 'prevent-outage',
      when: 'next-window',
      certificateExpiresAt: '2027-05-08T00:00:00Z',
      reschedulesRemaining: 0,
      window: { start: '2027-05-03T12:00:00Z', localStart: '2027-05-03T21:00:00+09:00' },
    });
    expect(emergency.changeId).toMatch(/^chg_cert_[0-9a-f]{24}$/);
    expect(emergency.customerImpact).toContain('would take calling down at 2027-05-08T00:00:00Z');
    expect(ports.workflow.started).toContain(emergency.changeId);
    expect(await capacityUsed('APJC#2027-05-03')).toBe(1);
  });

  it('waits with a certificate whose range opens after the next window (no change yet)', async () => {
    expect(await renewalsOf('umbrella-cucm')).toEqual([]);
    expect(await renewalsOf('initech-exp')).toEqual([]);
    expect(await renewalsOf('initech-old')).toEqual([]);
  });

  it('creates nothing new when it runs again the same night', async () => {
    const before = await allChanges();
    const summary = await nightAt(NIGHT_1);
    expect(summary.resumed).toBe(false);
    expect(summary.counts).toEqual({ certificates: 4, alreadyScheduled: 3, tooLate: 1 });
    expect(await allChanges()).toEqual(before);
  });

  it('renews the waiting certificate as an emergency on the night its range holds the next window', async () => {
    // Wednesday 2027-05-05 02:00Z = 11:00 JST; the range opened 00:00Z, tonight's window is 12:00Z.
    const summary = await nightAt('2027-05-05T02:00:00Z');
    expect(summary.counts).toEqual({ certificates: 4, alreadyScheduled: 3, tooLate: 1, emergencies: 1 });
    const emergency = await only('umbrella-cucm');
    expect(emergency).toMatchObject({
      emergency: true,
      status: 'CONFIRMED',
      window: { start: '2027-05-05T12:00:00Z' },
    });
    expect(await allChanges()).toHaveLength(4);
  });

  it('schedules a new renewal, under a new id, a night after the renewal was cancelled', async () => {
    // Prepare
    const cancelled = await only('globex-cucm');
    await applyMove(ports, {
      changeId: cancelled.changeId,
      decide: (change) => cancelChange(change, 'ops cancelled it', current),
    });
    expect(await capacityUsed('AMER#2027-06-03')).toBe(0);

    // Act: Thursday 2027-05-06 02:00Z (Wednesday 22:00 EDT).
    const summary = await nightAt('2027-05-06T02:00:00Z');

    // Assess
    expect(summary.counts).toEqual({ certificates: 4, scheduled: 1, alreadyScheduled: 3 });
    const renewals = await renewalsOf('globex-cucm');
    expect(renewals.map((c) => c.status).sort()).toEqual(['CANCELLED', 'SCHEDULED']);
    const renewed = renewals.find((c) => c.status === 'SCHEDULED') as ChangeRecord;
    expect(renewed.changeId).not.toBe(cancelled.changeId);
    expect(renewed.description).toContain('attempt 2');
    expect(renewed.window.start).toBe('2027-06-04T01:00:00Z');
    expectPlannedRules(renewed);
    expect(await capacityUsed('AMER#2027-06-03')).toBe(1);

    // And the night after, nothing more.
    const next = await nightAt('2027-05-07T02:00:00Z');
    expect(next.counts).toEqual({ certificates: 4, alreadyScheduled: 4 });
    expect(await renewalsOf('globex-cucm')).toHaveLength(2);
  });

  it('resumes an unfinished run after its last checkpoint', async () => {
    // Prepare: a run of 2027-05-08 stopped after the page that ended with wayne's certificate.
    const runKey = '2027-05-08';
    const wayne = { customerId: 'wayne-au', certificateId: 'wayne-cucm', expiresAt: '2027-05-28T00:00:00Z' };
    await ports.jobRuns.save({
      job: 'certificate-scan',
      runKey,
      state: 'RUNNING',
      cursor: {
        lastKey: {
          ...keys.certificate(wayne.customerId, wayne.certificateId),
          ...indexKeys.certificatesByExpiry(wayne.expiresAt, wayne.customerId, wayne.certificateId),
        },
      },
      counts: { certificates: 2, alreadyScheduled: 2 },
      startedAt: '2027-05-08T02:00:00Z',
      updatedAt: '2027-05-08T02:00:05Z',
    });

    // Act
    const summary = await nightAt('2027-05-08T02:10:00Z');

    // Assess: only globex (after wayne by expiry) was read; umbrella-expressway has expired by now.
    expect(summary).toMatchObject({ runKey, resumed: true, startedAt: '2027-05-08T02:00:00Z' });
    expect(summary.counts).toEqual({ certificates: 3, alreadyScheduled: 3 });
    expect((await ports.jobRuns.read('certificate-scan', runKey))?.state).toBe('FINISHED');
  });

  it('starts over, ignoring the checkpoint, when asked to restart', async () => {
    current = DateTime.fromISO('2027-05-08T02:20:00Z', { zone: 'utc' });
    const summary = await scan({ time: '2027-05-08T02:20:00Z', restart: true });
    // umbrella-expressway expired at 00:00Z and is no longer read.
    expect(summary).toMatchObject({ resumed: false, counts: { certificates: 3, alreadyScheduled: 3 } });
    expect(await allChanges()).toHaveLength(5);
  });

  it('skips a certificate whose customer is not in the directory', async () => {
    // Prepare: a certificate item left behind by a customer that is gone.
    const customerId = `ghost-${randomUUID().slice(0, 8)}`;
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await ports.table.documents.send(
      new PutCommand({
        TableName: ports.table.name,
        Item: {
          ...keys.certificate(customerId, 'ghost-cert'),
          ...indexKeys.certificatesByExpiry('2027-06-20T00:00:00Z', customerId, 'ghost-cert'),
          entity: 'certificate',
          customerId,
          certificateId: 'ghost-cert',
          commonName: 'ghost.example',
          expiresAt: '2027-06-20T00:00:00Z',
        },
      }),
    );
    // Act
    const summary = await nightAt('2027-05-09T02:00:00Z');
    // Assess
    expect(summary.counts).toEqual({ certificates: 4, alreadyScheduled: 3, skipped: 1 });
    expect(await renewalsOf('ghost-cert')).toEqual([]);
  });
});
