/** Reading changes: one with its history, or a page of a scope (ops: all; a partner: its own). */

import type { ChangeScope, Ports } from '#app/ports.ts';
import { toChangeView } from '#core/change.ts';
import { canSee, type Principal } from '#core/visibility.ts';
import type { ChangeStatus } from '#core/vocabulary.ts';
import { notFound } from './new-change.ts';

export async function getChange(
  ports: Pick<Ports, 'changes'>,
  request: { changeId: string; principal: Principal },
): Promise<Record<string, unknown>> {
  const stored = await ports.changes.read(request.changeId);
  if (!stored || !canSee(request.principal, stored.change.partnerId))
    throw notFound('change', request.changeId);
  return toChangeView(stored.change, stored.history);
}

export interface ChangeListing {
  principal: Principal;
  customerId?: string;
  status?: ChangeStatus;
  from?: string;
  to?: string;
  limit: number;
  nextToken?: string;
}

export async function listChanges(
  ports: Pick<Ports, 'changes' | 'directory'>,
  { principal, customerId, ...filters }: ChangeListing,
): Promise<{ items: Record<string, unknown>[]; nextToken?: string }> {
  let scope: ChangeScope =
    principal.role === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'all' };
  if (customerId) {
    const customer = await ports.directory.readCustomer(customerId);
    if (!customer || !canSee(principal, customer.partnerId)) throw notFound('customer', customerId);
    scope = { kind: 'customer', customerId };
  }
  const page = await ports.changes.query({ scope, ...filters });
  return {
    items: page.items.map((change) => toChangeView(change)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}
