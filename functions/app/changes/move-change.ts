/**
 * Moving a change: the mechanism every decision about an existing change shares (a partner's
 * acknowledgement or reschedule, ops' outcome or cancellation, the lifecycle's own confirm and start).
 * The use case reads the change, asks the core for the move, and writes it on the condition that the
 * record is still the one it read; when another writer got there first it reads and decides again (so
 * a refusal answers the fresh state, e.g. RESCHEDULE_LIMIT_REACHED). Then it publishes the events.
 */

import { publishEvents } from '#app/events.ts';
import { wakeLifecycle } from '#app/lifecycle/wake-lifecycle.ts';
import { CapacityExceeded, type Ports, VersionConflict } from '#app/ports.ts';
import { windowFull } from '#core/capacity.ts';
import { type ChangeRecord, isRefusal, type Move, type Transition, toChangeView } from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import { canSee, type Principal } from '#core/visibility.ts';
import { notFound } from './new-change.ts';

/** Attempts before giving up on a record that keeps moving under us. */
const ATTEMPTS = 8;

type MovePorts = Pick<Ports, 'changes' | 'events' | 'policy'>;

export interface MoveRequest {
  changeId: string;
  /** Who asks: a change they may not see is not found. Absent for the lifecycle's own moves. */
  principal?: Principal;
  /** The core's decision on the record as it is now. */
  decide(change: ChangeRecord): Move;
}

function backOff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Decides and writes the move (DomainError for a refusal), publishes its events, answers the transition. */
export async function applyMove(ports: MovePorts, request: MoveRequest): Promise<Transition> {
  for (let attempt = 0; ; attempt++) {
    const current = await ports.changes.readRecord(request.changeId);
    if (!current || (request.principal && !canSee(request.principal, current.partnerId))) {
      throw notFound('change', request.changeId);
    }
    const move = request.decide(current);
    if (isRefusal(move)) throw DomainError.from(move);
    try {
      await ports.changes.write(current, move);
    } catch (error) {
      if (error instanceof CapacityExceeded)
        throw DomainError.from(windowFull(ports.policy, move.change.window));
      if (!(error instanceof VersionConflict) || attempt + 1 >= ATTEMPTS) throw error;
      await backOff(attempt);
      continue;
    }
    await publishEvents(ports, move.change, move.history);
    return move;
  }
}

/**
 * A decision a person makes through the API: the move, then the change's lifecycle woken with
 * `signal` to act on it; answers the change as it now stands, with its history.
 */
export async function moveChange(
  ports: MovePorts & Pick<Ports, 'waitTokens' | 'workflow'>,
  request: MoveRequest & { principal: Principal; signal: string },
): Promise<Record<string, unknown>> {
  await applyMove(ports, request);
  const [stored] = await Promise.all([
    ports.changes.read(request.changeId),
    wakeLifecycle(ports, request.changeId, request.signal),
  ]);
  if (!stored) throw notFound('change', request.changeId);
  return toChangeView(stored.change, stored.history);
}
