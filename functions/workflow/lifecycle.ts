/**
 * The Lambda behind the lifecycle state machine's Task states. One function, four actions:
 * - `advance`: does whatever the change needs now (core/lifecycle.ts decides) until it must wait,
 *   and answers when to wake up; every step is idempotent, so a retried Task repeats nothing;
 * - `park`: stores the task token of the state machine's callback wait, if the change is still
 *   as `advance` saw it (else ChangeMovedError: the machine advances again);
 * - `record-notification-failure`: a notice still failing after the machine's retries is recorded
 *   (NOTIFICATION_FAILED in the history, a P2 alert) and the lifecycle goes on;
 * - `record-lifecycle-failure`: an unexpected failure raises a P1 alert before the machine fails.
 */
import type { DateTime } from 'luxon';
import { raiseAlert } from '#adapters/alerts.ts';
import { now } from '#adapters/clock.ts';
import { publishLifecycleEvents } from '#adapters/events.ts';
import { mailer, NotificationDeliveryError } from '#adapters/mailer.ts';
import { policy } from '#adapters/policy-source.ts';
import { appendHistory, applyMove, readChange, type StoredChange } from '#adapters/store/change-store.ts';
import { readCustomer, readPartner } from '#adapters/store/directory-store.ts';
import { claimNotice, releaseNotice, settleNotice, storeWaitToken } from '#adapters/store/lifecycle-store.ts';
import { logger } from '#commons/logger.ts';
import { toUtcIso } from '#core/calendar.ts';
import {
  type ChangeRecord,
  confirmAfterReplyBy,
  historyEntry,
  type Move,
  startChange,
} from '#core/change.ts';
import { DomainError } from '#core/errors.ts';
import { type LifecycleAction, nextLifecycleAction } from '#core/lifecycle.ts';
import { composeNotice } from '#core/notices.ts';
import type { ParkPhase } from '#core/vocabulary.ts';

export type LifecycleRequest =
  | { action: 'advance'; changeId: string }
  | { action: 'park'; changeId: string; version: number; phase: ParkPhase; until: string; taskToken: string }
  | { action: 'record-notification-failure'; changeId: string; error?: { Error?: string; Cause?: string } }
  | { action: 'record-lifecycle-failure'; changeId: string; error?: { Error?: string; Cause?: string } };

export type AdvanceResult =
  | { step: 'park'; changeId: string; version: number; phase: ParkPhase; until: string; seconds: number }
  | { step: 'done'; changeId: string; status: string };

const SENDER = process.env.NOTICE_SENDER ?? 'maintenance@calling.example';
/** Enough for every step a change can need at once; more means a bug, not a busy change. */
const MAX_STEPS_PER_ADVANCE = 25;

async function readOrFail(changeId: string): Promise<StoredChange> {
  const stored = await readChange(changeId);
  if (!stored) throw new DomainError('NOT_FOUND', 404, `change ${changeId} was not found`);
  return stored;
}

/** A system move (confirm, start); a refusal means someone else moved the change first: fine. */
async function systemMove(changeId: string, decide: (change: ChangeRecord) => Move): Promise<void> {
  try {
    const transition = await applyMove(changeId, decide, { capacityLimit: policy.windows.capacity });
    await publishLifecycleEvents(transition.change, transition.history);
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'INVALID_STATE')) throw error;
  }
}

async function recordHistory(change: ChangeRecord, records: ReturnType<typeof historyEntry>[]) {
  await appendHistory(change.changeId, records);
  await publishLifecycleEvents(change, records);
}

async function deliverNotice(
  stored: StoredChange,
  action: Extract<LifecycleAction, { kind: 'notify' }>,
  at: DateTime,
): Promise<void> {
  const { change } = stored;
  if ((await claimNotice(change.changeId, action.key, at)) === 'settled') return;
  const [partner, customer] = await Promise.all([
    readPartner(change.partnerId),
    readCustomer(change.customerId),
  ]);
  if (!partner || !customer) {
    await giveUpNotice(change, action.key, 'the partner or customer record is missing', at);
    return;
  }
  const notice = composeNotice(action.notice, change, { partner, customer });
  if (notice.to.length === 0 && notice.cc.length === 0) {
    await giveUpNotice(change, action.key, 'nobody is subscribed to receive it', at);
    return;
  }
  let messageId: string;
  try {
    ({ messageId } = await mailer().send({
      from: SENDER,
      to: notice.to.length > 0 ? notice.to : notice.cc,
      cc: notice.to.length > 0 ? notice.cc : [],
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
      attachments: notice.ics
        ? [
            {
              filename: 'maintenance.ics',
              contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
              content: notice.ics,
            },
          ]
        : [],
      date: at.toJSDate(),
      headers: { 'X-Change-Id': change.changeId, 'X-Notice': action.key },
    }));
  } catch (error) {
    await releaseNotice(change.changeId, action.key);
    // The notice key travels in the message so the failure recorder knows which notice gave up.
    throw new NotificationDeliveryError(
      `notice=${action.key} change=${change.changeId}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  await settleNotice(change.changeId, action.key, { state: 'SENT', messageId, at: toUtcIso(at) });
  await recordHistory(change, [
    historyEntry(at, action.notice === 'reminder' ? 'REMINDER_SENT' : 'NOTICE_SENT', 'system', {
      notice: action.notice,
      key: action.key,
      messageId,
      to: notice.to,
      cc: notice.cc,
      subject: notice.subject,
    }),
  ]);
}

/** A notice that cannot be delivered: recorded in the history, a P2 alert raised, lifecycle goes on. */
async function giveUpNotice(change: ChangeRecord, key: string, reason: string, at: DateTime): Promise<void> {
  await settleNotice(change.changeId, key, { state: 'FAILED', reason, at: toUtcIso(at) });
  const { alert, created } = await raiseAlert('NOTIFICATION_FAILED', {
    raisedAt: at,
    subject: `Notice ${key} for change ${change.changeId} could not be delivered`,
    detail: { changeId: change.changeId, partnerId: change.partnerId, notice: key, reason },
    dedupeKey: `NOTIFICATION_FAILED#${change.changeId}#${key}`,
  });
  await recordHistory(change, [
    historyEntry(at, 'NOTIFICATION_FAILED', 'system', { notice: key, reason }),
    ...(created
      ? [historyEntry(at, 'ALERT_RAISED', 'system', { event: alert.event, alertId: alert.alertId })]
      : []),
  ]);
}

async function raiseOutcomeOverdue(change: ChangeRecord, at: DateTime): Promise<void> {
  const { alert } = await raiseAlert('OUTCOME_OVERDUE', {
    raisedAt: at,
    subject: `No outcome recorded for change ${change.changeId} after its window ended`,
    detail: { changeId: change.changeId, windowEnd: change.window.end, customerId: change.customerId },
    dedupeKey: `OUTCOME_OVERDUE#${change.changeId}`,
  });
  await recordHistory(change, [
    historyEntry(at, 'ALERT_RAISED', 'system', { event: 'OUTCOME_OVERDUE', alertId: alert.alertId }),
  ]);
}

export async function advance(changeId: string): Promise<AdvanceResult> {
  for (let step = 0; step < MAX_STEPS_PER_ADVANCE; step++) {
    const stored = await readOrFail(changeId);
    const at = now();
    const action = nextLifecycleAction(policy, stored, at);
    switch (action.kind) {
      case 'notify':
        await deliverNotice(stored, action, at);
        break;
      case 'confirm':
        await systemMove(changeId, (change) => confirmAfterReplyBy(change, at));
        break;
      case 'start':
        await systemMove(changeId, (change) => startChange(change, at));
        break;
      case 'alert-outcome-overdue':
        await raiseOutcomeOverdue(stored.change, at);
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

function noticeKeyFrom(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  let message = cause;
  try {
    message = String((JSON.parse(cause) as { errorMessage?: unknown }).errorMessage ?? cause);
  } catch {
    // a plain message
  }
  return /notice=(\S+)/.exec(message)?.[1];
}

async function recordNotificationFailure(changeId: string, cause: string | undefined): Promise<void> {
  const stored = await readOrFail(changeId);
  const at = now();
  // The failed notice is named in the error; failing that, it is the one the lifecycle still wants.
  const pending = nextLifecycleAction(policy, stored, at);
  const key = noticeKeyFrom(cause) ?? (pending.kind === 'notify' ? pending.key : undefined);
  if (!key || stored.notices[key]) return;
  await giveUpNotice(stored.change, key, 'delivery kept failing after retries', at);
}

async function recordLifecycleFailure(
  changeId: string,
  error: LifecycleRequest & { action: 'record-lifecycle-failure' },
) {
  const at = now();
  await raiseAlert('JOB_CRASHED', {
    raisedAt: at,
    subject: `The lifecycle of change ${changeId} failed`,
    detail: { changeId, error: error.error?.Error, cause: error.error?.Cause?.slice(0, 2000) },
    dedupeKey: `LIFECYCLE_FAILED#${changeId}`,
  });
}

export async function handler(request: LifecycleRequest): Promise<unknown> {
  logger.info('lifecycle task', { action: request.action, changeId: request.changeId });
  switch (request.action) {
    case 'advance':
      return advance(request.changeId);
    case 'park':
      await storeWaitToken(request.changeId, request.version, {
        token: request.taskToken,
        phase: request.phase,
        until: request.until,
      });
      return { parked: true };
    case 'record-notification-failure':
      await recordNotificationFailure(request.changeId, request.error?.Cause);
      return { recorded: true };
    case 'record-lifecycle-failure':
      await recordLifecycleFailure(request.changeId, request);
      return { recorded: true };
  }
}
