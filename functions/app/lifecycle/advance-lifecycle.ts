/**
 * The lifecycle's Advance step: does whatever the change needs now, one action at a time, until it
 * must wait. Each turn reads the change afresh and asks the core (`nextLifecycleAction`) what it needs:
 * a notice, to be confirmed or started, an alert; or to park until an instant, or nothing more. Every
 * action is idempotent (the notice ledger, conditional moves, deduplicated alerts), so a retried step
 * repeats nothing, and a decision that arrives meanwhile is simply seen on the next turn.
 */
import type { DateTime } from 'luxon';
import { raiseAlert } from '#app/alerts/raise-alert.ts';
import { applyMove } from '#app/changes/move-change.ts';
import { notFound } from '#app/changes/new-change.ts';
import { planWithStoredCapacity } from '#app/changes/schedule-planned-change.ts';
import { publishEvents } from '#app/events.ts';
import type { Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import {
  type ChangeRecord,
  confirmAfterReplyBy,
  historyEntry,
  type Move,
  startChange,
} from '#core/change.ts';
import { hasCode } from '#core/errors.ts';
import { nextLifecycleAction } from '#core/lifecycle.ts';
import { moveForLateNotice, recordNoticeDelivery } from '#core/notice-timing.ts';
import type { ChangeStatus, ParkPhase } from '#core/vocabulary.ts';
import { notifyChange } from './notify-change.ts';

export type AdvanceResult =
  | { step: 'park'; changeId: string; version: number; phase: ParkPhase; until: string; seconds: number }
  | { step: 'done'; changeId: string; status: ChangeStatus };

/** Enough for every step a change can need at once; more means a bug, not a busy change. */
const MAX_STEPS_PER_ADVANCE = 25;

type AdvancePorts = Parameters<typeof notifyChange>[0] & Pick<Ports, 'clock'>;

/** The lifecycle's own move (confirm, start); a refusal means someone moved the change first: fine. */
async function systemMove(ports: AdvancePorts, changeId: string, decide: (change: ChangeRecord) => Move) {
  try {
    await applyMove(ports, { changeId, decide });
  } catch (error) {
    if (!hasCode(error, 'INVALID_STATE')) throw error;
  }
}

/**
 * The first notice would go out too late for the window (notice counts from delivery): the change moves
 * to the earliest eligible window counted from now, its place taken there atomically, and ops get one P2
 * alert; the partner learns the new window from that first notice. With no eligible window left (a
 * certificate about to expire), ops are alerted and the notice announces the window the change has.
 */
async function moveForLateFirstNotice(
  ports: AdvancePorts,
  change: ChangeRecord,
  at: DateTime,
): Promise<void> {
  const alert = (detail: Record<string, unknown>, subject: string) =>
    raiseAlert(ports, 'NOTICE_LATE', {
      raisedAt: at,
      subject,
      detail: { changeId: change.changeId, customerId: change.customerId, ...detail },
      dedupeKey: `NOTICE_LATE#${change.changeId}#${change.window.start}`,
    });
  for (let attempt = 0; ; attempt++) {
    let moved: ChangeRecord;
    try {
      const plan = await planWithStoredCapacity(ports, {
        region: change.region,
        type: change.type,
        disruptsCalling: change.disruptsCalling,
        noticeSentAt: at,
        ...(change.certificateExpiresAt ? { certificateExpiresAt: change.certificateExpiresAt } : {}),
        urgent: change.urgent,
      });
      ({ change: moved } = await applyMove(ports, {
        changeId: change.changeId,
        decide: (current) => moveForLateNotice(ports.policy, current, plan, at),
      }));
    } catch (error) {
      if (hasCode(error, 'WINDOW_FULL') && attempt < 5) continue;
      if (hasCode(error, 'INVALID_STATE')) return;
      if (!hasCode(error, 'NO_ELIGIBLE_WINDOW')) throw error;
      const { alert: raised } = await alert(
        { windowStart: change.window.start, reason: (error as Error).message },
        `The first notice of change ${change.changeId} comes too late for its window, and no later window fits`,
      );
      const records = [
        historyEntry(at, 'ALERT_RAISED', 'system', {
          event: 'NOTICE_LATE',
          alertId: raised.alertId,
          noWindow: true,
          windowStart: change.window.start,
        }),
      ];
      await ports.changes.appendHistory(change, records);
      await publishEvents(ports, change, records);
      return;
    }
    const { alert: raised, created } = await alert(
      { from: change.window.start, to: moved.window.start },
      `Change ${change.changeId} moved to ${moved.window.start}: its first notice came too late for ${change.window.start}`,
    );
    if (created) {
      const records = [
        historyEntry(at, 'ALERT_RAISED', 'system', { event: 'NOTICE_LATE', alertId: raised.alertId }),
      ];
      await ports.changes.appendHistory(moved, records);
      await publishEvents(ports, moved, records);
    }
    return;
  }
}

async function raiseOutcomeOverdue(ports: AdvancePorts, change: ChangeRecord, at: DateTime): Promise<void> {
  const { alert } = await raiseAlert(ports, 'OUTCOME_OVERDUE', {
    raisedAt: at,
    subject: `No outcome recorded for change ${change.changeId} after its window ended`,
    detail: { changeId: change.changeId, windowEnd: change.window.end, customerId: change.customerId },
    dedupeKey: `OUTCOME_OVERDUE#${change.changeId}`,
  });
  const records = [
    historyEntry(at, 'ALERT_RAISED', 'system', { event: 'OUTCOME_OVERDUE', alertId: alert.alertId }),
  ];
  await ports.changes.appendHistory(change, records);
  await publishEvents(ports, change, records);
}

export async function advanceLifecycle(ports: AdvancePorts, changeId: string): Promise<AdvanceResult> {
  for (let step = 0; step < MAX_STEPS_PER_ADVANCE; step++) {
    const stored = await ports.changes.read(changeId);
    if (!stored) throw notFound('change', changeId);
    const at = ports.clock.now();
    const action = nextLifecycleAction(ports.policy, stored, at);
    switch (action.kind) {
      case 'notify':
        await notifyChange(ports, stored, action, at);
        break;
      case 'confirm':
        await systemMove(ports, changeId, (change) => confirmAfterReplyBy(change, at));
        break;
      case 'start':
        await systemMove(ports, changeId, (change) => startChange(change, at));
        break;
      case 'alert-outcome-overdue':
        await raiseOutcomeOverdue(ports, stored.change, at);
        break;
      case 'move-late-notice':
        await moveForLateFirstNotice(ports, stored.change, at);
        break;
      case 'record-notice-delivery':
        await systemMove(ports, changeId, (change) =>
          recordNoticeDelivery(ports.policy, change, action.at, at),
        );
        break;
      case 'park':
        return {
          step: 'park',
          changeId,
          version: stored.change.version,
          phase: action.phase,
          until: toUtcIso(action.until),
          seconds: Math.max(1, Math.ceil(action.until.diff(at, 'seconds').seconds)),
        };
      case 'done':
        return { step: 'done', changeId, status: stored.change.status };
    }
  }
  throw new Error(`change ${changeId} did not settle after ${MAX_STEPS_PER_ADVANCE} steps`);
}
