/**
 * Notice counts from delivery (rules section 3): the first notice of a planned change states the change
 * as it reads once delivered; its delivery is recorded on the change; and a first notice that would come
 * too late for the change's window moves the change first. Pure moves, written like those of change.ts.
 */
import { DateTime } from 'luxon';
import { addBusinessDays, toUtcIso, toWindowView } from './calendar.ts';
import { type CapacityAdjustment, givePlaceBack, reservePlace } from './capacity.ts';
import { advance, type ChangeRecord, historyEntry, invalidState, type Move, stampOf } from './change.ts';
import type { Plan } from './planning.ts';
import type { Policy } from './policy.ts';
import { OPEN_STATUSES } from './vocabulary.ts';

/**
 * A planned change as its first notice states it when the notice goes out at `at`: notice counts from
 * delivery (rules section 3), so `noticeSentAt` is that instant and `replyBy` counts from it.
 */
export function asNoticedAt(policy: Policy, change: ChangeRecord, at: DateTime): ChangeRecord {
  if (change.emergency) return change;
  return {
    ...change,
    noticeSentAt: toUtcIso(at),
    replyBy: toUtcIso(addBusinessDays(policy, change.region, at, policy.notice.replyBusinessDays)),
  };
}

/**
 * The first notice was accepted for delivery at `deliveredAt`: the record says so (`noticeSentAt`, and
 * `replyBy` counted from it, as the notice stated them). Only for a change not moved on since.
 */
export function recordNoticeDelivery(
  policy: Policy,
  change: ChangeRecord,
  deliveredAt: string,
  now: DateTime,
): Move {
  if (change.emergency) return invalidState(change, 'given a notice date');
  const noticed = asNoticedAt(policy, change, DateTime.fromISO(deliveredAt, { zone: 'utc' }));
  return {
    change: advance(change, stampOf(change, now), {
      noticeSentAt: noticed.noticeSentAt as string,
      replyBy: noticed.replyBy as string,
    }),
    history: [],
    capacity: [],
  };
}

/**
 * The first notice of a planned change is about to go out so late that its window no longer respects
 * the notice rule: the system moves the change to the earliest eligible window counted from now (the
 * plan), its place taken there and given back in the old window in the same write. The partner's own
 * reschedule allowance is untouched, and the 60 days of a reschedule count from the new window (the old
 * one was never announced).
 */
export function moveForLateNotice(policy: Policy, change: ChangeRecord, plan: Plan, now: DateTime): Move {
  if (change.emergency || !OPEN_STATUSES.includes(change.status)) return invalidState(change, 'moved');
  if (change.windowId === plan.window.id) return invalidState(change, 'moved to the window it is in');
  const window = toWindowView(plan.window);
  const at = stampOf(change, now);
  const capacity: CapacityAdjustment[] = [reservePlace(policy, plan.window.id)];
  if (change.windowId) capacity.unshift(givePlaceBack(change.windowId));
  return {
    change: advance(change, at, {
      window,
      windowId: plan.window.id,
      originalWindowStart: window.start,
      noticeSentAt: toUtcIso(plan.noticeSentAt),
      replyBy: toUtcIso(plan.replyBy),
      rescheduleCutoff: toUtcIso(plan.rescheduleCutoff),
    }),
    history: [
      historyEntry(at, 'RESCHEDULED', 'system', {
        from: change.window,
        to: window,
        reason: LATE_NOTICE,
        why: 'the first notice could not be delivered in time for the window it was planned in',
      }),
    ],
    capacity,
  };
}

/** The `reason` of a RESCHEDULED entry the system made because the first notice came too late. */
export const LATE_NOTICE = 'late-notice';
