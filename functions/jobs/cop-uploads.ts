/**
 * The COP uploads job (rules section 9), twice a day:
 *
 * 1. Provider-initiated installs, when an on-demand run carries `providerInstalls` (ops trigger it through
 *    the scheduler): each becomes a change, an emergency in the next window or a planned change, with an
 *    id derived from customer, file and run key, so a repeated run schedules nothing twice. The whole list
 *    is checked first (shape, customer, catalog); a bad entry fails the run before anything is done, with
 *    every problem named (a P1 JOB_CRASHED alert says so: an emergency fix that was not scheduled must be
 *    seen).
 * 2. Notices still owed from earlier runs (a failed delivery, or a crash after settling) are sent.
 * 3. Pending requests, oldest first, a page at a time with a checkpoint after each page: a file the
 *    catalog knows is copied to the customer's SFTP server and the request becomes UPLOADED with its
 *    `sftpPath`; any other file is REJECTED with the reason. Then the partner is mailed.
 *
 * Idempotent: the copy overwrites the same object with the same content, settling is conditional on the
 * request still being PENDING (a crash between copy and settle copies again and settles once), and the
 * notice has a ledger entry that is claimed before the mail is sent (never mailed twice).
 *
 * Failures: a copy that fails (e.g. the catalog lists a file that the storage does not hold) leaves the
 * request PENDING, counts `errors`, and the job goes on; the request is retried by the next run (the
 * catalog storage can be fixed meanwhile). A mail that is not delivered leaves the status settled and the
 * notice owed (`notifyFailed`): the next run sends it; from the third failed attempt on, a P2
 * NOTIFICATION_FAILED alert is raised (once per request). A notice nobody can receive (no partner or
 * customer record, no recipient) is given up with the same alert. Store errors are not caught: the job
 * crashes (P1 alert) and the retry resumes from the last checkpoint.
 */

import * as z from 'zod';
import { raiseAlert } from '#adapters/alerts.ts';
import { now } from '#adapters/clock.ts';
import { copFileStore } from '#adapters/cop-files.ts';
import { derivedId } from '#adapters/ids.ts';
import { mailer } from '#adapters/mailer.ts';
import { policy } from '#adapters/policy-source.ts';
import { ConcurrentUpdateError, readChangeRecord } from '#adapters/store/change-store.ts';
import {
  type CopRequest,
  type CopSettlement,
  claimCopNotice,
  listOwedCopNotices,
  listPendingCopRequests,
  readCopRequest,
  releaseCopNotice,
  settleCopNotice,
  settleCopRequest,
} from '#adapters/store/cop-store.ts';
import { type Customer, type Partner, readCustomer, readPartner } from '#adapters/store/directory-store.ts';
import { workflow } from '#adapters/workflow.ts';
import { createEmergencyChange, createPlannedChange } from '#app/changes/schedule-change.ts';
import { logger } from '#commons/logger.ts';
import { toUtcIso } from '#core/calendar.ts';
import { type CopCatalogEntry, checkCopRequest, composeCopNotice, providerCopChange } from '#core/cop.ts';
import { DomainError } from '#core/errors.ts';
import { PROVIDER_COP_EMERGENCY_REASONS } from '#core/vocabulary.ts';
import { type JobContext, jobHandler } from './job-runner.ts';

/** Pending requests read per page (a checkpoint after each). */
const PAGE_SIZE = 25;
/** From this failed delivery attempt on, people are alerted (the notice is still retried). */
const ALERT_FROM_ATTEMPT = 3;
const SENDER = process.env.NOTICE_SENDER ?? 'maintenance@calling.example';

/** Counts every run reports, even when zero. */
const HEADLINE_COUNTS = ['pending', 'uploaded', 'rejected', 'notified', 'notifyFailed', 'providerChanges'];

// ------------------------------------------------------------------------------------------------
// Provider-initiated installs

const providerInstall = z
  .strictObject({
    customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a customer id'),
    copFile: z.string().min(1).max(200),
    emergency: z.boolean(),
    reason: z.enum(PROVIDER_COP_EMERGENCY_REASONS).optional(),
    customerImpact: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((install) => !install.emergency || install.reason !== undefined, {
    path: ['reason'],
    message: 'an emergency install names its reason (security-vulnerability or prevent-outage)',
  });
export type ProviderInstall = z.output<typeof providerInstall>;

/** The job's event asked for something it cannot do; nothing was done. */
export class InvalidJobInputError extends Error {
  override readonly name = 'InvalidJobInputError';
}

/** The change id of a provider install: the same customer, file and run key give the same id. */
export function providerChangeId(customerId: string, copFile: string, runKey: string): string {
  return derivedId('chg_cop', `${customerId}\n${copFile}\n${runKey}`);
}

/** Every install of the event, checked against the customers and the catalog; throws naming each problem. */
async function checkProviderInstalls(
  raw: unknown,
): Promise<{ install: ProviderInstall; customer: Customer }[]> {
  if (raw === undefined) return [];
  const parsed = z.array(providerInstall).max(100).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `providerInstalls.${i.path.join('.')}: ${i.message}`);
    throw new InvalidJobInputError(`invalid providerInstalls, nothing was done: ${problems.join('; ')}`);
  }
  const problems: string[] = [];
  const checked: { install: ProviderInstall; customer: Customer }[] = [];
  for (const [index, install] of parsed.data.entries()) {
    const customer = await readCustomer(install.customerId);
    const check = checkCopRequest(policy, install.copFile);
    if (!customer) problems.push(`providerInstalls.${index}: customer ${install.customerId} does not exist`);
    if (!check.ok) problems.push(`providerInstalls.${index}: ${check.reason}`);
    if (customer && check.ok) checked.push({ install, customer });
  }
  if (problems.length > 0) {
    throw new InvalidJobInputError(`invalid providerInstalls, nothing was done: ${problems.join('; ')}`);
  }
  return checked;
}

/** Did a create fail only because this change was written before (by an earlier run)? */
async function alreadyWritten(error: unknown, changeId: string): Promise<boolean> {
  if (error instanceof DomainError && error.code === 'CHANGE_EXISTS') return true;
  // The store refuses a second put of the same id as a concurrent update; tell it from a real conflict.
  return error instanceof ConcurrentUpdateError && (await readChangeRecord(changeId)) !== null;
}

async function scheduleProviderInstall(
  job: JobContext,
  { install, customer }: { install: ProviderInstall; customer: Customer },
): Promise<void> {
  const changeId = providerChangeId(install.customerId, install.copFile, job.runKey);
  const change = providerCopChange({
    ...install,
    partnerId: customer.partnerId,
    region: customer.region,
  });
  try {
    const transition = change.emergency
      ? await createEmergencyChange({ ...change.fields, changeId, actor: 'ops' }, change.when, now())
      : await createPlannedChange({ ...change.fields, changeId, actor: 'ops' }, now());
    job.count('providerChanges');
    logger.info('provider COP install scheduled', {
      changeId,
      customerId: install.customerId,
      copFile: install.copFile,
      emergency: install.emergency,
      windowStart: transition.change.window.start,
    });
  } catch (error) {
    if (!(await alreadyWritten(error, changeId))) throw error;
    job.count('alreadyScheduled');
    // An earlier run may have crashed between writing the change and starting its lifecycle; a start
    // of a lifecycle that runs already is ignored by the workflow port (one execution per change id).
    const existing = await readChangeRecord(changeId);
    if (existing) await workflow().startLifecycle(existing);
  }
}

// ------------------------------------------------------------------------------------------------
// Notices

interface Party {
  partner: Partner;
  customer: Customer;
}

/** Partners and customers read once per run. */
function partyCache() {
  const partners = new Map<string, Promise<Partner | null>>();
  const customers = new Map<string, Promise<Customer | null>>();
  return async (request: CopRequest): Promise<Party | null> => {
    if (!partners.has(request.partnerId)) partners.set(request.partnerId, readPartner(request.partnerId));
    if (!customers.has(request.customerId)) {
      customers.set(request.customerId, readCustomer(request.customerId));
    }
    const [partner, customer] = await Promise.all([
      partners.get(request.partnerId),
      customers.get(request.customerId),
    ]);
    return partner && customer ? { partner, customer } : null;
  };
}
type PartyOf = ReturnType<typeof partyCache>;

function catalogEntry(copFile: string): CopCatalogEntry | undefined {
  const check = checkCopRequest(policy, copFile);
  return check.ok ? check.entry : undefined;
}

async function alertUndelivered(request: CopRequest, reason: string): Promise<void> {
  await raiseAlert('NOTIFICATION_FAILED', {
    raisedAt: now(),
    subject: `The outcome of COP request ${request.requestId} could not be mailed to partner ${request.partnerId}`,
    detail: {
      requestId: request.requestId,
      partnerId: request.partnerId,
      customerId: request.customerId,
      copFile: request.copFile,
      status: request.status,
      reason,
    },
    dedupeKey: `NOTIFICATION_FAILED#${request.requestId}`,
  });
}

/** A notice that can never be delivered: given up for good, with an alert for people. */
async function giveUpNotice(job: JobContext, request: CopRequest, reason: string): Promise<void> {
  await settleCopNotice(request.requestId, { state: 'FAILED', reason, at: toUtcIso(now()) });
  job.count('notifyUndeliverable');
  logger.error('COP notice given up', { requestId: request.requestId, reason });
  await alertUndelivered(request, reason);
}

/** Sends the owed notice of a settled request, at most once (ledger). */
async function deliverNotice(job: JobContext, requestId: string, partyOf: PartyOf): Promise<void> {
  const claim = await claimCopNotice(requestId, now());
  if (!claim.claimed) return;
  const request = await readCopRequest(requestId);
  if (!request || request.status === 'PENDING') {
    // Cannot happen: the ledger entry is written with the settlement. Say so rather than loop on it.
    await settleCopNotice(requestId, {
      state: 'FAILED',
      reason: request ? 'the request is still PENDING' : 'the request does not exist',
      at: toUtcIso(now()),
    });
    job.count('notifyUndeliverable');
    return;
  }
  const party = await partyOf(request);
  if (!party) return giveUpNotice(job, request, 'the partner or customer record is missing');
  const notice = composeCopNotice(
    { ...request, status: request.status },
    { partner: party.partner, customer: party.customer },
    catalogEntry(request.copFile),
  );
  if (notice.to.length === 0 && notice.cc.length === 0) {
    return giveUpNotice(job, request, 'nobody is subscribed to receive it');
  }
  let messageId: string;
  try {
    ({ messageId } = await mailer().send({
      from: SENDER,
      to: notice.to.length > 0 ? notice.to : notice.cc,
      cc: notice.to.length > 0 ? notice.cc : [],
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
      // The settlement's time: a retried send is the same message.
      date: new Date(request.updatedAt),
      headers: { 'X-Cop-Request-Id': request.requestId },
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await releaseCopNotice(requestId, reason);
    job.count('notifyFailed');
    logger.warn('COP notice not delivered; the next run retries it', {
      requestId,
      attempt: claim.attempt,
      reason,
    });
    if (claim.attempt >= ALERT_FROM_ATTEMPT) {
      await alertUndelivered(request, `${claim.attempt} delivery attempts failed, the last: ${reason}`);
    }
    return;
  }
  await settleCopNotice(requestId, { state: 'SENT', messageId, at: toUtcIso(now()) });
  job.count('notified');
}

// ------------------------------------------------------------------------------------------------
// Pending requests

async function settle(job: JobContext, listed: CopRequest, partyOf: PartyOf): Promise<void> {
  job.count('pending');
  // The listing is an index (eventually consistent): read the request itself before acting on it.
  const request = await readCopRequest(listed.requestId);
  if (request?.status !== 'PENDING') {
    job.count('alreadySettled');
    return;
  }
  const check = checkCopRequest(policy, request.copFile);
  let settlement: CopSettlement;
  if (check.ok) {
    try {
      const { sftpPath } = await copFileStore().copyToCustomer(request.copFile, request.customerId);
      settlement = { status: 'UPLOADED', sftpPath };
    } catch (error) {
      job.count('errors');
      logger.error('COP file not copied; the request stays PENDING and the next run retries it', {
        requestId: request.requestId,
        customerId: request.customerId,
        copFile: request.copFile,
        error: error as Error,
      });
      return;
    }
  } else {
    settlement = { status: 'REJECTED', rejectionReason: check.reason };
  }
  const outcome = await settleCopRequest(request.requestId, settlement, toUtcIso(now()));
  if (outcome === 'already-settled') {
    job.count('alreadySettled');
    return;
  }
  job.count(settlement.status === 'UPLOADED' ? 'uploaded' : 'rejected');
  logger.info('COP request settled', {
    requestId: request.requestId,
    status: settlement.status,
    ...(settlement.status === 'UPLOADED'
      ? { sftpPath: settlement.sftpPath }
      : { rejectionReason: settlement.rejectionReason }),
  });
  await deliverNotice(job, request.requestId, partyOf);
}

export const handler = jobHandler('cop-uploads', async (job) => {
  for (const name of HEADLINE_COUNTS) job.count(name, 0);
  const installs = await checkProviderInstalls(job.event.providerInstalls);
  for (const install of installs) await scheduleProviderInstall(job, install);

  const partyOf = partyCache();
  // Notices owed by earlier runs first: a notice that fails in this run waits for the next one.
  for (const owed of await listOwedCopNotices()) await deliverNotice(job, owed.requestId, partyOf);

  let startKey = job.cursor?.pendingAfter as Record<string, unknown> | undefined;
  do {
    const page = await listPendingCopRequests({ limit: PAGE_SIZE, ...(startKey ? { startKey } : {}) });
    for (const request of page.items) await settle(job, request, partyOf);
    startKey = page.nextKey;
    await job.checkpoint(startKey ? { pendingAfter: startKey } : undefined);
  } while (startKey);
});
