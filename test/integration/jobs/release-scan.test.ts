/**
 * The nightly release scan against DynamoDB Local on a fixed clock. The first night is Monday
 * 2027-05-03 03:00 UTC (the job's schedule): Sunday 23:00 in New York, Monday 12:00 in Tokyo (Golden
 * Week: 3, 4 and 5 May are holidays). Customers and what the default matrix says:
 * - globex (AMER) on 14.0 SU3, n-1: an upgrade to 15.0 SU2, trigger end-of-life. Notice from local
 *   Sunday 2027-05-02: 10 business days reach Friday 2027-05-14, window 21:00 EDT = 2027-05-15T01:00Z.
 * - umbrella-jp (APJC) on 12.5 SU7a, n-2: an upgrade to 15.0 SU2, trigger below-n-1. Notice from
 *   Monday 2027-05-03 (a holiday): business days start Thursday 05-06, the 10th is Wednesday
 *   2027-05-19, window 21:00 JST = 2027-05-19T12:00Z.
 * - initech (EU) on 15.0 SU2 and wayne-au (AUS) on 15.0 SU1, n: nothing.
 * - hooli (AMER) on 14.0 SU4 with an upgrade its partner asked for already scheduled: nothing.
 * - legacy (EU) on 11.5 SU9, not in the matrix: nothing.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyMove } from '#app/changes/move-change.ts';
import { schedulePlannedChange } from '#app/changes/schedule-planned-change.ts';
import type { JobSummary } from '#app/jobs/run-job.ts';
import { type ChangeRecord, cancelChange, completeChange, startChange } from '#core/change.ts';
import type { Region } from '#core/vocabulary.ts';
import { releaseScanJob } from '#jobs/release-scan.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { type TestPorts, testPorts } from '../../support/ports.ts';
import { type FreshTable, freshTable } from '../support/table.ts';

const NIGHT_1 = '2027-05-03T03:00:00Z';

let table: FreshTable;
let current = DateTime.fromISO(NIGHT_1, { zone: 'utc' });
let scan: (event?: { time?: string; restart?: boolean }) => Promise<JobSummary>;
let ports: TestPorts;
let hoolisUpgrade: string;

beforeAll(async () => {
  table = await freshTable('relscan');
  ports = testPorts({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: table.tableName,
    clock: { now: () => current },
  });
  scan = invokeJob('release-scan', releaseScanJob(ports));
  const { directory } = ports.stores;
  const contacts = [{ email: 'noc@acme-voice.example', subscriptions: ['maintenance-and-outages'] }];
  await directory.putPartner({ partnerId: 'acme-voice', name: 'Acme Voice Partners', contacts });
  const customers: [string, Region, string][] = [
    ['globex', 'AMER', '14.0 SU3'],
    ['umbrella-jp', 'APJC', '12.5 SU7a'],
    ['initech', 'EU', '15.0 SU2'],
    ['wayne-au', 'AUS', '15.0 SU1'],
    ['hooli', 'AMER', '14.0 SU4'],
    ['legacy', 'EU', '11.5 SU9'],
  ];
  for (const [customerId, region, version] of customers) {
    await directory.putCustomer({
      customerId,
      partnerId: 'acme-voice',
      name: `${customerId} Inc.`,
      region,
      version,
      sso: false,
      contacts: [{ email: `it@${customerId}.example` }],
    });
  }
  // Asked three days ago.
  const threeDaysAgo = current.minus({ days: 3 });
  const asked = await schedulePlannedChange(
    { ...ports, clock: { now: () => threeDaysAgo } },
    {
      partnerId: 'acme-voice',
      customerId: 'hooli',
      region: 'AMER',
      type: 'upgrade',
      title: 'Upgrade to 15.0 SU2 for the new features',
      disruptsCalling: true,
      trigger: 'partner-request',
      targetVersion: '15.0 SU2',
    },
  );
  hoolisUpgrade = asked.change.changeId;
});

afterAll(() => {
  table?.client.destroy();
});

async function nightAt(instant: string): Promise<JobSummary> {
  current = DateTime.fromISO(instant, { zone: 'utc' });
  return scan({ time: instant });
}

async function upgradesOf(customerId: string): Promise<ChangeRecord[]> {
  const page = await ports.changes.query({ scope: { kind: 'customer', customerId }, limit: 1000 });
  return page.items.filter((c) => c.type === 'upgrade');
}

async function allChanges(): Promise<ChangeRecord[]> {
  return (await ports.changes.query({ scope: { kind: 'all' }, limit: 1000 })).items;
}

describe('release scan', () => {
  it('schedules exactly one upgrade per customer below n, even when two runs race', async () => {
    // Act
    const summaries = await Promise.all([scan({ time: NIGHT_1 }), scan({ time: NIGHT_1 })]);

    // Assess: each customer read by both runs; exactly one of them created each upgrade.
    for (const summary of summaries) {
      expect(summary.counts).toMatchObject({ customers: 6, compliant: 2, unknownVersion: 1 });
    }
    expect(summaries.reduce((sum, s) => sum + (s.counts.scheduled ?? 0), 0)).toBe(2);
    expect(summaries.reduce((sum, s) => sum + (s.counts.alreadyOpen ?? 0), 0)).toBe(4);

    const [globex] = await upgradesOf('globex');
    expect(await upgradesOf('globex')).toHaveLength(1);
    expect(globex).toMatchObject({
      type: 'upgrade',
      trigger: 'end-of-life',
      targetVersion: '15.0 SU2',
      title: 'Upgrade globex Inc. from 14.0 SU3 to 15.0 SU2',
      disruptsCalling: true,
      emergency: false,
      urgent: false,
      status: 'SCHEDULED',
      reschedulesRemaining: 1,
      noticeSentAt: NIGHT_1,
      window: { start: '2027-05-15T01:00:00Z', localStart: '2027-05-14T21:00:00-04:00' },
    });
    expect(globex?.changeId).toMatch(/^chg_upg_[0-9a-f]{24}$/);

    const [umbrella] = await upgradesOf('umbrella-jp');
    expect(await upgradesOf('umbrella-jp')).toHaveLength(1);
    expect(umbrella).toMatchObject({
      trigger: 'below-n-1',
      targetVersion: '15.0 SU2',
      status: 'SCHEDULED',
      window: { start: '2027-05-19T12:00:00Z', localStart: '2027-05-19T21:00:00+09:00' },
    });
    const history = (await ports.changes.read(umbrella?.changeId as string))?.history;
    expect(history?.map((h) => [h.event, h.actor])).toEqual([['SCHEDULED', 'system']]);

    expect(await upgradesOf('initech')).toEqual([]);
    expect(await upgradesOf('wayne-au')).toEqual([]);
    expect(await upgradesOf('legacy')).toEqual([]);
    expect((await upgradesOf('hooli')).map((c) => c.changeId)).toEqual([hoolisUpgrade]);
  });

  it('creates nothing new when it runs again', async () => {
    const before = await allChanges();
    const summary = await nightAt(NIGHT_1);
    expect(summary.counts).toEqual({ customers: 6, alreadyOpen: 3, compliant: 2, unknownVersion: 1 });
    const nextNight = await nightAt('2027-05-04T03:00:00Z');
    expect(nextNight.counts).toEqual(summary.counts);
    expect(await allChanges()).toEqual(before);
  });

  it('schedules a new upgrade, under a new id, a night after the upgrade was cancelled', async () => {
    // Prepare
    const [cancelled] = await upgradesOf('globex');
    await applyMove(ports, {
      changeId: cancelled?.changeId as string,
      decide: (change) => cancelChange(change, 'partner asked to wait', current),
    });

    // Act
    const summary = await nightAt('2027-05-05T03:00:00Z');

    // Assess
    expect(summary.counts).toEqual({
      customers: 6,
      scheduled: 1,
      alreadyOpen: 2,
      compliant: 2,
      unknownVersion: 1,
    });
    const upgrades = await upgradesOf('globex');
    expect(upgrades.map((c) => c.status).sort()).toEqual(['CANCELLED', 'SCHEDULED']);
    const renewed = upgrades.find((c) => c.status === 'SCHEDULED');
    expect(renewed?.changeId).not.toBe(cancelled?.changeId);
    expect(renewed).toMatchObject({ trigger: 'end-of-life', targetVersion: '15.0 SU2' });
    expect(renewed?.description).toContain('attempt 2');

    const again = await nightAt('2027-05-06T03:00:00Z');
    expect(again.counts).toMatchObject({ alreadyOpen: 3 });
    expect(again.counts.scheduled).toBeUndefined();
  });

  it('schedules a new upgrade a night after the upgrade failed', async () => {
    // Prepare: umbrella's window (2027-05-19T12:00Z) comes, the upgrade runs and fails.
    const [failed] = await upgradesOf('umbrella-jp');
    current = DateTime.fromISO('2027-05-19T13:00:00Z', { zone: 'utc' });
    const changeId = failed?.changeId as string;
    await applyMove(ports, { changeId, decide: (change) => startChange(change, current) });
    await applyMove(ports, {
      changeId,
      decide: (change) => completeChange(change, 'failed', 'the upgrade broke the cluster', current),
    });

    // Act
    const summary = await nightAt('2027-05-20T03:00:00Z');

    // Assess
    expect(summary.counts).toMatchObject({ scheduled: 1, alreadyOpen: 2 });
    const upgrades = await upgradesOf('umbrella-jp');
    expect(upgrades.map((c) => c.status).sort()).toEqual(['FAILED', 'SCHEDULED']);
    expect(upgrades.find((c) => c.status === 'SCHEDULED')).toMatchObject({ trigger: 'below-n-1' });
  });

  it('resumes an unfinished run after its last checkpoint', async () => {
    // Prepare: the run of 2027-05-21 stopped after the page that ended with initech.
    const runKey = '2027-05-21';
    await ports.jobRuns.save({
      job: 'release-scan',
      runKey,
      state: 'RUNNING',
      cursor: {
        lastKey: { pk: 'CUSTOMER#initech', sk: '#CUSTOMER', gsi2pk: 'CUSTOMERS', gsi2sk: 'initech' },
      },
      counts: { customers: 3, alreadyOpen: 2, compliant: 1 },
      startedAt: '2027-05-21T03:00:00Z',
      updatedAt: '2027-05-21T03:00:02Z',
    });

    // Act
    const summary = await nightAt('2027-05-21T03:00:00Z');

    // Assess: legacy, umbrella-jp and wayne-au (after initech) were read.
    expect(summary).toMatchObject({ runKey, resumed: true });
    expect(summary.counts).toEqual({ customers: 6, alreadyOpen: 3, compliant: 2, unknownVersion: 1 });
  });
});
