/** The severity of a support case and its response target (rules section 10), from impact and urgency. */

import type { Ports } from '#app/ports.ts';
import { assessSeverity } from '#core/severity.ts';
import type { Impact, Region, Urgency } from '#core/vocabulary.ts';

export function severityOfCase(
  ports: Pick<Ports, 'policy'>,
  request: { impact: Impact; urgency: Urgency; openedAt?: string; region?: Region },
) {
  const answer = assessSeverity(ports.policy, request);
  return {
    severity: answer.severity,
    responseTarget: answer.responseTarget,
    // `P1D` alone reads as 24 hours: say how the target is counted.
    responseClock: answer.clock,
    ...(answer.businessDays === undefined ? {} : { responseTargetBusinessDays: answer.businessDays }),
    ...(answer.respondBy ? { respondBy: answer.respondBy } : {}),
  };
}
