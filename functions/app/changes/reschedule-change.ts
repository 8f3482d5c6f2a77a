/**
 * The partner moves a planned change to another window, once (rules section 4). The core checks the
 * request against the rules; the new window's capacity is not read first: the move's write reserves
 * the place on the condition that the window has room, and a full window refuses the whole move.
 */

import type { Ports } from '#app/ports.ts';
import { rescheduleChange as reschedule } from '#core/change.ts';
import { actorOf, type Principal } from '#core/visibility.ts';
import { moveChange } from './move-change.ts';

export function rescheduleChange(
  ports: Pick<Ports, 'changes' | 'events' | 'policy' | 'waitTokens' | 'workflow' | 'clock'>,
  request: { changeId: string; principal: Principal; requestedStart: string; reason: string },
): Promise<Record<string, unknown>> {
  const now = ports.clock.now();
  const { requestedStart, reason } = request;
  return moveChange(ports, {
    ...request,
    signal: 'rescheduled',
    decide: (change) =>
      reschedule(ports.policy, change, { requestedStart, reason }, actorOf(request.principal), now),
  });
}
