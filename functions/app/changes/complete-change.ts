/** Ops records the outcome of a change in progress: succeeded, failed or rolled back. */

import type { Ports } from '#app/ports.ts';
import { completeChange as complete } from '#core/change.ts';
import type { Principal } from '#core/visibility.ts';
import type { Outcome } from '#core/vocabulary.ts';
import { moveChange } from './move-change.ts';

export function completeChange(
  ports: Pick<Ports, 'changes' | 'events' | 'policy' | 'waitTokens' | 'workflow' | 'clock'>,
  request: { changeId: string; principal: Principal; outcome: Outcome; notes?: string },
): Promise<Record<string, unknown>> {
  const now = ports.clock.now();
  return moveChange(ports, {
    ...request,
    signal: 'outcome',
    decide: (change) => complete(change, request.outcome, request.notes, now),
  });
}
