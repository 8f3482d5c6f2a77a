/**
 * The lifecycle's Park step: the state machine waits for a decision or the next moment (a callback
 * task), and its task token is stored beside the change, on the condition that the change is still
 * at the version Advance decided on. If it moved meanwhile, ChangeMovedError sends the state machine
 * back to Advance, which sees the move.
 */

import type { Ports } from '#app/ports.ts';
import type { ParkPhase } from '#core/vocabulary.ts';

export interface ParkRequest {
  changeId: string;
  version: number;
  phase: ParkPhase;
  until: string;
  taskToken: string;
}

export async function parkLifecycle(ports: Pick<Ports, 'waitTokens'>, request: ParkRequest): Promise<void> {
  await ports.waitTokens.park(request.changeId, request.version, {
    token: request.taskToken,
    phase: request.phase,
    until: request.until,
  });
}
