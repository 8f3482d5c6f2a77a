/** The partner accepts the planned window (SCHEDULED -> CONFIRMED), optionally with a comment. */

import type { Ports } from '#app/ports.ts';
import { acknowledgeChange as acknowledge } from '#core/change.ts';
import { actorOf, type Principal } from '#core/visibility.ts';
import { moveChange } from './move-change.ts';

export function acknowledgeChange(
  ports: Pick<Ports, 'changes' | 'events' | 'policy' | 'waitTokens' | 'workflow' | 'clock'>,
  request: { changeId: string; principal: Principal; comment?: string },
): Promise<Record<string, unknown>> {
  const now = ports.clock.now();
  return moveChange(ports, {
    ...request,
    signal: 'acknowledged',
    decide: (change) => acknowledge(change, actorOf(request.principal), now, request.comment),
  });
}
