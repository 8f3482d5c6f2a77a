/**
 * What scheduling a planned and an emergency change share: finding the customer a request names,
 * writing the new change (deciding it again when another writer got in the way), and announcing it
 * (its events published, its lifecycle started).
 */

import { publishEvents } from '#app/events.ts';
import { CapacityExceeded, type Ports, VersionConflict } from '#app/ports.ts';
import { windowFull } from '#core/capacity.ts';
import type { Transition } from '#core/change.ts';
import type { Customer } from '#core/directory.ts';
import { DomainError } from '#core/errors.ts';

/** What scheduling a new change uses: the store, the announcement, the policy, the clock and ids. */
export type SchedulePorts = Pick<Ports, 'changes' | 'events' | 'workflow' | 'policy' | 'clock' | 'ids'>;

/** How often a new change is decided and written again after a conflict with another writer. */
const ATTEMPTS = 5;
/** How often a planned change is planned again after its window filled between our read and write. */
const REPLANS = 6;

export const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', 404, `${what} ${id} was not found`);

/** The customer named in a request, which must belong to the partner named with it. */
export async function customerOfPartner(
  ports: Pick<Ports, 'directory'>,
  customerId: string,
  partnerId: string,
): Promise<Customer> {
  const [customer, partner] = await Promise.all([
    ports.directory.readCustomer(customerId),
    ports.directory.readPartner(partnerId),
  ]);
  if (!partner) throw notFound('partner', partnerId);
  if (!customer) throw notFound('customer', customerId);
  // The routes that name both are for ops, who may know whose customer it is: say what does not match.
  if (customer.partnerId !== partnerId)
    throw new DomainError(
      'NOT_FOUND',
      404,
      `customer ${customerId} is not a customer of partner ${partnerId}: it belongs to partner ${customer.partnerId}`,
      [
        {
          path: 'partnerId',
          message: `must be ${customer.partnerId}, the partner of customer ${customerId}`,
        },
      ],
    );
  return customer;
}

function pause(attempt: number): Promise<void> {
  const ms = Math.min(500, 20 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes the change `decide()` answers, then announces it. `decide` is asked again after a conflict:
 * a full window (a planned change is planned again), or a transaction that raced another writer on a
 * capacity counter (after a pause). With a caller-chosen id (`chosenId`: the nightly scans derive it
 * from what they found), an id already written means the change exists: CHANGE_EXISTS, nothing written.
 */
export async function writeNewChange(
  ports: Pick<Ports, 'changes' | 'events' | 'workflow' | 'policy'>,
  decide: () => Promise<Transition> | Transition,
  chosenId?: string,
): Promise<Transition> {
  let conflicts = 0;
  for (let replans = 0; ; ) {
    const transition = await decide();
    try {
      await ports.changes.write(null, transition);
    } catch (error) {
      if (error instanceof CapacityExceeded) {
        if (++replans < REPLANS) continue;
        throw DomainError.from(windowFull(ports.policy, transition.change.window));
      }
      if (error instanceof VersionConflict) {
        // The store cannot tell a taken id from a conflict with the writer taking it: read it.
        if (chosenId !== undefined && (await ports.changes.readRecord(chosenId))) {
          throw new DomainError('CHANGE_EXISTS', 409, `change ${chosenId} already exists`);
        }
        if (++conflicts < ATTEMPTS) {
          await pause(conflicts - 1);
          continue;
        }
      }
      throw error;
    }
    await publishEvents(ports, transition.change, transition.history);
    await ports.workflow.start(transition.change);
    return transition;
  }
}
