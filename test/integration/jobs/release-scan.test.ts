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
import type { ChangeRecord } from '#core/change.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import type { Region } from '#core/vocabulary.ts';
import type { JobSummary } from '#jobs/job-runner.ts';
import { type FreshTable, freshTable } from '../support/table.ts';

const NIGHT_1 = '2027-05-03T03:00:00Z';
const policy = DEFAULT_POLICY;

let table: FreshTable;
let current = DateTime.fromISO(NIGHT_1, { zone: 'utc' });
let scan: (event?: { time?: string; restart?: boolean }) => Promise<JobSummary>;
let store: typeof import('#adapters/store/change-store.ts');
let core: typeof import('#core/change.ts');
let jobs: typeof import('#adapters/store/job-store.ts');
let hoolisUpgrade: string;

beforeAll(async () => {
  table = await freshTable('relscan');
  process.env.DYNAMODB_ENDPOINT = inject('dynamoEndpoint');
  process.env.TABLE_NAME = table.tableName;
  process.env.LOG_LEVEL = 'ERROR';
  delete process.env.STATE_MACHINE_ARN;

  const clock = await import('#adapters/clock.ts');
  clock.installClock({ now: () => current });
  store = await import('#adapters/store/change-store.ts');
  core = await import('#core/change.ts');
  jobs = await import('#adapters/store/job-store.ts');
  scan = (await import('#jobs/release-scan.ts')).handler;

  const directory = await import('#adapters/store/directory-store.ts');
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
  const { createPlannedChange } = await import('#app/changes/schedule-change.ts');
  const asked = await createPlannedChange(
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
    current.minus({ days: 3 }),
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
  const page = await store.queryChanges({ scope: { kind: 'customer', customerId }, limit: 1000 });
  return page.items.filter((c) => c.type === 'upgrade');
}

async function allChanges(): Promise<ChangeRecord[]> {
  return (await store.queryChanges({ scope: { kind: 'all' }, limit: 1000 })).items;
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
    const history = (await store.readChange(umbrella?.changeId as string))?.history;
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
    await store.applyMove(
      cancelled?.changeId as string,
      (change) => core.cancelChange(change, 'partner asked to wait', current),
      { capacityLimit: policy.windows.capacity },
    );

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
    const limit = { capacityLimit: policy.windows.capacity };
    await store.applyMove(failed?.changeId as string, (change) => core.startChange(change, current), limit);
    await store.applyMove(
      failed?.changeId as string,
      (change) => core.completeChange(change, 'failed', 'the upgrade broke the cluster', current),
      limit,
    );

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
    await jobs.saveJobRun({
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
