/**
 * Concurrent certificate scans against DynamoDB Local: the scheduled run, a Lambda retry of it and a
 * manual run (another run key) all at once, over certificates that share windows (so the runs also
 * race for the same capacity counters). Whatever the interleaving, every certificate gets exactly
 * one renewal, exactly one run creates it, and the capacity counters equal the changes per window.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { JobSummary } from '#app/jobs/run-job.ts';
import type { ChangeRecord } from '#core/change.ts';
import type { Region } from '#core/vocabulary.ts';
import { certificateScanJob } from '#jobs/certificate-scan.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { type TestPorts, testPorts } from '../../support/ports.ts';
import { type FreshTable, freshTable } from '../support/table.ts';

/** Monday 2027-05-03 02:00 UTC, the job's scheduled time. */
const NIGHT = '2027-05-03T02:00:00Z';
const REGIONS: Region[] = ['AMER', 'APJC', 'AUS', 'EU'];

let table: FreshTable;
const current = DateTime.fromISO(NIGHT, { zone: 'utc' });
let scan: (event?: { time?: string }) => Promise<JobSummary>;
let ports: TestPorts;
const certificateIds: string[] = [];

beforeAll(async () => {
  table = await freshTable('certrace');
  ports = testPorts({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: table.tableName,
    clock: { now: () => current },
  });
  scan = invokeJob('certificate-scan', certificateScanJob(ports));
  const { directory } = ports.stores;
  await directory.putPartner({
    partnerId: 'acme-voice',
    name: 'Acme Voice Partners',
    contacts: [{ email: 'noc@acme-voice.example', subscriptions: ['maintenance-and-outages'] }],
  });
  // 12 customers, 3 per region; each has two certificates expiring at the same instant (same
  // renewal window), one of 20..42 days and, for the first customer of each region, one expiring
  // in 5 days (too late for the notice: an emergency in tonight's window).
  for (let i = 0; i < 12; i++) {
    const region = REGIONS[i % 4] as Region;
    const customerId = `customer-${i}`;
    const expiresAt = current.plus({ days: 20 + 2 * i, hours: 6 }).toISO() as string;
    const certificates = [
      { certificateId: `${customerId}-cucm`, commonName: `cucm.${customerId}.example`, expiresAt },
      { certificateId: `${customerId}-exp`, commonName: `exp.${customerId}.example`, expiresAt },
    ];
    if (i < 4) {
      certificates.push({
        certificateId: `${customerId}-soon`,
        commonName: `soon.${customerId}.example`,
        expiresAt: current.plus({ days: 5 }).toISO() as string,
      });
    }
    certificateIds.push(...certificates.map((c) => c.certificateId));
    await directory.putCustomer({
      customerId,
      partnerId: 'acme-voice',
      name: `Customer ${i}`,
      region,
      version: '15.0 SU2',
      sso: false,
      contacts: [{ email: `it@${customerId}.example` }],
      certificates,
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  table?.client.destroy();
});

async function allChanges(): Promise<ChangeRecord[]> {
  return (await ports.changes.query({ scope: { kind: 'all' }, limit: 1000 })).items;
}

function created(summary: JobSummary): number {
  return (summary.counts.scheduled ?? 0) + (summary.counts.emergencies ?? 0);
}

describe('certificate scan, concurrent runs', () => {
  it('creates exactly one renewal per certificate when three runs race', async () => {
    // Act: the scheduled run, its retry, and a manual run under another run key, all at once.
    const summaries = await Promise.all([
      scan({ time: NIGHT }),
      scan({ time: NIGHT }),
      scan({ time: '2027-05-02T23:59:00Z' }),
    ]);

    // Assess
    const changes = await allChanges();
    const byCertificate = Map.groupBy(changes, (c) => c.certificateId);
    expect([...byCertificate.keys()].sort()).toEqual([...certificateIds].sort());
    for (const renewals of byCertificate.values()) expect(renewals).toHaveLength(1);
    expect(changes.filter((c) => c.emergency)).toHaveLength(4);

    expect(summaries.map((s) => s.counts.certificates)).toEqual([28, 28, 28]);
    expect(summaries.reduce((sum, s) => sum + created(s), 0)).toBe(28);
    expect(summaries.reduce((sum, s) => sum + (s.counts.alreadyScheduled ?? 0), 0)).toBe(56);

    const perWindow = Map.groupBy(changes, (c) => c.windowId as string);
    const used = await ports.changes.capacityUsed([...perWindow.keys()]);
    for (const [windowId, inWindow] of perWindow) expect(used.get(windowId)).toBe(inWindow.length);
  });

  it('creates nothing when two more runs race over the scheduled renewals', async () => {
    const before = await allChanges();
    const summaries = await Promise.all([scan({ time: NIGHT }), scan({ time: NIGHT })]);
    for (const summary of summaries)
      expect(summary.counts).toEqual({ certificates: 28, alreadyScheduled: 28 });
    expect(await allChanges()).toEqual(before);
  });

  it('writes the renewal after a transaction conflict with a writer that did not commit', async () => {
    // Prepare: a new certificate, and DynamoDB cancelling the first write for a conflict (as it
    // does when two transactions touch the same capacity counter at once).
    const { documents } = ports.table;
    await ports.stores.directory.putCustomer({
      customerId: 'late-joiner',
      partnerId: 'acme-voice',
      name: 'Late Joiner',
      region: 'EU',
      version: '15.0 SU2',
      sso: false,
      contacts: [{ email: 'it@late-joiner.example' }],
      certificates: [
        { certificateId: 'late-cucm', commonName: 'cucm.late.example', expiresAt: '2027-06-01T00:00:00Z' },
      ],
    });
    const send = documents.send.bind(documents);
    let conflicts = 0;
    vi.spyOn(documents, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof TransactWriteCommand && conflicts === 0) {
        conflicts++;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }],
        });
      }
      return send(command as never);
    }) as never);

    // Act
    const summary = await scan({ time: NIGHT });

    // Assess
    expect(conflicts).toBe(1);
    expect(summary.counts).toEqual({ certificates: 29, scheduled: 1, alreadyScheduled: 28 });
    const renewals = (await allChanges()).filter((c) => c.certificateId === 'late-cucm');
    expect(renewals).toHaveLength(1);
    expect(renewals[0]?.status).toBe('SCHEDULED');
  });
});
