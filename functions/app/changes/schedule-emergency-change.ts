/**
 * Scheduling an emergency change (rules section 5): no notice period and no reply; `now` runs at once,
 * `next-window` in the region's next window (counted in it, never refused for capacity). Ops asks
 * through the API; the nightly jobs ask for certificate renewals that can no longer wait and for
 * provider-initiated fixes.
 */

import type { Ports } from '#app/ports.ts';
import {
  type Actor,
  type EmergencyFields,
  scheduleEmergencyChange as emergency,
  type Transition,
} from '#core/change.ts';
import { placeEmergency } from '#core/emergency.ts';
import type { ChangeType, EmergencyWhen } from '#core/vocabulary.ts';
import { customerOfPartner, type SchedulePorts, writeNewChange } from './new-change.ts';

export type EmergencyChangeRequest = Omit<EmergencyFields, 'changeId'> & {
  /** A caller-chosen id, as for a planned change: a second call finds it written (CHANGE_EXISTS). */
  changeId?: string;
  actor?: Actor;
};

export async function scheduleEmergencyChange(
  ports: SchedulePorts,
  request: EmergencyChangeRequest,
): Promise<Transition> {
  const { actor, changeId, ...fields } = request;
  const now = ports.clock.now();
  const slot = placeEmergency(ports.policy, fields.region, fields.when, now);
  const transition = emergency({ ...fields, changeId: changeId ?? ports.ids.newId('chg') }, slot, now, actor);
  return writeNewChange(ports, () => transition, changeId);
}

/** Ops declares an emergency for a partner's customer (POST /changes/emergency), in the customer's region. */
export async function requestEmergencyChange(
  ports: SchedulePorts & Pick<Ports, 'directory'>,
  request: Omit<EmergencyChangeRequest, 'region' | 'type' | 'changeId' | 'actor'> & {
    type?: ChangeType;
    when: EmergencyWhen;
  },
): Promise<Transition> {
  const customer = await customerOfPartner(ports, request.customerId, request.partnerId);
  return scheduleEmergencyChange(ports, {
    ...request,
    region: customer.region,
    type: request.type ?? 'configuration',
  });
}
