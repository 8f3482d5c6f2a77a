/**
 * POST /v1/backups stores each record with its class at recording time, so the nightly retention
 * job writes only what changed since; GET /v1/backups still computes the class on read (right between
 * nightly runs) and shows neither the stored class nor the job's bookkeeping.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '#app/jobs/run-job.ts';
import { backupRetentionJob } from '#jobs/backup-retention.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let job: (event: Record<string, unknown>) => Promise<JobSummary>;

beforeAll(async () => {
  api = await startTestApi('2026-11-19T07:10:00Z');
  job = invokeJob('backup-retention', backupRetentionJob(api.ports));
});
afterAll(async () => api?.close());

async function record(takenAt: string, application = 'CUCM', status = 'succeeded') {
  api.clock.set(takenAt);
  api.clock.advance({ minutes: 10 });
  const response = await api.call<Record<string, unknown>>('POST', '/backups', {
    body: { customerId: 'globex', application, takenAt, status },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

async function storedCucm(): Promise<Record<string, unknown>[]> {
  const page = await api.table.doc.send(
    new ScanCommand({
      TableName: api.table.tableName,
      FilterExpression: 'pk = :pk AND application = :app',
      ExpressionAttributeValues: { ':pk': 'BACKUPS#globex', ':app': 'CUCM' },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).sort((a, b) => String(a.takenAt).localeCompare(String(b.takenAt)));
}

describe('backup records and the nightly retention job', () => {
  it('stores the class of a new record when it is recorded', async () => {
    // Act
    const body = await record('2026-11-19T07:00:00Z');
    const failed = await record('2026-11-19T08:00:00Z', 'CER', 'failed');

    // Assess
    expect(body).toMatchObject({ retention: 'DATA_CENTRE' });
    expect(failed).toMatchObject({ retention: 'EXPIRED', expiresAt: '2026-11-26T08:00:00Z' });
    const [stored] = await storedCucm();
    expect(stored).toMatchObject({ takenAt: '2026-11-19T07:00:00Z', retention: 'DATA_CENTRE' });
    expect(stored).not.toHaveProperty('expiresAt');
  });

  it('lets the nightly run write only what changed since the records were stored', async () => {
    // Prepare: three more nights of good CUCM backups, each stored as the latest.
    for (const day of ['20', '21', '22']) await record(`2026-11-${day}T07:00:00Z`);
    api.clock.set('2026-11-23T11:31:00Z');

    // Act
    const summary = await job({ time: '2026-11-23T11:30:00Z' });

    // Assess: of globex's records only the oldest CUCM one changed (no longer one of the 3 latest).
    expect(summary.counts).toMatchObject({ reclassified: 1, expired: 0, dropped: 0, skipped: 0 });
    const stored = await storedCucm();
    expect(stored.map((s) => [s.takenAt, s.retention, s.expiresAt])).toEqual([
      ['2026-11-19T07:00:00Z', 'EXTENDED', '2026-12-22T07:00:00Z'],
      ['2026-11-20T07:00:00Z', 'DATA_CENTRE', undefined],
      ['2026-11-21T07:00:00Z', 'DATA_CENTRE', undefined],
      ['2026-11-22T07:00:00Z', 'DATA_CENTRE', undefined],
    ]);
  });

  it('answers GET with the class computed at the time of the request, before and after the next run', async () => {
    // Prepare: 36 days later, with no nightly run since: the stored class of the oldest is stale.
    api.clock.set('2026-12-29T12:00:00Z');
    const expected = {
      backupId: expect.stringMatching(/^bkp_/),
      customerId: 'globex',
      application: 'CUCM',
      takenAt: '2026-11-19T07:00:00Z',
      status: 'succeeded',
      retention: 'EXPIRED',
      expiresAt: '2026-12-22T07:00:00Z',
    };
    const oldest = async () => {
      const response = await api.call<{ items: Record<string, unknown>[] }>(
        'GET',
        '/backups?customerId=globex&application=CUCM',
      );
      expect(response.status).toBe(200);
      return response.body.items.find((item) => item.takenAt === '2026-11-19T07:00:00Z');
    };

    // Act and assess: before the run, the class is computed on read ...
    expect((await storedCucm())[0]).toMatchObject({ retention: 'EXTENDED' });
    expect(await oldest()).toEqual(expected);

    // ... and after it, the stored bookkeeping (expiredAt) stays out of the answer.
    const summary = await job({ time: '2026-12-29T11:30:00Z' });
    expect(summary.counts).toMatchObject({ expired: 1 });
    expect((await storedCucm())[0]).toMatchObject({
      retention: 'EXPIRED',
      expiredAt: '2026-12-29T11:30:00Z',
    });
    expect(await oldest()).toEqual(expected);
  });
});
