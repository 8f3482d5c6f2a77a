/**
 * The nightly backup retention job against DynamoDB Local (rules section 8 and 11). Histories are
 * hand-made relative to the run's instant AT (the schedule's 11:30 UTC, passed as event.time); each
 * record is stored as POST /v1/backups stores it: with its class as it was when it was recorded.
 *
 * Each scenario works in a table of its own, with ports (and the job) built on it.
 */
import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { JobEvent, JobSummary } from '#app/jobs/run-job.ts';
import type { Customer } from '#core/directory.ts';
import { type BackupResult, classifyBackups, type StoredRetention } from '#core/retention.ts';
import type { UcApplication } from '#core/vocabulary.ts';
import { backupRetentionJob } from '#jobs/backup-retention.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { type TestPorts, testPorts } from '../../support/ports.ts';
import { type FreshTable, freshTable } from '../support/table.ts';

/** The run's instant: Monday 2026-11-23 at the job's scheduled 11:30 UTC. */
const AT = '2026-11-23T11:30:00Z';
/** The wall clock while the job runs (alerts are stamped with it). */
const CLOCK = '2026-11-23T11:31:00Z';
const APPLICATIONS: UcApplication[] = ['CUCM', 'UNITY_CONNECTION', 'IM_AND_PRESENCE', 'CER', 'EXPRESSWAY'];

const clock = { now: () => DateTime.fromISO(CLOCK, { zone: 'utc' }) };
let ports: TestPorts;
let job: (event?: JobEvent) => Promise<JobSummary>;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A scenario's own table, with the job and the ports on it. */
async function useFreshTable(prefix: string): Promise<FreshTable> {
  const table = await freshTable(prefix);
  ports = testPorts({ dynamoEndpoint: inject('dynamoEndpoint'), tableName: table.tableName, clock });
  job = invokeJob('backup-retention', backupRetentionJob(ports));
  return table;
}

const at = DateTime.fromISO(AT, { zone: 'utc' });
/** takenAt of the backup of the night `daysAgo` nights before AT (07:00 UTC; 0 = last night). */
const night = (daysAgo: number, hour = 7) =>
  at
    .startOf('day')
    .minus({ days: daysAgo })
    .plus({ hours: hour })
    .toISO({ suppressMilliseconds: true }) as string;
const plusDays = (iso: string, days: number) =>
  DateTime.fromISO(iso, { zone: 'utc' }).plus({ days }).toISO({ suppressMilliseconds: true }) as string;

async function addCustomer(customerId: string, name = `Customer ${customerId}`): Promise<void> {
  const customer: Customer = {
    customerId,
    partnerId: 'acme-voice',
    name,
    region: 'EU',
    version: '15.0 SU2',
    sso: false,
    contacts: [{ email: `it@${customerId}.example` }],
  };
  await ports.stores.directory.putCustomer(customer);
}

interface Entry {
  daysAgo: number;
  hour?: number;
  status?: 'succeeded' | 'failed';
}

/**
 * Records an application's history oldest first, each result stored as POST /v1/backups stores it:
 * classified among the results recorded before it, at its recording time (10 minutes after takenAt).
 */
async function recordHistory(customerId: string, application: UcApplication, entries: Entry[]) {
  const ordered = entries
    .map((entry, index) => ({
      backupId: `bkp_${customerId}_${application}_${String(index).padStart(3, '0')}`,
      takenAt: night(entry.daysAgo, entry.hour),
      status: entry.status ?? 'succeeded',
    }))
    .sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
  const recorded: BackupResult[] = [];
  for (const { backupId, takenAt, status } of ordered) {
    const recordedAt = DateTime.fromISO(takenAt, { zone: 'utc' }).plus({ minutes: 10 });
    const result: BackupResult = {
      backupId,
      customerId,
      application,
      takenAt,
      status,
      recordedAt: recordedAt.toISO({ suppressMilliseconds: true }) as string,
    };
    recorded.push(result);
    const c = classifyBackups(ports.policy, recorded, recordedAt).find((x) => x.backupId === backupId);
    const initial: StoredRetention = {
      retention: c?.retention ?? 'EXPIRED',
      ...(c?.expiresAt ? { expiresAt: c.expiresAt } : {}),
    };
    await ports.backups.put(result, initial);
  }
}

/** A good backup last night for each of the given applications (a customer the check finds healthy). */
async function healthyLastNight(customerId: string, applications: UcApplication[]): Promise<void> {
  for (const application of applications) await recordHistory(customerId, application, [{ daysAgo: 0 }]);
}

type Snapshot = Record<string, Record<string, unknown>>;

/** Every item of the table (a Scan, in tests only), keyed `pk | sk`, without the job-run bookkeeping. */
async function snapshot(table: FreshTable): Promise<Snapshot> {
  const items: Snapshot = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (!String(item.pk).startsWith('JOB#')) items[`${String(item.pk)} | ${String(item.sk)}`] = item;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** backupId -> the stored record. */
async function storedBackups(customerId: string): Promise<Map<string, Record<string, unknown>>> {
  const records = await ports.backups.query(customerId);
  return new Map(records.map((r) => [r.backupId, r as unknown as Record<string, unknown>]));
}

const run = (event: Record<string, unknown> = {}): Promise<JobSummary> => job({ time: AT, ...event });

describe('backup retention job: one nightly run', () => {
  let table: FreshTable;
  let summary: JobSummary;

  beforeAll(async () => {
    table = await useFreshTable('bkp-run');
    // "mixed": CUCM nightly for a week and one from October; CER four good backups in two days; a
    // failed CER result two nights ago; one IM and Presence record from before the records carried a
    // class. UNITY_CONNECTION and EXPRESSWAY have no backups at all.
    await addCustomer('mixed', 'Mixed Corp');
    await recordHistory('mixed', 'CUCM', [
      { daysAgo: 53 },
      ...[6, 5, 4, 3, 2, 1, 0].map((daysAgo) => ({ daysAgo })),
    ]);
    await recordHistory('mixed', 'CER', [
      { daysAgo: 2, status: 'failed' },
      { daysAgo: 1, hour: 1 },
      { daysAgo: 1, hour: 7 },
      { daysAgo: 0, hour: 1 },
      { daysAgo: 0, hour: 7 },
    ]);
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk: 'BACKUPS#mixed',
          sk: `IM_AND_PRESENCE#${new Date(night(0)).toISOString()}#bkp_legacy`,
          entity: 'backup',
          backupId: 'bkp_legacy',
          customerId: 'mixed',
          application: 'IM_AND_PRESENCE',
          takenAt: night(0),
          status: 'succeeded',
          recordedAt: night(0),
        },
      }),
    );

    // "failing": five good CUCM nights, then 40 failed ones; every other application fine.
    await addCustomer('failing', 'Failing GmbH');
    await recordHistory('failing', 'CUCM', [
      ...[44, 43, 42, 41, 40].map((daysAgo) => ({ daysAgo })),
      ...Array.from({ length: 40 }, (_, i) => ({ daysAgo: 39 - i, status: 'failed' as const })),
    ]);
    await healthyLastNight('failing', ['UNITY_CONNECTION', 'IM_AND_PRESENCE', 'CER', 'EXPRESSWAY']);

    // "healthy": a good backup of every application last night, nothing to change.
    await addCustomer('healthy', 'Healthy Ltd');
    await healthyLastNight('healthy', APPLICATIONS);

    summary = await run();
  });

  it('stores each good backup’s class: the 3 latest in the data centre with no expiry, older ones until takenAt + 33 days', async () => {
    // Assess
    const stored = await storedBackups('mixed');
    const cucm = (index: number) => stored.get(`bkp_mixed_CUCM_${String(index).padStart(3, '0')}`);
    // 0 = 53 nights ago, 1..7 = 6 nights ago .. last night.
    expect(cucm(7)).toMatchObject({ retention: 'DATA_CENTRE' });
    expect(cucm(6)).toMatchObject({ retention: 'DATA_CENTRE' });
    expect(cucm(5)).toMatchObject({ retention: 'DATA_CENTRE' });
    for (const index of [5, 6, 7]) {
      expect(cucm(index)).not.toHaveProperty('expiresAt');
      expect(cucm(index)).not.toHaveProperty('expiredAt');
    }
    for (const [index, daysAgo] of [
      [4, 3],
      [3, 4],
      [2, 5],
      [1, 6],
    ] as const) {
      expect(cucm(index)).toMatchObject({ retention: 'EXTENDED', expiresAt: plusDays(night(daysAgo), 33) });
      expect(cucm(index)).not.toHaveProperty('expiredAt');
    }
    // 53 nights ago: past takenAt + 33 days, so its data is expired now; the record stays.
    expect(cucm(0)).toMatchObject({
      retention: 'EXPIRED',
      expiresAt: plusDays(night(53), 33),
      expiredAt: AT,
    });
  });

  it('keeps a good backup younger than 3 days in the data centre with an expiry when it is not one of the 3 latest', async () => {
    const stored = await storedBackups('mixed');
    // CER: 000 failed (2 nights ago), 001 = 1 night ago 01:00, 002 .. 004 the three latest.
    expect(stored.get('bkp_mixed_CER_001')).toMatchObject({
      retention: 'DATA_CENTRE',
      expiresAt: plusDays(night(1, 1), 33),
    });
    for (const id of ['002', '003', '004']) {
      expect(stored.get(`bkp_mixed_CER_${id}`)).toMatchObject({ retention: 'DATA_CENTRE' });
      expect(stored.get(`bkp_mixed_CER_${id}`)).not.toHaveProperty('expiresAt');
    }
    // A failed result is a record only: EXPIRED from the start, the record kept 7 days.
    expect(stored.get('bkp_mixed_CER_000')).toMatchObject({
      status: 'failed',
      retention: 'EXPIRED',
      expiresAt: plusDays(night(2), 7),
    });
    expect(stored.get('bkp_mixed_CER_000')).not.toHaveProperty('expiredAt');
  });

  it('gives a record stored without a class (before records carried one) its class', async () => {
    const stored = await storedBackups('mixed');
    expect(stored.get('bkp_legacy')).toMatchObject({ retention: 'DATA_CENTRE' });
    expect(stored.get('bkp_legacy')).not.toHaveProperty('expiresAt');
  });

  it('keeps the 3 latest good backups of a customer whose backups failed for 40 nights, expires the older good ones and deletes failed results older than 7 days', async () => {
    const stored = await storedBackups('failing');
    const cucm = [...stored.values()].filter((r) => r.application === 'CUCM');
    const good = (daysAgo: number) =>
      cucm.find((r) => r.takenAt === night(daysAgo) && r.status === 'succeeded');

    // The 3 latest good ones (40 to 42 nights ago) survive, with no expiry, however old.
    for (const daysAgo of [40, 41, 42]) {
      expect(good(daysAgo)).toMatchObject({ retention: 'DATA_CENTRE' });
      expect(good(daysAgo)).not.toHaveProperty('expiresAt');
      expect(good(daysAgo)).not.toHaveProperty('expiredAt');
    }
    // The older good ones are expired (data gone, record kept).
    for (const daysAgo of [43, 44]) {
      expect(good(daysAgo)).toMatchObject({
        retention: 'EXPIRED',
        expiresAt: plusDays(night(daysAgo), 33),
        expiredAt: AT,
      });
    }
    // Failed results: the 7 of the last 7 nights are kept as records, the 33 older ones are deleted.
    const failed = cucm.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.takenAt).sort()).toEqual([6, 5, 4, 3, 2, 1, 0].map((d) => night(d)));
    for (const record of failed) {
      expect(record).toMatchObject({ retention: 'EXPIRED', expiresAt: plusDays(String(record.takenAt), 7) });
    }
    expect(cucm).toHaveLength(5 + 7);
  });

  it('raises one P2 NO_GOOD_BACKUP alert per customer application without a good backup last night', async () => {
    const alerts = (await ports.alerts.query('open')).filter((a) => a.event === 'NO_GOOD_BACKUP');
    expect(alerts.map((a) => a.dedupeKey).sort()).toEqual(
      [
        `NO_GOOD_BACKUP#failing#CUCM#2026-11-23`,
        `NO_GOOD_BACKUP#mixed#EXPRESSWAY#2026-11-23`,
        `NO_GOOD_BACKUP#mixed#UNITY_CONNECTION#2026-11-23`,
      ].sort(),
    );
    const failing = alerts.find((a) => a.dedupeKey === 'NO_GOOD_BACKUP#failing#CUCM#2026-11-23');
    expect(failing).toMatchObject({
      priority: 'P2',
      status: 'open',
      raisedAt: '2026-11-23T11:31:00Z',
      respondBy: '2026-11-23T13:31:00Z',
      detail: {
        customerId: 'failing',
        application: 'CUCM',
        nightFrom: '2026-11-22T11:30:00Z',
        nightTo: AT,
        lastGoodTakenAt: night(40),
      },
    });
    expect(failing?.subject).toContain('Failing GmbH');
    expect(failing?.subject).toContain('failing');
    expect(failing?.subject).toContain('CUCM');
    const never = alerts.find((a) => a.dedupeKey === 'NO_GOOD_BACKUP#mixed#EXPRESSWAY#2026-11-23');
    expect(never?.detail).toMatchObject({ lastGoodTakenAt: null });
  });

  it('counts what it did', () => {
    // mixed: 8 CUCM + 5 CER + 1 legacy; failing: 45 CUCM + 4; healthy: 5.
    expect(summary).toMatchObject({ job: 'backup-retention', runKey: '2026-11-23', resumed: false });
    expect(summary.counts).toEqual({
      customers: 3,
      records: 14 + 49 + 5,
      // mixed CUCM: 4 EXTENDED + 1 EXPIRED; CER: 1 DATA_CENTRE with expiry; legacy: 1;
      // failing: 2 EXPIRED (the 3 latest and the failed ones kept their stored class).
      reclassified: 5 + 1 + 1 + 2,
      expired: 1 + 2,
      dropped: 33,
      skipped: 0,
      alerts: 3,
    });
  });

  it('changes nothing when run again', async () => {
    // Prepare: watch what the job sends (passing everything through).
    const before = await snapshot(table);
    const send = ports.table.documents.send.bind(ports.table.documents);
    let writes = 0;
    vi.spyOn(ports.table.documents, 'send').mockImplementation(((command: object) => {
      if (command instanceof UpdateCommand || command instanceof DeleteCommand) writes++;
      return send(command as never);
    }) as never);

    // Act
    const again = await run();

    // Assess: not even an identical value is written again.
    expect(writes).toBe(0);
    expect(await snapshot(table)).toEqual(before);
    expect(again.resumed).toBe(false);
    expect(again.counts).toEqual({
      customers: 3,
      records: 14 + 49 + 5 - 33,
      reclassified: 0,
      expired: 0,
      dropped: 0,
      skipped: 0,
      alerts: 0,
    });
  });
});

/** Six customers with some of everything; with pageSize 2 the listing has three pages. */
async function seedSixCustomers(): Promise<void> {
  for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) {
    await addCustomer(id);
    await recordHistory(id, 'CUCM', [
      ...[44, 43, 42, 41, 40].map((daysAgo) => ({ daysAgo })),
      ...Array.from({ length: 12 }, (_, i) => ({ daysAgo: 11 - i, status: 'failed' as const })),
    ]);
    await recordHistory(
      id,
      'CER',
      [6, 5, 4, 3, 2, 1, 0].map((daysAgo) => ({ daysAgo })),
    );
    await healthyLastNight(id, ['UNITY_CONNECTION', 'IM_AND_PRESENCE']);
  }
}

describe('backup retention job: resuming and racing', () => {
  let clean: Snapshot;
  let cleanSummary: JobSummary;

  beforeAll(async () => {
    // The reference: a clean single run over the same data.
    const table = await useFreshTable('bkp-clean');
    await seedSixCustomers();
    cleanSummary = await run({ pageSize: 2 });
    clean = await snapshot(table);
  });

  it('resumes a run killed half-way from its checkpoint and ends as a clean run does, with a P1 alert for the crash', async () => {
    // Prepare. The crash: DynamoDB refuses the first write to c4, a customer of the second page (as
    // throttling that outlasted the SDK's retries would), through a spy on the module's document
    // client; the job's code is the production code, with no test switch in it.
    const table = await useFreshTable('bkp-crash');
    await seedSixCustomers();
    const send = ports.table.documents.send.bind(ports.table.documents);
    let failed = false;
    vi.spyOn(ports.table.documents, 'send').mockImplementation(((command: {
      input: { Key?: { pk?: string } };
    }) => {
      if (!failed && command instanceof UpdateCommand && command.input.Key?.pk === 'BACKUPS#c4') {
        failed = true;
        const error = new Error('The level of configured provisioned throughput for the table was exceeded');
        return Promise.reject(Object.assign(error, { name: 'ProvisionedThroughputExceededException' }));
      }
      return send(command as never);
    }) as never);

    // Act: the run crashes ...
    await expect(run({ pageSize: 2 })).rejects.toThrow(/provisioned throughput/);
    vi.restoreAllMocks();
    const crashed = await ports.jobRuns.read('backup-retention', '2026-11-23');
    // ... having checkpointed the first page only ...
    expect(crashed).toMatchObject({ state: 'RUNNING', counts: { customers: 2 } });
    expect(crashed?.cursor).toMatchObject({ gsi2pk: 'CUSTOMERS', gsi2sk: 'c2' });
    // ... and is run again (EventBridge's retry, or ops).
    const resumed = await run({ pageSize: 2 });

    // Assess
    expect(resumed.resumed).toBe(true);
    // Counts carry on from the checkpoint: every customer is counted once. (What the crashed attempt
    // wrote after its checkpoint is not written again, so it is not counted again either.)
    expect(resumed.counts.customers).toBe(6);
    const alerts = await ports.alerts.query('open');
    const crash = alerts.filter((a) => a.event === 'JOB_CRASHED');
    expect(crash).toHaveLength(1);
    expect(crash[0]).toMatchObject({
      priority: 'P1',
      dedupeKey: 'JOB_CRASHED#backup-retention#2026-11-23',
      detail: { job: 'backup-retention', runKey: '2026-11-23' },
    });
    const end = await snapshot(table);
    const withoutCrashAlert = Object.fromEntries(
      Object.entries(end).filter(([, item]) => item.event !== 'JOB_CRASHED'),
    );
    expect(withoutCrashAlert).toEqual(clean);
    expect(await ports.jobRuns.read('backup-retention', '2026-11-23')).toMatchObject({ state: 'FINISHED' });
  });

  it('lets two runs at once change each record once: their writes add up to one clean run, the rest are skipped', async () => {
    // Prepare
    const table = await useFreshTable('bkp-race');
    await seedSixCustomers();

    // Act: both start from scratch (restart), as two invocations of the same schedule would.
    const [first, second] = await Promise.all([
      run({ pageSize: 2, restart: true }),
      run({ pageSize: 2, restart: true }),
    ]);

    // Assess
    expect(await snapshot(table)).toEqual(clean);
    const sum = (name: string) => (first.counts[name] ?? 0) + (second.counts[name] ?? 0);
    for (const name of ['reclassified', 'expired', 'dropped', 'alerts']) {
      expect(sum(name), name).toBe(cleanSummary.counts[name]);
    }
  });
});

describe('backup store: the conditional writes the job relies on', () => {
  const ref = {
    customerId: 'cw',
    application: 'CUCM' as const,
    takenAt: '2026-10-01T07:00:00Z',
    backupId: 'bkp_cw_1',
  };

  beforeAll(async () => {
    await useFreshTable('bkp-store');
  });

  it('writes a class only over the values it read, and reports a write someone else made as skipped', async () => {
    // Prepare
    await ports.backups.put(
      { ...ref, status: 'succeeded', recordedAt: '2026-10-01T07:10:00Z' },
      { retention: 'DATA_CENTRE' },
    );
    const next = { retention: 'EXPIRED' as const, expiresAt: '2026-11-03T07:00:00Z', expiredAt: AT };

    // Act
    const first = await ports.backups.updateRetention(ref, { retention: 'DATA_CENTRE' }, next);
    const second = await ports.backups.updateRetention(ref, { retention: 'DATA_CENTRE' }, next);

    // Assess
    expect([first, second]).toEqual(['written', 'skipped']);
    expect((await storedBackups('cw')).get('bkp_cw_1')).toMatchObject(next);
  });

  it('never recreates a record that was deleted meanwhile', async () => {
    // Act: as read, the record had no class yet (stored before records carried one).
    const outcome = await ports.backups.updateRetention(
      { ...ref, backupId: 'bkp_cw_gone' },
      {},
      { retention: 'EXTENDED', expiresAt: '2026-11-03T07:00:00Z' },
    );

    // Assess
    expect(outcome).toBe('skipped');
    expect((await storedBackups('cw')).has('bkp_cw_gone')).toBe(false);
  });

  it('deletes a failed result once, and never a good backup', async () => {
    // Prepare
    const failed = { ...ref, backupId: 'bkp_cw_failed' };
    await ports.backups.put(
      { ...failed, status: 'failed', recordedAt: '2026-10-01T07:10:00Z' },
      { retention: 'EXPIRED', expiresAt: '2026-10-08T07:00:00Z' },
    );

    // Act
    const outcomes = [await ports.backups.deleteFailed(failed), await ports.backups.deleteFailed(failed)];
    const good = await ports.backups.deleteFailed(ref);

    // Assess
    expect(outcomes).toEqual(['written', 'skipped']);
    expect(good).toBe('skipped');
    expect([...(await storedBackups('cw')).keys()]).toEqual(['bkp_cw_1']);
  });
});
