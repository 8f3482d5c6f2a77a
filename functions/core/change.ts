/**
 * A change and the moves of its lifecycle, as pure functions. Each move takes the current record
 * and returns either a refusal (the contract's code) or a `Transition`: the new record, the history
 * entries to append and the window-capacity adjustments, which the store writes in one
 * conditional transaction (the record's `version` must still be the one read).
 */
import { DateTime } from 'luxon';
import { toUtcIso, toWindowView, type WindowView } from './calendar.ts';
import { type CapacityAdjustment, countEmergency, givePlaceBack, reservePlace } from './capacity.ts';
import type { Slot } from './emergency.ts';
import { type Refusal, refuse } from './errors.ts';
import type { Plan } from './planning.ts';
import type { Policy } from './policy.ts';
import { checkReschedule } from './reschedule.ts';
import {
  type ChangeStatus,
  type ChangeType,
  type EmergencyReason,
  type EmergencyWhen,
  type HistoryEvent,
  OPEN_STATUSES,
  type Outcome,
  type Region,
  type UpgradeTrigger,
} from './vocabulary.ts';

/** `ops`, `partner:<id>` or `system`. */
export type Actor = string;

export interface ChangeRecord {
  changeId: string;
  partnerId: string;
  customerId: string;
  region: Region;
  type: ChangeType;
  title: string;
  description?: string;
  disruptsCalling: boolean;
  emergency: boolean;
  urgent: boolean;
  urgentReason?: string;
  status: ChangeStatus;
  window: WindowView;
  /** The window whose capacity this change uses; null for an emergency run outside any window. */
  windowId: string | null;
  /** Start of the first window it was scheduled into (the 60-day reschedule range counts from it). */
  originalWindowStart: string;
  noticeSentAt?: string;
  replyBy?: string;
  rescheduleCutoff?: string;
  reschedulesRemaining: number;
  trigger?: UpgradeTrigger;
  targetVersion?: string;
  certificateExpiresAt?: string;
  certificateId?: string;
  /** Emergency reason. */
  reason?: EmergencyReason;
  customerImpact?: string;
  when?: EmergencyWhen;
  outcome?: Outcome;
  outcomeNotes?: string;
  cancelReason?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface HistoryRecord {
  at: string;
  event: HistoryEvent;
  actor: Actor;
  detail: Record<string, unknown>;
  /**
   * The change's version the entry was committed at (a move's entries: the version it made; an entry
   * appended after, such as a notice sent: the version it was decided on). History is ordered by it,
   * then by `at`: commit order, not arrival order. Set by the store when it reads the history.
   */
  version?: number;
}

export interface Transition {
  change: ChangeRecord;
  history: HistoryRecord[];
  capacity: CapacityAdjustment[];
}

export type Move = Transition | Refusal;

export function isRefusal(move: Move | { ok: true } | Refusal): move is Refusal {
  return 'ok' in move && move.ok === false;
}

function entry(
  at: DateTime,
  event: HistoryEvent,
  actor: Actor,
  detail: Record<string, unknown> = {},
): HistoryRecord {
  return { at: toUtcIso(at), event, actor, detail };
}

/**
 * The instant a move is stamped with: now, or the change's last update if that is later. Two writers
 * read the clock before they commit, so the one that commits second may have read an earlier instant;
 * stamping it no earlier than the commit it follows keeps `updatedAt` and the history from going back.
 */
export function stampOf(change: ChangeRecord, now: DateTime): DateTime {
  const last = DateTime.fromISO(change.updatedAt, { zone: 'utc' });
  return last.isValid && last > now ? last : now;
}

/** The record after a move: the patch, stamped `now`, one version on. */
export function advance(change: ChangeRecord, now: DateTime, patch: Partial<ChangeRecord>): ChangeRecord {
  return { ...change, ...patch, updatedAt: toUtcIso(now), version: change.version + 1 };
}

export function invalidState(change: ChangeRecord, action: string): Refusal<'INVALID_STATE'> {
  return refuse(
    'INVALID_STATE',
    409,
    `change ${change.changeId} is ${change.status}: it cannot be ${action}`,
  );
}

/** What every new change is asked with: whose, where, what. */
type ChangeRequest = Pick<
  ChangeRecord,
  'changeId' | 'partnerId' | 'customerId' | 'region' | 'type' | 'title' | 'description'
>;

/** A planned change as it is asked for; the rest of its record is decided when it is scheduled. */
export type NewChangeFields = ChangeRequest &
  Pick<
    ChangeRecord,
    'disruptsCalling' | 'urgentReason' | 'trigger' | 'targetVersion' | 'certificateExpiresAt'
  > & {
    urgent?: boolean;
    /** The certificate a renewal is for (set by the certificate scan). */
    certificateId?: string;
  };

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A planned change placed by the planner: SCHEDULED, notice sent now, capacity reserved. */
export function schedulePlannedChange(
  policy: Policy,
  fields: NewChangeFields,
  plan: Plan,
  now: DateTime,
  actor: Actor = 'ops',
): Transition {
  const window = toWindowView(plan.window);
  const change: ChangeRecord = dropUndefined({
    ...fields,
    emergency: false,
    urgent: fields.urgent ?? false,
    status: 'SCHEDULED',
    window,
    windowId: plan.window.id,
    originalWindowStart: window.start,
    noticeSentAt: toUtcIso(plan.noticeSentAt),
    replyBy: toUtcIso(plan.replyBy),
    rescheduleCutoff: toUtcIso(plan.rescheduleCutoff),
    reschedulesRemaining: plan.reschedulesRemaining,
    createdAt: toUtcIso(now),
    updatedAt: toUtcIso(now),
    version: 1,
  });
  return {
    change,
    history: [entry(now, 'SCHEDULED', actor, { window, windowId: plan.window.id })],
    capacity: [reservePlace(policy, plan.window.id)],
  };
}

/** An emergency as it is declared: its reason, its impact, and when it runs. */
export type EmergencyFields = ChangeRequest & {
  reason: EmergencyReason;
  customerImpact: string;
  when: EmergencyWhen;
};

/**
 * An emergency: no notice period, no reply, never reschedulable, counted in its window but never
 * refused for capacity. `now` is in progress at once; `next-window` is confirmed for that window.
 */
export function scheduleEmergencyChange(
  fields: EmergencyFields,
  slot: Slot,
  now: DateTime,
  actor: Actor = 'ops',
): Transition {
  const window: WindowView = {
    start: toUtcIso(slot.start),
    end: toUtcIso(slot.end),
    timezone: slot.timezone,
    localStart: slot.start.setZone(slot.timezone).toISO({ suppressMilliseconds: true }) as string,
    localEnd: slot.end.setZone(slot.timezone).toISO({ suppressMilliseconds: true }) as string,
  };
  const startsNow = fields.when === 'now';
  const change: ChangeRecord = dropUndefined({
    ...fields,
    disruptsCalling: true,
    emergency: true,
    urgent: true,
    status: startsNow ? 'IN_PROGRESS' : 'CONFIRMED',
    window,
    windowId: slot.windowId,
    originalWindowStart: window.start,
    reschedulesRemaining: 0,
    createdAt: toUtcIso(now),
    updatedAt: toUtcIso(now),
    version: 1,
  });
  const history = [
    entry(now, 'SCHEDULED', actor, { window, emergency: true, reason: fields.reason, when: fields.when }),
    startsNow ? entry(now, 'STARTED', actor, {}) : entry(now, 'CONFIRMED', 'system', { by: 'emergency' }),
  ];
  return {
    change,
    history,
    capacity: slot.windowId ? [countEmergency(slot.windowId)] : [],
  };
}

/** The partner accepts the window (SCHEDULED -> CONFIRMED). */
export function acknowledgeChange(change: ChangeRecord, actor: Actor, now: DateTime, comment?: string): Move {
  if (change.status !== 'SCHEDULED') return invalidState(change, 'acknowledged');
  const at = toUtcIso(stampOf(change, now));
  return {
    change: advance(change, stampOf(change, now), { status: 'CONFIRMED' }),
    history: [
      entry(stampOf(change, now), 'ACKNOWLEDGED', actor, comment ? { comment } : {}),
      entry(stampOf(change, now), 'CONFIRMED', actor, { by: 'acknowledgement', at }),
    ],
    capacity: [],
  };
}

/** Nobody answered by `replyBy`: the change is confirmed (rules section 3). */
export function confirmAfterReplyBy(change: ChangeRecord, now: DateTime): Move {
  if (change.status !== 'SCHEDULED') return invalidState(change, 'confirmed');
  if (change.replyBy && now.toMillis() < Date.parse(change.replyBy)) {
    return refuse('INVALID_STATE', 409, `the partner may still answer until ${change.replyBy}`);
  }
  return {
    change: advance(change, stampOf(change, now), { status: 'CONFIRMED' }),
    history: [
      entry(stampOf(change, now), 'CONFIRMED', 'system', { by: 'reply-by passed', replyBy: change.replyBy }),
    ],
    capacity: [],
  };
}

/** The partner moves the change to another window, once (rules section 4). */
export function rescheduleChange(
  policy: Policy,
  change: ChangeRecord,
  request: { requestedStart: string; reason: string },
  actor: Actor,
  now: DateTime,
): Move {
  const decision = checkReschedule(
    policy,
    {
      region: change.region,
      type: change.type,
      status: change.status,
      emergency: change.emergency,
      urgent: change.urgent,
      reschedulesRemaining: change.reschedulesRemaining,
      windowStart: change.window.start,
      originalWindowStart: change.originalWindowStart,
      ...(change.certificateExpiresAt ? { certificateExpiresAt: change.certificateExpiresAt } : {}),
    },
    request.requestedStart,
    now,
  );
  if (!decision.ok) return decision;
  const window = toWindowView(decision.window);
  const capacity: CapacityAdjustment[] = [reservePlace(policy, decision.window.id)];
  if (change.windowId) capacity.unshift(givePlaceBack(change.windowId));
  return {
    change: advance(change, stampOf(change, now), {
      // The partner chose the new date itself: that is its answer, so the change is confirmed.
      status: 'CONFIRMED',
      window,
      windowId: decision.window.id,
      rescheduleCutoff: toUtcIso(decision.rescheduleCutoff),
      reschedulesRemaining: change.reschedulesRemaining - 1,
    }),
    history: [
      entry(stampOf(change, now), 'RESCHEDULED', actor, {
        from: change.window,
        to: window,
        reason: request.reason,
      }),
      ...(change.status === 'SCHEDULED'
        ? [entry(stampOf(change, now), 'CONFIRMED', actor, { by: 'reschedule' })]
        : []),
    ],
    capacity,
  };
}

/** The window has started: the work is in progress. */
export function startChange(change: ChangeRecord, now: DateTime): Move {
  if (!OPEN_STATUSES.includes(change.status)) return invalidState(change, 'started');
  if (now.toMillis() < Date.parse(change.window.start)) {
    return refuse(
      'INVALID_STATE',
      409,
      `the window of change ${change.changeId} starts at ${change.window.start}`,
    );
  }
  return {
    change: advance(change, stampOf(change, now), { status: 'IN_PROGRESS' }),
    history: [entry(stampOf(change, now), 'STARTED', 'system', { window: change.window })],
    capacity: [],
  };
}

const OUTCOME_STATUS: Record<Outcome, { status: ChangeStatus; event: HistoryEvent }> = {
  succeeded: { status: 'COMPLETED', event: 'COMPLETED' },
  failed: { status: 'FAILED', event: 'FAILED' },
  'rolled-back': { status: 'ROLLED_BACK', event: 'ROLLED_BACK' },
};

/** Ops records the outcome of a change in progress. */
export function completeChange(
  change: ChangeRecord,
  outcome: Outcome,
  notes: string | undefined,
  now: DateTime,
): Move {
  if (change.status !== 'IN_PROGRESS') return invalidState(change, 'completed');
  const { status, event } = OUTCOME_STATUS[outcome];
  return {
    change: advance(change, stampOf(change, now), dropUndefined({ status, outcome, outcomeNotes: notes })),
    history: [entry(stampOf(change, now), event, 'ops', notes ? { outcome, notes } : { outcome })],
    capacity: [],
  };
}

/** Ops cancels a change before it starts; its window place is given back. */
export function cancelChange(change: ChangeRecord, reason: string, now: DateTime): Move {
  if (!OPEN_STATUSES.includes(change.status)) return invalidState(change, 'cancelled');
  return {
    change: advance(change, stampOf(change, now), { status: 'CANCELLED', cancelReason: reason }),
    history: [entry(stampOf(change, now), 'CANCELLED', 'ops', { reason })],
    capacity: change.windowId ? [givePlaceBack(change.windowId)] : [],
  };
}

/** An event that only adds to the history (notice sent, reminder sent, notification failed ...). */
export function historyEntry(
  at: DateTime,
  event: HistoryEvent,
  actor: Actor,
  detail: Record<string, unknown> = {},
): HistoryRecord {
  return entry(at, event, actor, detail);
}

const INTERNAL_FIELDS = [
  'windowId',
  'originalWindowStart',
  'when',
  'outcomeNotes',
  'cancelReason',
  'certificateId',
] as const;

/** The change as the API shows it (internal bookkeeping fields left out). */
export function toChangeView(change: ChangeRecord, history?: HistoryRecord[]): Record<string, unknown> {
  const view: Record<string, unknown> = { ...change };
  for (const field of INTERNAL_FIELDS) delete view[field];
  if (history) view.history = history;
  return view;
}
