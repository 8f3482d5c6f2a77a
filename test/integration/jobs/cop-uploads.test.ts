/**
 * The COP uploads job (rules section 9) against DynamoDB Local, with the API for requests and reads, a
 * local folder pair as catalog and SFTP store, a recording mailer and a fixed clock (Monday 2026-11-23
 * 15:00Z, 10:00 in New York). Each test leaves nothing pending, so every run's counts are its own.
 */
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidJobInputError, providerChangeId } from '#app/jobs/cop-provider-installs.ts';
import type { JobEvent, JobSummary } from '#app/jobs/run-job.ts';
import { type CopFileStore, type Mailer, MailNotSentError, type OutgoingMail } from '#app/ports.ts';
import { copUploadsJob } from '#jobs/cop-uploads.ts';
import { LocalCopFolders, seedLocalCatalog } from '#local/cop-folders.ts';
import { invokeJob } from '#local/lambda-context.ts';
import { RecordingMailer } from '../../support/doubles.ts';
import { listAllChanges, MONDAY, readChange, tableSnapshot } from '../api/fixtures.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

const FIRMWARE = 'cmterm-78xx.14-3-1-0001-12.k4.cop.sgn';
const LOCALE_DE = 'cm-locale-de_DE-15.0.1.1000-1.cop.sgn';
const LOCALE_JA = 'cm-locale-ja_JP-15.0.1.1000-1.cop.sgn';
const DEVICE_PACK = 'cmterm-devicepack15.0.1.12900-1.cop.sha512';

interface CopView {
  requestId: string;
  partnerId: string;
  customerId: string;
  copFile: string;
  status: string;
  sftpPath?: string;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

let api: TestApi;
let root: string;
let catalogDir: string;
let sftpDir: string;
let recorder: RecordingMailer;
/** What the job's runs use: the test swaps them to make SES or the copy fail. */
let mailer: Mailer;
let copFiles: CopFileStore;

/** A run of the job, on the test's ports with the mailer and the COP store of the moment. */
const runJob = (event: JobEvent = {}): Promise<JobSummary> =>
  invokeJob('cop-uploads', copUploadsJob({ ...api.ports, mailer, copFiles }))(event);

beforeAll(async () => {
  api = await startTestApi(MONDAY);
  root = await mkdtemp(join(tmpdir(), 'cop-uploads-'));
  catalogDir = join(root, 'catalog');
  sftpDir = join(root, 'sftp');
  await seedLocalCatalog(catalogDir, api.ports.policy);
  recorder = new RecordingMailer();
  mailer = recorder;
  copFiles = new LocalCopFolders({ catalogDir, sftpDir });
});

afterAll(async () => {
  await api?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function requestCop(copFile: string, customerId = 'globex'): Promise<CopView> {
  const response = await api.call<CopView>('POST', '/cop-requests', {
    key: customerId === 'umbrella-jp' ? api.keys.pacific : api.keys.acme,
    body: { customerId, copFile },
  });
  expect(response.status, response.text).toBe(202);
  return response.body;
}

/** GET /cop-requests/{id} as the owning partner. */
async function readCop(request: CopView): Promise<CopView> {
  const response = await api.call<CopView>('GET', `/cop-requests/${request.requestId}`, {
    key: request.customerId === 'umbrella-jp' ? api.keys.pacific : api.keys.acme,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

async function filesOf(customerId: string): Promise<string[]> {
  try {
    return (await readdir(join(sftpDir, customerId, 'cop'))).sort();
  } catch {
    return [];
  }
}

/** The mails sent while `act` ran. */
async function mailsDuring(act: () => Promise<unknown>): Promise<OutgoingMail[]> {
  const before = recorder.sent.length;
  await act();
  return recorder.sent.slice(before);
}

const mailAbout = (mails: OutgoingMail[], request: CopView) =>
  mails.filter((mail) => mail.subject.includes(request.requestId));

/** The COP requests and their ledger entries, as stored. */
async function copItems(): Promise<Record<string, Record<string, unknown>>> {
  const all = await tableSnapshot(api);
  return Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith('COP#')));
}

describe('cop-uploads: requests the catalog knows', () => {
  it("copies the file to the customer's SFTP folder, marks the request UPLOADED and tells the partner where", async () => {
    // Prepare
    const request = await requestCop(FIRMWARE);

    // Act
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });

    // Assess
    expect(summary?.counts).toMatchObject({
      pending: 1,
      uploaded: 1,
      rejected: 0,
      notified: 1,
      notifyFailed: 0,
    });
    expect(await filesOf('globex')).toEqual([FIRMWARE]);
    expect(await readCop(request)).toEqual({
      ...request,
      status: 'UPLOADED',
      sftpPath: `/globex/cop/${FIRMWARE}`,
      updatedAt: MONDAY,
    });
    expect(mails).toHaveLength(1);
    const [mail] = mails as [OutgoingMail];
    expect(mail.to).toEqual(['noc@acme-voice.example']);
    expect(mail.cc).toEqual(['it@globex.example']);
    expect(mail.subject).toContain(request.requestId);
    expect(mail.subject).toContain(FIRMWARE);
    expect(mail.text).toContain(`Location on the SFTP server: /globex/cop/${FIRMWARE}`);
    expect(mail.text).toContain('please install it yourself');
    expect(mail.headers).toEqual({ 'X-Cop-Request-Id': request.requestId });
  });

  it('settles the oldest request first and serves each customer in its own folder', async () => {
    // Prepare
    const first = await requestCop(DEVICE_PACK, 'initech');
    api.clock.advance({ minutes: 1 });
    const second = await requestCop(LOCALE_JA, 'umbrella-jp');

    // Act
    const mails = await mailsDuring(() => runJob());

    // Assess
    expect(mails.map((mail) => mail.subject.slice(1, mail.subject.indexOf(']')))).toEqual([
      first.requestId,
      second.requestId,
    ]);
    expect(await filesOf('initech')).toEqual([DEVICE_PACK]);
    expect(await filesOf('umbrella-jp')).toEqual([LOCALE_JA]);
    expect((await readCop(second)).sftpPath).toBe(`/umbrella-jp/cop/${LOCALE_JA}`);
    expect(mailAbout(mails, second)[0]?.to).toEqual(['ops@pacific-telecom.example']);
  });
});

describe('cop-uploads: a file the catalog does not know', () => {
  it('rejects the request with the reason, tells the partner why, and copies nothing', async () => {
    // Prepare
    const request = await requestCop('cmterm-99xx.1-0-0-1.cop.sgn', 'initech');
    const filesBefore = await filesOf('initech');

    // Act
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 1, uploaded: 0, rejected: 1, notified: 1 });
    const stored = await readCop(request);
    expect(stored.status).toBe('REJECTED');
    expect(stored.sftpPath).toBeUndefined();
    expect(stored.rejectionReason).toContain('cmterm-99xx.1-0-0-1.cop.sgn');
    expect(stored.rejectionReason).toContain("not in the provider's catalog");
    expect(await filesOf('initech')).toEqual(filesBefore);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(request.requestId);
    expect(mails[0]?.subject).toContain('could not be uploaded');
    expect(mails[0]?.text).toContain(`Reason: ${stored.rejectionReason}`);
  });
});

describe('cop-uploads: running again', () => {
  it('changes nothing and mails nothing more', async () => {
    // Prepare
    const before = await copItems();

    // Act
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 0, uploaded: 0, rejected: 0, notified: 0 });
    expect(mails).toEqual([]);
    expect(await copItems()).toEqual(before);
  });
});

describe('cop-uploads: a copy that fails', () => {
  it('leaves that request PENDING, counts an error, settles the others, and retries it next run', async () => {
    // Prepare: the catalog lists the German locale, but its file is gone from the storage.
    const hidden = join(root, 'hidden.cop.sgn');
    await rename(join(catalogDir, LOCALE_DE), hidden);
    const broken = await requestCop(LOCALE_DE);
    api.clock.advance({ minutes: 1 });
    const fine = await requestCop(LOCALE_JA);

    // Act
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 2, uploaded: 1, errors: 1, notified: 1 });
    expect((await readCop(broken)).status).toBe('PENDING');
    expect((await readCop(fine)).status).toBe('UPLOADED');
    expect(await filesOf('globex')).toEqual([LOCALE_JA, FIRMWARE].sort());
    expect(mailAbout(mails, broken)).toEqual([]);
    expect(mailAbout(mails, fine)).toHaveLength(1);

    // Act: the storage is repaired; the next run uploads it.
    await rename(hidden, join(catalogDir, LOCALE_DE));
    const retried = await mailsDuring(() => runJob());

    // Assess
    expect((await readCop(broken)).status).toBe('UPLOADED');
    expect(await filesOf('globex')).toContain(LOCALE_DE);
    expect(mailAbout(retried, broken)).toHaveLength(1);
    expect(retried).toHaveLength(1);
  });

  it('is safe when the run dies between the copy and the status update: copied again, settled and mailed once', async () => {
    // Prepare: a store that copies and then "crashes" before answering.
    const real = new LocalCopFolders({ catalogDir, sftpDir });
    copFiles = {
      async copyToCustomer(copFile, customerId) {
        await real.copyToCustomer(copFile, customerId);
        throw new Error('Task timed out after 900.00 seconds');
      },
    };
    const request = await requestCop(DEVICE_PACK);
    const firstRun = await mailsDuring(() => runJob());
    expect(await filesOf('globex')).toContain(DEVICE_PACK);
    expect((await readCop(request)).status).toBe('PENDING');
    expect(firstRun).toEqual([]);

    // Act
    copFiles = real;
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 1, uploaded: 1, notified: 1 });
    expect((await readCop(request)).status).toBe('UPLOADED');
    expect(mailAbout(mails, request)).toHaveLength(1);
  });
});

describe('cop-uploads: interrupted and concurrent runs', () => {
  it('mails a request that an earlier run settled but died before mailing, once', async () => {
    // Prepare: settled as a run does it, and no mail sent.
    const request = await requestCop(LOCALE_JA, 'initech');
    const settled = await api.ports.copRequests.settle(
      request.requestId,
      { status: 'UPLOADED', sftpPath: `/initech/cop/${LOCALE_JA}` },
      api.clock.now().toUTC().toISO() as string,
    );
    expect(settled).toBe('settled');

    // Act
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });
    const again = await mailsDuring(() => runJob());

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 0, uploaded: 0, notified: 1 });
    expect(mails.map((mail) => mail.subject)).toEqual([expect.stringContaining(request.requestId)]);
    expect(again).toEqual([]);
  });

  it('settles and mails each request once when two runs race', async () => {
    // Prepare
    const first = await requestCop(LOCALE_DE, 'umbrella-jp');
    const second = await requestCop(DEVICE_PACK, 'umbrella-jp');

    // Act
    let summaries: JobSummary[] = [];
    const mails = await mailsDuring(async () => {
      summaries = await Promise.all([runJob(), runJob()]);
    });

    // Assess
    expect(mailAbout(mails, first)).toHaveLength(1);
    expect(mailAbout(mails, second)).toHaveLength(1);
    expect(mails).toHaveLength(2);
    expect(summaries.reduce((sum, s) => sum + (s.counts.uploaded ?? 0), 0)).toBe(2);
    expect(summaries.reduce((sum, s) => sum + (s.counts.errors ?? 0), 0)).toBe(0);
    expect(await filesOf('umbrella-jp')).toEqual([LOCALE_JA, LOCALE_DE, DEVICE_PACK].sort());
    expect((await readCop(first)).status).toBe('UPLOADED');
    expect((await readCop(second)).status).toBe('UPLOADED');
  });
});

describe('cop-uploads: a mail that is not delivered', () => {
  it('keeps the status, counts notifyFailed, alerts from the third attempt, and sends it once on a later run', async () => {
    // Prepare
    const failing: Mailer = {
      async send() {
        throw new MailNotSentError('SES did not send it (Throttling: Rate exceeded)');
      },
    };
    const request = await requestCop(FIRMWARE, 'initech');

    // Act: three runs while SES refuses.
    mailer = failing;
    const failed: JobSummary[] = [];
    for (let run = 0; run < 3; run++) {
      failed.push(await runJob());
      api.clock.advance({ minutes: 10 });
    }
    mailer = recorder;

    // Assess
    expect(failed[0]?.counts).toMatchObject({ pending: 1, uploaded: 1, notified: 0, notifyFailed: 1 });
    expect(failed[1]?.counts).toMatchObject({ pending: 0, uploaded: 0, notified: 0, notifyFailed: 1 });
    expect((await readCop(request)).status).toBe('UPLOADED');
    const alerts = await api.call<{ items: { event: string; detail: Record<string, unknown> }[] }>(
      'GET',
      '/alerts?status=open',
    );
    const aboutRequest = alerts.body.items.filter((alert) => alert.detail.requestId === request.requestId);
    expect(aboutRequest).toHaveLength(1);
    expect(aboutRequest[0]?.event).toBe('NOTIFICATION_FAILED');

    // Act: SES takes mail again.
    let summary: JobSummary | undefined;
    const mails = await mailsDuring(async () => {
      summary = await runJob();
    });
    const again = await mailsDuring(() => runJob());

    // Assess
    expect(summary?.counts).toMatchObject({ pending: 0, notified: 1, notifyFailed: 0 });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(request.requestId);
    // Dated when the request was settled, as every attempt was.
    expect(mails[0]?.date.toISOString()).toBe(new Date((await readCop(request)).updatedAt).toISOString());
    expect(again).toEqual([]);
  });
});

describe('cop-uploads: provider-initiated installs', () => {
  const runKey = () => api.clock.now().toISODate() as string;

  it('schedules an emergency fix as an emergency patch change in the next window', async () => {
    // Act
    const summary = await runJob({
      providerInstalls: [
        {
          customerId: 'globex',
          copFile: FIRMWARE,
          emergency: true,
          reason: 'security-vulnerability',
          customerImpact: 'Phones restart once during the window.',
        },
      ],
    });

    // Assess
    expect(summary.counts).toMatchObject({ providerChanges: 1 });
    const change = await readChange(api, providerChangeId('globex', FIRMWARE, runKey()));
    expect(change).toMatchObject({
      customerId: 'globex',
      partnerId: 'acme-voice',
      type: 'patch',
      emergency: true,
      reason: 'security-vulnerability',
      customerImpact: 'Phones restart once during the window.',
      status: 'CONFIRMED',
      reschedulesRemaining: 0,
    });
    // `when` is not part of the API's view: the SCHEDULED entry and the stored record tell it.
    expect(change.history?.find((entry) => entry.event === 'SCHEDULED')?.detail).toMatchObject({
      emergency: true,
      when: 'next-window',
    });
    expect((await api.ports.changes.readRecord(change.changeId))?.when).toBe('next-window');
    expect(change.title).toContain(FIRMWARE);
    // Monday afternoon UTC is Monday morning in New York: the next window starts Monday 21:00 EST.
    expect(change.window.start).toBe('2026-11-24T02:00:00Z');
  });

  it('schedules any other install as a planned patch change with full notice', async () => {
    // Act
    const summary = await runJob({
      providerInstalls: [{ customerId: 'globex', copFile: DEVICE_PACK, emergency: false }],
    });

    // Assess
    expect(summary.counts).toMatchObject({ providerChanges: 1 });
    const change = await readChange(api, providerChangeId('globex', DEVICE_PACK, runKey()));
    expect(change).toMatchObject({
      type: 'patch',
      emergency: false,
      urgent: false,
      disruptsCalling: true,
      status: 'SCHEDULED',
      reschedulesRemaining: 1,
      title: `Install COP file ${DEVICE_PACK}`,
    });
    // Ten business days after Monday 23 Nov (Thanksgiving on the 26th does not count): Tuesday 8 Dec.
    expect(change.window.start).toBe('2026-12-09T02:00:00Z');
  });

  it('schedules nothing twice when the same run key runs again', async () => {
    // Prepare
    const before = await listAllChanges(api, 'customerId=globex');

    // Act
    const summary = await runJob({
      providerInstalls: [
        { customerId: 'globex', copFile: FIRMWARE, emergency: true, reason: 'security-vulnerability' },
        { customerId: 'globex', copFile: DEVICE_PACK, emergency: false },
      ],
    });

    // Assess
    expect(summary.counts).toMatchObject({ providerChanges: 0, alreadyScheduled: 2 });
    expect(await listAllChanges(api, 'customerId=globex')).toEqual(before);
  });

  it('refuses a bad list as a whole, naming each problem, and schedules nothing', async () => {
    // Prepare
    const before = await listAllChanges(api);

    // Act
    const run = runJob({
      providerInstalls: [
        { customerId: 'initech', copFile: LOCALE_DE, emergency: false },
        { customerId: 'nobody', copFile: LOCALE_DE, emergency: false },
        { customerId: 'initech', copFile: 'unknown.cop.sgn', emergency: false },
        { customerId: 'initech', copFile: LOCALE_DE, emergency: true },
      ],
    });

    // Assess
    await expect(run).rejects.toThrow(InvalidJobInputError);
    await expect(run).rejects.toThrow(/providerInstalls\.3\.reason: an emergency install names its reason/);
    await expect(
      runJob({
        restart: true,
        providerInstalls: [
          { customerId: 'nobody', copFile: LOCALE_DE, emergency: false },
          { customerId: 'initech', copFile: 'unknown.cop.sgn', emergency: false },
        ],
      }),
    ).rejects.toThrow(
      /providerInstalls\.0: customer nobody does not exist; providerInstalls\.1: .*not in the provider's catalog/,
    );
    expect(await listAllChanges(api)).toEqual(before);
  });
});
