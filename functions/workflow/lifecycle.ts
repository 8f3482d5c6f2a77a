/**
 * The Lambda behind the lifecycle state machine's Task states (workflows/change-lifecycle.ts). One
 * function, four actions, each a use case: `advance` (do what the change needs until it must wait),
 * `park` (store the callback's task token), `record-notification-failure` (a notice still failing after
 * the machine's retries) and `record-lifecycle-failure` (a P1 alert before the machine fails).
 */
import { type AdvanceResult, advanceLifecycle } from '#app/lifecycle/advance-lifecycle.ts';
import { type ParkRequest, parkLifecycle } from '#app/lifecycle/park-lifecycle.ts';
import { recordLifecycleFailure } from '#app/lifecycle/record-lifecycle-failure.ts';
import { recordNotificationFailure } from '#app/lifecycle/record-notification-failure.ts';
import { lambdaHandler } from '#commons/lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { logger } from '#commons/logger.ts';
import { awsPorts, dynamoDb, eventBridge, rules, ses, sns } from '#wiring/aws.ts';

type StepError = { Error?: string; Cause?: string };

export type LifecycleRequest =
  | { action: 'advance'; changeId: string }
  | ({ action: 'park' } & ParkRequest)
  | { action: 'record-notification-failure'; changeId: string; error?: StepError }
  | { action: 'record-lifecycle-failure'; changeId: string; error?: StepError };

export type { AdvanceResult };

/** What its four use cases take. */
export type LifecyclePorts = Parameters<typeof advanceLifecycle>[0] &
  Parameters<typeof parkLifecycle>[0] &
  Parameters<typeof recordNotificationFailure>[0] &
  Parameters<typeof recordLifecycleFailure>[0];

export function lifecycleTasks(ports: LifecyclePorts) {
  return lambdaHandler(async (request: LifecycleRequest): Promise<unknown> => {
    logger.info('lifecycle task', { action: request.action, changeId: request.changeId });
    switch (request.action) {
      case 'advance':
        return advanceLifecycle(ports, request.changeId);
      case 'park':
        await parkLifecycle(ports, request);
        return { parked: true };
      case 'record-notification-failure':
        await recordNotificationFailure(ports, request.changeId, request.error?.Cause);
        return { recorded: true };
      case 'record-lifecycle-failure':
        await recordLifecycleFailure(ports, request.changeId, request.error);
        return { recorded: true };
    }
  });
}

export const handler = onFirstCall(() =>
  lifecycleTasks(awsPorts('lifecycle', rules, dynamoDb, ses, eventBridge, sns)),
);
