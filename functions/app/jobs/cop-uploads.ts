/**
 * The COP uploads job (rules section 9), twice a day:
 *
 * 1. Provider-initiated installs, when an on-demand run carries `providerInstalls`
 *    (cop-provider-installs.ts).
 * 2. Notices still owed from earlier runs (a failed delivery, or a crash after settling) are sent.
 * 3. Pending requests, oldest first, a page at a time with a checkpoint after each page: a file the
 *    catalog knows is copied to the customer's SFTP server and the request becomes UPLOADED with its
 *    `sftpPath`; any other file is REJECTED with the reason. Then the partner is mailed.
 *
 * Idempotent: the copy overwrites the same object with the same content, settling is conditional on the
 * request still being PENDING (a crash between copy and settle copies again and settles once), and the
 * notice goes through the notice ledger (deliverNotice: never mailed twice).
 *
 * Failures: a copy that fails (e.g. the catalog lists a file that the storage does not hold) leaves the
 * request PENDING, counts `errors`, and the job goes on; the request is retried by the next run (the
 * catalog storage can be fixed meanwhile). A mail that is not delivered leaves the status settled and the
 * notice owed (`notifyFailed`): the next run sends it; from the third failed attempt on, a P2
 * NOTIFICATION_FAILED alert is raised (once per request). A notice nobody can receive (no partner or
 * customer record, no recipient) is given up with the same alert. Store errors are not caught: the job
 * crashes (P1 alert) and the retry resumes from the last checkpoint.
 */

import { raiseAlert } from '#app/alerts/raise-alert.ts';
import { deliverNotice } from '#app/notices/deliver-notice.ts';
import type { PageCursor, Ports } from '#app/ports.ts';
import { logger } from '#commons/logger.ts';
import { toUtcIso } from '#core/calendar.ts';
import { type CopRequest, type CopSettlement, checkCopRequest, composeCopNotice } from '#core/cop.ts';
import type { Customer, Partner } from '#core/directory.ts';
import { checkProviderInstalls, scheduleProviderInstall } from './cop-provider-installs.ts';
import type { JobContext, JobPorts } from './run-job.ts';

/** The requests, the files, the notices and their mail, and the changes of provider installs. */
export type CopUploadsPorts = JobPorts &
  Pick<
    Ports,
    | 'directory'
    | 'copRequests'
    | 'copFiles'
    | 'noticeLedger'
    | 'mailer'
    | 'noticeSender'
    | 'changes'
    | 'events'
    | 'workflow'
    | 'ids'
  >;

/** Pending requests read per page (a checkpoint after each). */
const PAGE_SIZE = 25;
/** From this failed delivery attempt on, people are alerted (the notice is still retried). */
const ALERT_FROM_ATTEMPT = 3;

/** Counts every run reports, even when zero. */
const HEADLINE_COUNTS = ['pending', 'uploaded', 'rejected', 'notified', 'notifyFailed', 'providerChanges'];

type Party = { partner: Partner; customer: Customer };

/** Partners and customers read once per run. */
function partyCache(ports: Pick<Ports, 'directory'>) {
  const partners = new Map<string, Promise<Partner | null>>();
  const customers = new Map<string, Promise<Customer | null>>();
  return async (request: CopRequest): Promise<Party | null> => {
    if (!partners.has(request.partnerId)) {
      partners.set(request.partnerId, ports.directory.readPartner(request.partnerId));
    }
    if (!customers.has(request.customerId)) {
      customers.set(request.customerId, ports.directory.readCustomer(request.customerId));
    }
    const [partner, customer] = await Promise.all([
      partners.get(request.partnerId),
      customers.get(request.customerId),
    ]);
    return partner && customer ? { partner, customer } : null;
  };
}
type PartyOf = ReturnType<typeof partyCache>;

async function alertUndelivered(ports: CopUploadsPorts, request: CopRequest, reason: string): Promise<void> {
  await raiseAlert(ports, 'NOTIFICATION_FAILED', {
    raisedAt: ports.clock.now(),
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

/** Sends the owed notice of a settled request, at most once (the notice ledger). */
async function notifyPartner(
  ports: CopUploadsPorts,
  job: JobContext,
  requestId: string,
  partyOf: PartyOf,
): Promise<void> {
  const read = await ports.copRequests.read(requestId);
  // The ledger entry is written with the settlement, so this cannot happen; it is settled, not looped on.
  const settled = read && read.status !== 'PENDING' ? { ...read, status: read.status } : null;
  const delivery = await deliverNotice(ports, {
    ref: { copRequestId: requestId },
    at: ports.clock.now(),
    headers: { 'X-Cop-Request-Id': requestId },
    async compose() {
      if (!settled)
        return { undeliverable: read ? 'the request is still PENDING' : 'the request does not exist' };
      const party = await partyOf(settled);
      if (!party) return { undeliverable: 'the partner or customer record is missing' };
      const check = checkCopRequest(ports.policy, settled.copFile);
      // The settlement's time: a retried send is the same message.
      const notice = composeCopNotice(settled, party, check.ok ? check.entry : undefined);
      return { notice, date: new Date(settled.updatedAt) };
    },
  });
  switch (delivery.kind) {
    case 'not-claimed':
      return;
    case 'sent':
      job.count('notified');
      return;
    case 'undeliverable':
      job.count('notifyUndeliverable');
      if (!settled) return;
      logger.error('COP notice given up', { requestId, reason: delivery.reason });
      return alertUndelivered(ports, settled, delivery.reason);
    case 'failed':
      job.count('notifyFailed');
      logger.warn('COP notice not delivered; the next run retries it', {
        requestId,
        attempt: delivery.attempt,
        reason: delivery.reason,
      });
      if (settled && delivery.attempt >= ALERT_FROM_ATTEMPT) {
        await alertUndelivered(
          ports,
          settled,
          `${delivery.attempt} delivery attempts failed, the last: ${delivery.reason}`,
        );
      }
  }
}

async function settle(
  ports: CopUploadsPorts,
  job: JobContext,
  listed: CopRequest,
  partyOf: PartyOf,
): Promise<void> {
  job.count('pending');
  // The listing is an index (eventually consistent): read the request itself before acting on it.
  const request = await ports.copRequests.read(listed.requestId);
  if (request?.status !== 'PENDING') {
    job.count('alreadySettled');
    return;
  }
  const check = checkCopRequest(ports.policy, request.copFile);
  let settlement: CopSettlement;
  if (check.ok) {
    try {
      const { sftpPath } = await ports.copFiles.copyToCustomer(request.copFile, request.customerId);
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
  const outcome = await ports.copRequests.settle(request.requestId, settlement, toUtcIso(ports.clock.now()));
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
  await notifyPartner(ports, job, request.requestId, partyOf);
}

export async function copUploads(ports: CopUploadsPorts, job: JobContext): Promise<void> {
  for (const name of HEADLINE_COUNTS) job.count(name, 0);
  const installs = await checkProviderInstalls(ports, job.event.providerInstalls);
  for (const install of installs) await scheduleProviderInstall(ports, job, install);

  const partyOf = partyCache(ports);
  // Notices owed by earlier runs first: a notice that fails in this run waits for the next one.
  for (const owed of await ports.copRequests.owedNotices())
    await notifyPartner(ports, job, owed.requestId, partyOf);

  let after = job.cursor?.pendingAfter as PageCursor | undefined;
  do {
    const page = await ports.copRequests.pendingPage({ limit: PAGE_SIZE, ...(after ? { after } : {}) });
    for (const request of page.items) await settle(ports, job, request, partyOf);
    after = page.next;
    await job.checkpoint(after ? { pendingAfter: after } : undefined);
  } while (after);
}
