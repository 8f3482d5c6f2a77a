/**
 * Scheduling a change: planned (the core plans against the stored window capacity, the change is
 * written with its capacity reservation, its events published and its lifecycle started) or
 * emergency. Used by the API's create routes and by the nightly scans, so both schedule the same way.
 */
import type { DateTime } from 'luxon';
import { publishLifecycleEvents } from '#adapters/events.ts';
import { newId } from '#adapters/ids.ts';
import { policy } from '#adapters/policy-source.ts';
import {
  ConcurrentUpdateError,
  readCapacity,
  readChangeRecord,
  writeTransition,
} from '#adapters/store/change-store.ts';
import { workflow } from '#adapters/workflow.ts';
import {
  type Actor,
  type EmergencyFields,
  type NewChangeFields,
  scheduleEmergencyChange,
  schedulePlannedChange,
  type Transition,
} from '#core/change.ts';
import { type EmergencyWhen, placeEmergency } from '#core/emergency.ts';
import { DomainError } from '#core/errors.ts';
import { type Plan, type PlanRequest, planChange } from '#core/planning.ts';

/**
 * Plans against the stored capacity counters. The planner asks synchronously how full a window
 * is; we answer from counters read in bulk, and plan again if it asked about windows we had not
 * read yet (it walks forward only while windows are full, so this settles in a round or two).
 */
export async function planWithStoredCapacity(request: PlanRequest): Promise<Plan> {
  const known = new Map<string, number>();
  for (let round = 0; round < 20; round++) {
    const unknown = new Set<string>();
    const result = planChange(policy, request, (windowId) => {
      const used = known.get(windowId);
      if (used === undefined) unknown.add(windowId);
      return used ?? 0;
    });
    if (unknown.size === 0) {
      if (!result.ok) throw DomainError.from(result);
      return result.plan;
    }
    for (const [windowId, used] of await readCapacity([...unknown])) known.set(windowId, used);
  }
  throw new DomainError('NO_ELIGIBLE_WINDOW', 422, 'no window with capacity was found');
}

export type PlannedChangeRequest = Omit<NewChangeFields, 'changeId'> & {
  /** A caller-chosen id makes creation idempotent (the nightly scans derive it from what they found). */
  changeId?: string;
  earliestStart?: string;
  actor?: Actor;
};

/** How often a write with a caller-chosen id is tried again after a conflict with another writer. */
const DUPLICATE_CHECKS = 5;

function pause(attempt: number): Promise<void> {
  const ms = Math.min(500, 20 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * After a write under a caller-chosen id failed with ConcurrentUpdateError: either the id is taken
 * (an earlier or concurrent writer committed it; the store cannot tell that apart from a transaction
 * conflict with that writer, so the change is read) and CHANGE_EXISTS (409) says so, or the write
 * may be tried again (true while attempts remain).
 */
async function retryUnlessExists(changeId: string, attempt: number): Promise<boolean> {
  if (await readChangeRecord(changeId)) {
    throw new DomainError('CHANGE_EXISTS', 409, `change ${changeId} already exists`);
  }
  if (attempt + 1 >= DUPLICATE_CHECKS) return false;
  await pause(attempt);
  return true;
}

/**
 * A new change under a fresh random id can only meet a transaction conflict (DynamoDB cancels a
 * transaction that races another on the same capacity counter): wait a moment and write it again.
 */
async function retryConflict(attempt: number): Promise<boolean> {
  if (attempt + 1 >= DUPLICATE_CHECKS) return false;
  await pause(attempt);
  return true;
}

async function announce(transition: Transition): Promise<Transition> {
  await publishLifecycleEvents(transition.change, transition.history);
  await workflow().startLifecycle(transition.change);
  return transition;
}

/**
 * Plans and writes a planned change, then starts its lifecycle. With a given changeId, a second
 * call finds the change written (DomainError CHANGE_EXISTS) and writes nothing.
 */
export async function createPlannedChange(request: PlannedChangeRequest, now: DateTime): Promise<Transition> {
  const { earliestStart, actor, changeId, ...fields } = request;
  // A window can fill between our read and our write; then the reservation fails and we plan again.
  for (let attempt = 0; ; attempt++) {
    const plan = await planWithStoredCapacity({
      region: fields.region,
      type: fields.type,
      disruptsCalling: fields.disruptsCalling,
      noticeSentAt: now,
      ...(earliestStart ? { earliestStart } : {}),
      ...(fields.certificateExpiresAt ? { certificateExpiresAt: fields.certificateExpiresAt } : {}),
      urgent: fields.urgent ?? false,
    });
    const transition = schedulePlannedChange(
      { ...fields, changeId: changeId ?? newId('chg') },
      plan,
      now,
      actor,
    );
    try {
      await writeTransition(null, transition, policy.windows.capacity);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'WINDOW_FULL' && attempt < 5) continue;
      if (error instanceof ConcurrentUpdateError) {
        if (
          changeId !== undefined ? await retryUnlessExists(changeId, attempt) : await retryConflict(attempt)
        )
          continue;
      }
      throw error;
    }
    return announce(transition);
  }
}

/**
 * Places and writes an emergency change, then starts its lifecycle. With a given changeId, as for
 * a planned change: a second call finds the change written (DomainError CHANGE_EXISTS).
 */
export async function createEmergencyChange(
  fields: Omit<EmergencyFields, 'changeId' | 'when'> & { changeId?: string; actor?: Actor },
  when: EmergencyWhen,
  now: DateTime,
): Promise<Transition> {
  const { actor, changeId, ...rest } = fields;
  const slot = placeEmergency(policy, fields.region, when, now);
  const transition = scheduleEmergencyChange(
    { ...rest, changeId: changeId ?? newId('chg'), when },
    slot,
    now,
    actor,
  );
  for (let attempt = 0; ; attempt++) {
    try {
      await writeTransition(null, transition, policy.windows.capacity);
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) {
        if (
          changeId !== undefined ? await retryUnlessExists(changeId, attempt) : await retryConflict(attempt)
        )
          continue;
      }
      throw error;
    }
    return announce(transition);
  }
}
