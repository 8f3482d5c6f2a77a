/** A partner asks for a COP file on one of its customers' SFTP servers; the nightly job settles it. */

import { notFound } from '#app/changes/new-change.ts';
import type { Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import type { CopRequest } from '#core/cop.ts';
import { DomainError } from '#core/errors.ts';
import { canSee, type Principal } from '#core/visibility.ts';

export async function requestCopFile(
  ports: Pick<Ports, 'directory' | 'copRequests' | 'clock' | 'ids'>,
  request: { principal: Principal; customerId: string; copFile: string; reason?: string },
): Promise<CopRequest> {
  const customer = await ports.directory.readCustomer(request.customerId);
  // Only a partner asks, for its own customers (the route is for partners; ops installs through the job).
  if (!customer || request.principal.role !== 'partner' || !canSee(request.principal, customer.partnerId)) {
    throw notFound('customer', request.customerId);
  }
  const at = toUtcIso(ports.clock.now());
  const copRequest: CopRequest = {
    requestId: ports.ids.newId('cop'),
    partnerId: customer.partnerId,
    customerId: customer.customerId,
    copFile: request.copFile,
    ...(request.reason ? { reason: request.reason } : {}),
    status: 'PENDING',
    createdAt: at,
    updatedAt: at,
  };
  await ports.copRequests.put(copRequest);
  return copRequest;
}

export async function getCopRequest(
  ports: Pick<Ports, 'copRequests'>,
  request: { principal: Principal; requestId: string },
): Promise<CopRequest> {
  const copRequest = await ports.copRequests.read(request.requestId);
  if (!copRequest || !canSee(request.principal, copRequest.partnerId))
    throw notFound('COP request', request.requestId);
  return copRequest;
}

/**
 * A partner's COP requests, newest first: a partner lists its own (naming another partner answers 404,
 * as for something that does not exist); ops name the partner.
 */
export async function listCopRequests(
  ports: Pick<Ports, 'copRequests' | 'directory'>,
  request: { principal: Principal; partnerId?: string; limit: number; nextToken?: string },
): Promise<{ items: CopRequest[]; nextToken?: string }> {
  const { principal } = request;
  const partnerId =
    principal.role === 'partner' ? (request.partnerId ?? principal.partnerId) : request.partnerId;
  if (!partnerId)
    throw new DomainError('VALIDATION_FAILED', 400, 'ops name the partner whose COP requests to list', [
      { path: 'partnerId', message: 'is required for ops' },
    ]);
  if (!canSee(principal, partnerId) || !(await ports.directory.readPartner(partnerId)))
    throw notFound('partner', partnerId);
  return ports.copRequests.partnerRequests(partnerId, {
    limit: request.limit,
    ...(request.nextToken ? { nextToken: request.nextToken } : {}),
  });
}
