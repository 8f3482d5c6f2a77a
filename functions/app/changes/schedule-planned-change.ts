/**
 * Scheduling a planned change (rules sections 1, 3 and 6): the core plans it into the earliest eligible
 * window with room, against the stored capacity counters; the change is written with its place
 * reserved; its events are published and its lifecycle started (which sends the notice). Ops asks
 * through the API; the nightly scans ask for renewals and upgrades they found due.
 */

import type { Ports } from '#app/ports.ts';
import {
  type Actor,
  type NewChangeFields,
  schedulePlannedChange as planned,
  type Transition,
} from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import { type Plan, type PlanRequest, planChange } from '#core/planning.ts';
import type { Region } from '#core/vocabulary.ts';
import { customerOfPartner, type SchedulePorts, writeNewChange } from './new-change.ts';

export type PlannedChangeRequest = Omit<NewChangeFields, 'changeId'> & {
  /** A caller-chosen id makes scheduling idempotent (the nightly scans derive it from what they found). */
  changeId?: string;
  earliestStart?: string;
  actor?: Actor;
};

/**
 * Plans against the stored capacity counters. The planner asks synchronously how full a window is; it
 * is answered from counters read in bulk, and plans again if it asked about windows not read yet (it
 * walks forward only while windows are full, so this settles in a round or two).
 */
export async function planWithStoredCapacity(
  ports: Pick<Ports, 'changes' | 'policy'>,
  request: PlanRequest,
): Promise<Plan> {
  const known = new Map<string, number>();
  for (let round = 0; round < 20; round++) {
    const unknown = new Set<string>();
    const result = planChange(ports.policy, request, (windowId) => {
      const used = known.get(windowId);
      if (used === undefined) unknown.add(windowId);
      return used ?? 0;
    });
    if (unknown.size === 0) {
      if (!result.ok) throw DomainError.from(result);
      return result.plan;
    }
    for (const [windowId, used] of await ports.changes.capacityUsed([...unknown])) known.set(windowId, used);
  }
  throw new DomainError('NO_ELIGIBLE_WINDOW', 422, 'no window with capacity was found');
}

/** With a given changeId, a second call finds the change written (DomainError CHANGE_EXISTS). */
export async function schedulePlannedChange(
  ports: SchedulePorts,
  request: PlannedChangeRequest,
): Promise<Transition> {
  const { earliestStart, actor, changeId, ...fields } = request;
  const now = ports.clock.now();
  return writeNewChange(
    ports,
    async () => {
      const plan = await planWithStoredCapacity(ports, {
        region: fields.region,
        type: fields.type,
        disruptsCalling: fields.disruptsCalling,
        noticeSentAt: now,
        ...(earliestStart ? { earliestStart } : {}),
        ...(fields.certificateExpiresAt ? { certificateExpiresAt: fields.certificateExpiresAt } : {}),
        urgent: fields.urgent ?? false,
      });
      return planned(
        ports.policy,
        { ...fields, changeId: changeId ?? ports.ids.newId('chg') },
        plan,
        now,
        actor,
      );
    },
    changeId,
  );
}

/** Ops asks for a planned change of a partner's customer (POST /changes); the region defaults to the customer's. */
export async function requestPlannedChange(
  ports: SchedulePorts & Pick<Ports, 'directory'>,
  request: Omit<PlannedChangeRequest, 'region' | 'changeId' | 'actor'> & { region?: Region },
): Promise<Transition> {
  const customer = await customerOfPartner(ports, request.customerId, request.partnerId);
  return schedulePlannedChange(ports, { ...request, region: request.region ?? customer.region });
}
