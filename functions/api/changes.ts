/**
 * Lambda for the change routes: schedule (planned, emergency), read, list, and the moves a partner or
 * ops makes (acknowledge, reschedule, complete, cancel). Each route calls one use case.
 */
import { acknowledgeChange } from '#app/changes/acknowledge-change.ts';
import { cancelChange } from '#app/changes/cancel-change.ts';
import { completeChange } from '#app/changes/complete-change.ts';
import { getChange, listChanges } from '#app/changes/read-changes.ts';
import { rescheduleChange } from '#app/changes/reschedule-change.ts';
import { requestEmergencyChange } from '#app/changes/schedule-emergency-change.ts';
import { requestPlannedChange } from '#app/changes/schedule-planned-change.ts';
import type { Ports } from '#app/ports.ts';
import { apiHandler } from '#commons/http/api-handler.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { toChangeView } from '#core/change.ts';
import { awsPorts, dynamoDb, eventBridge, rules, stepFunctions } from '#wiring/aws.ts';

export type ChangesApiPorts = Pick<
  Ports,
  'policy' | 'clock' | 'ids' | 'changes' | 'waitTokens' | 'workflow' | 'events' | 'directory' | 'idempotency'
>;

export function changesApi(ports: ChangesApiPorts) {
  return apiHandler('changes', ports, {
    createChange: async ({ body }) => {
      const { change, history } = await requestPlannedChange(ports, body);
      return toChangeView(change, history);
    },
    createEmergencyChange: async ({ body }) => {
      const { change, history } = await requestEmergencyChange(ports, body);
      return toChangeView(change, history);
    },
    getChange: ({ params, principal }) =>
      getChange(ports, { changeId: params.changeId as string, principal }),
    listChanges: ({ query, principal }) => listChanges(ports, { ...query, principal }),
    acknowledgeChange: ({ params, principal, body }) =>
      acknowledgeChange(ports, { changeId: params.changeId as string, principal, ...body }),
    rescheduleChange: ({ params, principal, body }) =>
      rescheduleChange(ports, { changeId: params.changeId as string, principal, ...body }),
    completeChange: ({ params, principal, body }) =>
      completeChange(ports, { changeId: params.changeId as string, principal, ...body }),
    cancelChange: ({ params, principal, body }) =>
      cancelChange(ports, { changeId: params.changeId as string, principal, ...body }),
  });
}

export const handler = onFirstCall(() =>
  changesApi(awsPorts('changes-api', rules, dynamoDb, stepFunctions, eventBridge)),
);
