/** Ops cancels a change before it starts; its place in the window is given back. */

import type { Ports } from '#app/ports.ts';
import { cancelChange as cancel } from '#core/change.ts';
import type { Principal } from '#core/visibility.ts';
import { moveChange } from './move-change.ts';

export function cancelChange(
  ports: Pick<Ports, 'changes' | 'events' | 'policy' | 'waitTokens' | 'workflow' | 'clock'>,
  request: { changeId: string; principal: Principal; reason: string },
): Promise<Record<string, unknown>> {
  const now = ports.clock.now();
  return moveChange(ports, {
    ...request,
    signal: 'cancelled',
    decide: (change) => cancel(change, request.reason, now),
  });
}
