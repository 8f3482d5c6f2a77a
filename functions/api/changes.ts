/**
 * Lambda for the change routes: create (planned and emergency), read, list, and the moves a
 * partner or ops makes (acknowledge, reschedule, complete, cancel). Each body reads like the use
 * case: find what it is about, let the core decide, write the decision, start or wake the lifecycle.
 */

import type { z } from 'zod';
import { publishLifecycleEvents } from '#adapters/events.ts';
import { policy } from '#adapters/policy-source.ts';
import { applyMove, type ChangeScope, queryChanges, readChange } from '#adapters/store/change-store.ts';
import { type Customer, readCustomer, readPartner } from '#adapters/store/directory-store.ts';
import { wakeLifecycle } from '#adapters/workflow.ts';
import { createEmergencyChange, createPlannedChange } from '#app/changes/schedule-change.ts';
import { createApiHandler, type RouteContext } from '#commons/http/api-handler.ts';
import type {
  acknowledgeBody,
  CreateChangeBody,
  CreateEmergencyBody,
  cancelBody,
  changesQuery,
  completeBody,
  rescheduleBody,
} from '#contract/schemas.ts';
import {
  acknowledgeChange,
  type ChangeRecord,
  cancelChange,
  completeChange,
  type Move,
  rescheduleChange,
  toChangeView,
} from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import { actorOf, canSee, type Principal } from '#core/visibility.ts';

const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', 404, `${what} ${id} was not found`);

/** A partner sees only its own changes; anything else is "not found", never "forbidden". */
function assertVisible(change: ChangeRecord, principal: Principal): void {
  if (!canSee(principal, change.partnerId)) throw notFound('change', change.changeId);
}

/** The customer named in a request, which must belong to the partner named with it. */
async function customerOfPartner(customerId: string, partnerId: string): Promise<Customer> {
  const [customer, partner] = await Promise.all([readCustomer(customerId), readPartner(partnerId)]);
  if (!partner) throw notFound('partner', partnerId);
  if (!customer || customer.partnerId !== partnerId) throw notFound('customer', customerId);
  return customer;
}

async function createChange({ body, now }: RouteContext<CreateChangeBody>) {
  const customer = await customerOfPartner(body.customerId, body.partnerId);
  const { region, earliestStart, ...fields } = body;
  const transition = await createPlannedChange(
    { ...fields, region: region ?? customer.region, ...(earliestStart ? { earliestStart } : {}) },
    now,
  );
  return toChangeView(transition.change, transition.history);
}

async function createEmergency({ body, now }: RouteContext<CreateEmergencyBody>) {
  const customer = await customerOfPartner(body.customerId, body.partnerId);
  const { when, type, ...fields } = body;
  const transition = await createEmergencyChange(
    { ...fields, region: customer.region, type: type ?? 'configuration' },
    when,
    now,
  );
  return toChangeView(transition.change, transition.history);
}

async function getChange({ params, principal }: RouteContext) {
  const changeId = params.changeId as string;
  const stored = await readChange(changeId);
  if (!stored) throw notFound('change', changeId);
  assertVisible(stored.change, principal);
  return toChangeView(stored.change, stored.history);
}

async function listChanges({ query, principal }: RouteContext<unknown, z.output<typeof changesQuery>>) {
  let scope: ChangeScope =
    principal.role === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'all' };
  if (query.customerId) {
    const customer = await readCustomer(query.customerId);
    if (!customer || !canSee(principal, customer.partnerId)) {
      throw notFound('customer', query.customerId);
    }
    scope = { kind: 'customer', customerId: query.customerId };
  }
  const page = await queryChanges({
    scope,
    status: query.status,
    from: query.from,
    to: query.to,
    limit: query.limit,
    nextToken: query.nextToken,
  });
  return {
    items: page.items.map((change) => toChangeView(change)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/**
 * Applies a move to a change the caller may see, publishes its events, wakes the lifecycle (which
 * acts on the decision: an updated notice, the outcome notice ...) and answers with the change.
 */
async function moveVisibleChange(
  { params, principal }: RouteContext,
  signal: string,
  decide: (change: ChangeRecord) => Move | Promise<Move>,
) {
  const changeId = params.changeId as string;
  const transition = await applyMove(
    changeId,
    (change) => {
      assertVisible(change, principal);
      return decide(change);
    },
    { capacityLimit: policy.windows.capacity },
  );
  await publishLifecycleEvents(transition.change, transition.history);
  const [stored] = await Promise.all([readChange(changeId), wakeLifecycle(changeId, signal)]);
  if (!stored) throw notFound('change', changeId);
  return toChangeView(stored.change, stored.history);
}

async function acknowledge(context: RouteContext<z.output<typeof acknowledgeBody>>) {
  return moveVisibleChange(context, 'acknowledged', (change) =>
    acknowledgeChange(change, actorOf(context.principal), context.now, context.body.comment),
  );
}

async function reschedule(context: RouteContext<z.output<typeof rescheduleBody>>) {
  const { body, now, principal } = context;
  // Capacity is not read first: the move's transaction reserves the place on the condition that
  // the window is not full, and refuses the whole move with WINDOW_FULL otherwise.
  return moveVisibleChange(context, 'rescheduled', (change) =>
    rescheduleChange(policy, change, body, actorOf(principal), now, () => 0),
  );
}

async function complete(context: RouteContext<z.output<typeof completeBody>>) {
  return moveVisibleChange(context, 'outcome', (change) =>
    completeChange(change, context.body.outcome, context.body.notes, context.now),
  );
}

async function cancel(context: RouteContext<z.output<typeof cancelBody>>) {
  return moveVisibleChange(context, 'cancelled', (change) =>
    cancelChange(change, context.body.reason, context.now),
  );
}

export const handler = createApiHandler('changes', {
  createChange,
  createEmergencyChange: createEmergency,
  getChange,
  listChanges,
  acknowledgeChange: acknowledge,
  rescheduleChange: reschedule,
  completeChange: complete,
  cancelChange: cancel,
});
