import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';
import {
  type LifecycleAction,
  type NoticeEntry,
  type NoticeState,
  nextLifecycleAction,
  nextNoticeAttempt,
} from '#core/lifecycle.ts';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '#core/policy.ts';
import { AMER_WINDOW, plannedChangeRecord } from '../support/change-fixtures.ts';

// Every expected value below is worked out by hand from docs/rules.md:
// - The AMER window of Monday 7 Dec 2026 runs 21:00 EST to Tue 8 Dec 06:00 EST = 2026-12-08T02:00Z..11:00Z.
// - The notice went out Mon 16 Nov 2026 10:00 EST (15:00Z). Reply within 3 business days: Tue 17 (1),
//   Wed 18 (2), Thu 19 (3) -> replyBy Thu 19 Nov 10:00 EST = 2026-11-19T15:00Z. (10 business days of notice
//   end on Tue 1 Dec, Thanksgiving 26 Nov skipped, which is before the window date 7 Dec.)
// - rescheduleCutoff = window start - 7 days = 2026-12-01T02:00Z.
// - The 24 h reminder is due at window start - 24 h = 2026-12-07T02:00Z.
// - Overdue outcome: window end + 2 h (outcomeGraceHours) = 2026-12-08T13:00Z.

const WINDOW = AMER_WINDOW;
/** The window of Monday 14 Dec 2026 (21:00 EST = 02:00Z on the 15th), where a reschedule moves it. */
const NEW_WINDOW = {
  start: '2026-12-15T02:00:00Z',
  end: '2026-12-15T11:00:00Z',
  timezone: 'America/New_York',
  localStart: '2026-12-14T21:00:00-05:00',
  localEnd: '2026-12-15T06:00:00-05:00',
};
const REMINDER_KEY = 'reminder-24h@2026-12-08T02:00:00Z';

function plannedChange(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  return plannedChangeRecord({ changeId: 'chg_lifecycle0001', ...overrides });
}

/** An emergency, as POST /v1/changes/emergency leaves it: no notice, no reply, never reschedulable. */
function emergencyChange(when: 'now' | 'next-window', overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  const {
    noticeSentAt: _n,
    replyBy: _r,
    rescheduleCutoff: _c,
    ...base
  } = plannedChange({
    emergency: true,
    urgent: true,
    reschedulesRemaining: 0,
    reason: 'prevent-outage',
    customerImpact: 'Calls may drop for up to 5 minutes',
    when,
  });
  return when === 'now'
    ? {
        ...base,
        status: 'IN_PROGRESS',
        // Requested Tue 8 Dec 2026 04:30Z (23:30 EST), inside the window: runs to its end.
        window: { ...WINDOW, start: '2026-12-08T04:30:00Z', localStart: '2026-12-07T23:30:00-05:00' },
        createdAt: '2026-12-08T04:30:00Z',
        updatedAt: '2026-12-08T04:30:00Z',
        ...overrides,
      }
    : {
        ...base,
        status: 'CONFIRMED',
        // Requested Mon 7 Dec 2026 10:00 EST: the next window starts that evening at 21:00 EST.
        createdAt: '2026-12-07T15:00:00Z',
        updatedAt: '2026-12-07T15:00:00Z',
        ...overrides,
      };
}

function historyEvent(event: HistoryRecord['event'], at: string, detail: Record<string, unknown> = {}) {
  return { at, event, actor: 'system', detail } satisfies HistoryRecord;
}

interface Situation {
  notices?: Record<string, NoticeState | NoticeEntry>;
  history?: HistoryRecord[];
  policy?: Policy;
}

function decide(change: ChangeRecord, at: string, situation: Situation = {}): LifecycleAction {
  return nextLifecycleAction(
    situation.policy ?? DEFAULT_POLICY,
    { change, history: situation.history ?? [], notices: situation.notices ?? {} },
    DateTime.fromISO(at, { zone: 'utc' }),
  );
}

/** The action with `until` as a UTC ISO string, so expectations read as plain data. */
function plain(action: LifecycleAction): Record<string, unknown> {
  return action.kind === 'park'
    ? { ...action, until: action.until.toUTC().toISO({ suppressMilliseconds: true }) }
    : { ...action };
}

function park(phase: 'reply' | 'confirmed' | 'outcome' | 'notice', until: string) {
  return { kind: 'park', phase, until };
}

describe('nextLifecycleAction: a planned change', () => {
  it('first sends the scheduled notice', () => {
    const change = plannedChange();

    const action = decide(change, '2026-11-16T15:00:00Z');

    expect(action).toEqual({ kind: 'notify', notice: 'scheduled', key: 'scheduled' });
  });

  it('with the notice sent, parks in the reply phase until replyBy', () => {
    const change = plannedChange();

    const action = decide(change, '2026-11-16T15:00:05Z', { notices: { scheduled: 'SENT' } });

    expect(plain(action)).toEqual(park('reply', '2026-11-19T15:00:00Z'));
  });

  it('treats a notice that failed for good as settled: it parks instead of sending it again', () => {
    const change = plannedChange();

    const action = decide(change, '2026-11-17T12:00:00Z', { notices: { scheduled: 'FAILED' } });

    expect(plain(action)).toEqual(park('reply', '2026-11-19T15:00:00Z'));
  });

  it('one second before replyBy still waits for the partner', () => {
    const action = decide(plannedChange(), '2026-11-19T14:59:59Z', { notices: { scheduled: 'SENT' } });

    expect(plain(action)).toEqual(park('reply', '2026-11-19T15:00:00Z'));
  });

  it('at replyBy with no answer, confirms', () => {
    const action = decide(plannedChange(), '2026-11-19T15:00:00Z', { notices: { scheduled: 'SENT' } });

    expect(action).toEqual({ kind: 'confirm' });
  });

  it('after replyBy (the workflow woke late), confirms', () => {
    const action = decide(plannedChange(), '2026-11-25T08:00:00Z', { notices: { scheduled: 'FAILED' } });

    expect(action).toEqual({ kind: 'confirm' });
  });

  it('CONFIRMED before the reminder, parks until window start - 24 h', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-11-19T15:00:01Z', { notices: { scheduled: 'SENT' } });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-07T02:00:00Z'));
  });

  it('an acknowledged change (CONFIRMED before replyBy) no longer waits for replyBy', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-11-17T09:00:00Z', { notices: { scheduled: 'SENT' } });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-07T02:00:00Z'));
  });

  it('at the reminder time, sends the 24 h reminder keyed by the window start', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-12-07T02:00:00Z', { notices: { scheduled: 'SENT' } });

    expect(action).toEqual({ kind: 'notify', notice: 'reminder', key: REMINDER_KEY, reminderHours: 24 });
  });

  it('after the reminder, parks until the window start', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-12-07T02:00:03Z', {
      notices: { scheduled: 'SENT', [REMINDER_KEY]: 'SENT' },
    });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-08T02:00:00Z'));
  });

  it('a reminder that failed for good is not sent again either', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-12-07T05:00:00Z', {
      notices: { scheduled: 'SENT', [REMINDER_KEY]: 'FAILED' },
    });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-08T02:00:00Z'));
  });

  it('at the window start, starts the work', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-12-08T02:00:00Z', {
      notices: { scheduled: 'SENT', [REMINDER_KEY]: 'SENT' },
    });

    expect(action).toEqual({ kind: 'start' });
  });

  it('at the window start, starts even if the reminder was never sent (no late reminder)', () => {
    const change = plannedChange({ status: 'CONFIRMED' });

    const action = decide(change, '2026-12-08T02:30:00Z', { notices: { scheduled: 'SENT' } });

    expect(action).toEqual({ kind: 'start' });
  });

  it('IN_PROGRESS: tells the partner the work started', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });

    const action = decide(change, '2026-12-08T02:00:01Z', {
      notices: { scheduled: 'SENT', [REMINDER_KEY]: 'SENT' },
    });

    expect(action).toEqual({ kind: 'notify', notice: 'started', key: 'started' });
  });

  it('IN_PROGRESS, started notice sent: parks for the outcome until window end + 2 h', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });

    const action = decide(change, '2026-12-08T02:00:02Z', {
      notices: { scheduled: 'SENT', [REMINDER_KEY]: 'SENT', started: 'SENT' },
    });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it('IN_PROGRESS, window ended but within the grace period: still parks until end + 2 h', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });

    const action = decide(change, '2026-12-08T12:59:59Z', {
      notices: { scheduled: 'SENT', started: 'SENT' },
    });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it('IN_PROGRESS at window end + 2 h with no outcome: alerts ops', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });

    const action = decide(change, '2026-12-08T13:00:00Z', {
      notices: { scheduled: 'SENT', started: 'SENT' },
    });

    expect(action).toEqual({ kind: 'alert-outcome-overdue' });
  });

  it('alerts once: with the OUTCOME_OVERDUE alert in the history, parks 24 h later', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });
    const history = [historyEvent('ALERT_RAISED', '2026-12-08T13:00:00Z', { event: 'OUTCOME_OVERDUE' })];

    const action = decide(change, '2026-12-08T13:00:01Z', {
      notices: { scheduled: 'SENT', started: 'SENT' },
      history,
    });

    expect(plain(action)).toEqual(park('outcome', '2026-12-09T13:00:01Z'));
  });

  it('another alert in the history (a notice that failed) does not stand for the overdue one', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });
    const history = [historyEvent('ALERT_RAISED', '2026-12-08T02:00:00Z', { event: 'NOTIFICATION_FAILED' })];

    const action = decide(change, '2026-12-08T14:00:00Z', {
      notices: { scheduled: 'SENT', started: 'FAILED' },
      history,
    });

    expect(action).toEqual({ kind: 'alert-outcome-overdue' });
  });

  it('uses policy.notice.outcomeGraceHours for the overdue moment', () => {
    const policy = parsePolicy({ notice: { outcomeGraceHours: 6 } });
    const change = plannedChange({ status: 'IN_PROGRESS' });

    const action = decide(change, '2026-12-08T11:00:00Z', {
      notices: { scheduled: 'SENT', started: 'SENT' },
      policy,
    });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T17:00:00Z'));
  });

  it.each([
    ['COMPLETED', 'succeeded'],
    ['FAILED', 'failed'],
    ['ROLLED_BACK', 'rolled-back'],
  ] as const)('%s: sends the outcome notice, then is done', (status, outcome) => {
    const change = plannedChange({ status, outcome });
    const notices: Record<string, NoticeState> = { scheduled: 'SENT', started: 'SENT' };

    const first = decide(change, '2026-12-08T09:00:00Z', { notices });
    const second = decide(change, '2026-12-08T09:00:01Z', { notices: { ...notices, outcome: 'SENT' } });

    expect(first).toEqual({ kind: 'notify', notice: 'outcome', key: 'outcome' });
    expect(second).toEqual({ kind: 'done' });
  });

  it('a finished change whose outcome notice failed for good is done', () => {
    const change = plannedChange({ status: 'COMPLETED', outcome: 'succeeded' });

    const action = decide(change, '2026-12-08T09:00:00Z', {
      notices: { scheduled: 'SENT', started: 'SENT', outcome: 'FAILED' },
    });

    expect(action).toEqual({ kind: 'done' });
  });

  it('CANCELLED: sends the cancellation notice, then is done', () => {
    const change = plannedChange({ status: 'CANCELLED', cancelReason: 'customer freeze' });

    const first = decide(change, '2026-11-20T10:00:00Z', { notices: { scheduled: 'SENT' } });
    const second = decide(change, '2026-11-20T10:00:01Z', {
      notices: { scheduled: 'SENT', cancelled: 'SENT' },
    });

    expect(first).toEqual({ kind: 'notify', notice: 'cancelled', key: 'cancelled' });
    expect(second).toEqual({ kind: 'done' });
  });
});

describe('nextLifecycleAction: a change placed in the next window (replyBy after the window start)', () => {
  // Non-disruptive, scheduled Sun 6 Dec 2026 21:00 EST (2026-12-07T02:00Z): the next window at least 24 h
  // later is Mon 7 Dec 21:00 EST (02:00Z on the 8th). replyBy = 3 business days after Sunday: Mon 7 (1),
  // Tue 8 (2), Wed 9 (3) 21:00 EST = 2026-12-10T02:00Z. The 24 h reminder time (2026-12-07T02:00Z) is the
  // notice moment itself: it did not come after the notice, so no reminder is owed.
  const change = plannedChange({
    disruptsCalling: false,
    noticeSentAt: '2026-12-07T02:00:00Z',
    replyBy: '2026-12-10T02:00:00Z',
    rescheduleCutoff: '2026-12-01T02:00:00Z',
    createdAt: '2026-12-07T02:00:00Z',
  });

  it('after the notice, parks in the reply phase until the window start (the earlier moment), no reminder', () => {
    const action = decide(change, '2026-12-07T02:00:01Z', { notices: { scheduled: 'SENT' } });

    expect(plain(action)).toEqual(park('reply', '2026-12-08T02:00:00Z'));
  });

  it('at the window start, starts from SCHEDULED (silence confirms)', () => {
    const action = decide(change, '2026-12-08T02:00:00Z', { notices: { scheduled: 'SENT' } });

    expect(action).toEqual({ kind: 'start' });
  });

  it('a reminder whose time came after the notice is sent while the partner may still answer', () => {
    // Scheduled Fri 4 Dec 10:00 EST (15:00Z): replyBy Wed 9 Dec 10:00 EST (15:00Z), reminder 7 Dec 02:00Z.
    const friday = plannedChange({
      disruptsCalling: false,
      noticeSentAt: '2026-12-04T15:00:00Z',
      replyBy: '2026-12-09T15:00:00Z',
      createdAt: '2026-12-04T15:00:00Z',
    });

    const parked = decide(friday, '2026-12-04T15:00:01Z', { notices: { scheduled: 'SENT' } });
    const due = decide(friday, '2026-12-07T02:00:00Z', { notices: { scheduled: 'SENT' } });

    expect(plain(parked)).toEqual(park('reply', '2026-12-07T02:00:00Z'));
    expect(due).toEqual({ kind: 'notify', notice: 'reminder', key: REMINDER_KEY, reminderHours: 24 });
  });
});

describe('nextLifecycleAction: a rescheduled change', () => {
  // The reschedule notice is keyed by the window it announces.
  const RESCHEDULED_KEY = `rescheduled@${NEW_WINDOW.start}`;
  const rescheduled = plannedChange({
    status: 'CONFIRMED',
    window: NEW_WINDOW,
    windowId: 'AMER#2026-12-14',
    rescheduleCutoff: '2026-12-08T02:00:00Z',
    reschedulesRemaining: 0,
    version: 2,
  });
  const history = [
    historyEvent('SCHEDULED', '2026-11-16T15:00:00Z'),
    historyEvent('RESCHEDULED', '2026-11-18T10:00:00Z', { from: WINDOW, to: NEW_WINDOW }),
    historyEvent('CONFIRMED', '2026-11-18T10:00:00Z', { by: 'reschedule' }),
  ];

  it('announces the new window', () => {
    const action = decide(rescheduled, '2026-11-18T10:00:01Z', { notices: { scheduled: 'SENT' }, history });

    expect(action).toEqual({ kind: 'notify', notice: 'rescheduled', key: RESCHEDULED_KEY });
  });

  it('announces it once: then parks until 24 h before the NEW window', () => {
    const action = decide(rescheduled, '2026-11-18T10:00:02Z', {
      notices: { scheduled: 'SENT', [RESCHEDULED_KEY]: 'SENT' },
      history,
    });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-14T02:00:00Z'));
  });

  it('keys the reminder by the new window, even if one was settled for the old window', () => {
    const action = decide(rescheduled, '2026-12-14T02:00:00Z', {
      notices: { scheduled: 'SENT', [RESCHEDULED_KEY]: 'SENT', [REMINDER_KEY]: 'SENT' },
      history,
    });

    expect(action).toEqual({
      kind: 'notify',
      notice: 'reminder',
      key: 'reminder-24h@2026-12-15T02:00:00Z',
      reminderHours: 24,
    });
  });

  it('does not start at the OLD window start', () => {
    const action = decide(rescheduled, '2026-12-08T02:00:00Z', {
      notices: { scheduled: 'SENT', [RESCHEDULED_KEY]: 'SENT' },
      history,
    });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-14T02:00:00Z'));
  });

  it('announces a second reschedule too, when the policy allows two (reschedule.maxCount: 2)', () => {
    // The first reschedule's notice is settled; the second new window still needs its own.
    const policy = parsePolicy({ reschedule: { maxCount: 2 } });
    const third = {
      start: '2026-12-22T02:00:00Z',
      end: '2026-12-22T11:00:00Z',
      timezone: 'America/New_York',
      localStart: '2026-12-21T21:00:00-05:00',
      localEnd: '2026-12-22T06:00:00-05:00',
    };
    const twice = { ...rescheduled, window: third, windowId: 'AMER#2026-12-21', version: 3 };
    const twiceHistory = [
      ...history,
      historyEvent('RESCHEDULED', '2026-11-25T10:00:00Z', { from: NEW_WINDOW, to: third }),
    ];

    const action = decide(twice, '2026-11-25T10:00:01Z', {
      notices: { scheduled: 'SENT', [RESCHEDULED_KEY]: 'SENT' },
      history: twiceHistory,
      policy,
    });

    expect(action).toEqual({ kind: 'notify', notice: 'rescheduled', key: `rescheduled@${third.start}` });
  });
});

describe('nextLifecycleAction: emergencies', () => {
  it("'now' (IN_PROGRESS): announces the emergency first", () => {
    const change = emergencyChange('now');

    const action = decide(change, '2026-12-08T04:30:00Z');

    expect(action).toEqual({ kind: 'notify', notice: 'emergency', key: 'emergency' });
  });

  it("'now': sends no 'started' notice and parks for the outcome until window end + 2 h", () => {
    const change = emergencyChange('now');

    const action = decide(change, '2026-12-08T04:30:01Z', { notices: { emergency: 'SENT' } });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it("'now': a failed emergency notice is settled too", () => {
    const action = decide(emergencyChange('now'), '2026-12-08T04:30:01Z', {
      notices: { emergency: 'FAILED' },
    });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it("'next-window' (CONFIRMED): announces the emergency", () => {
    const action = decide(emergencyChange('next-window'), '2026-12-07T15:00:00Z');

    expect(action).toEqual({ kind: 'notify', notice: 'emergency', key: 'emergency' });
  });

  it("'next-window': parks until the window start (its 24 h reminder time was before the request)", () => {
    const action = decide(emergencyChange('next-window'), '2026-12-07T15:00:01Z', {
      notices: { emergency: 'SENT' },
    });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-08T02:00:00Z'));
  });

  it("'next-window': starts at the window start", () => {
    const action = decide(emergencyChange('next-window'), '2026-12-08T02:00:00Z', {
      notices: { emergency: 'SENT' },
    });

    expect(action).toEqual({ kind: 'start' });
  });

  it("'next-window', IN_PROGRESS: tells the partner the work started, then waits for the outcome", () => {
    const change = emergencyChange('next-window', { status: 'IN_PROGRESS' });

    const started = decide(change, '2026-12-08T02:00:01Z', { notices: { emergency: 'SENT' } });
    const parked = decide(change, '2026-12-08T02:00:02Z', {
      notices: { emergency: 'SENT', started: 'SENT' },
    });

    expect(started).toEqual({ kind: 'notify', notice: 'started', key: 'started' });
    expect(plain(parked)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it('a finished emergency sends the outcome notice, then is done', () => {
    const change = emergencyChange('now', { status: 'COMPLETED', outcome: 'succeeded' });

    const first = decide(change, '2026-12-08T09:00:00Z', { notices: { emergency: 'SENT' } });
    const second = decide(change, '2026-12-08T09:00:01Z', {
      notices: { emergency: 'SENT', outcome: 'SENT' },
    });

    expect(first).toEqual({ kind: 'notify', notice: 'outcome', key: 'outcome' });
    expect(second).toEqual({ kind: 'done' });
  });
});

describe('nextLifecycleAction: several reminders (reminderOffsetsHours [72, 24])', () => {
  const policy = parsePolicy({ notice: { reminderOffsetsHours: [72, 24] } });
  const confirmed = plannedChange({ status: 'CONFIRMED' });
  const KEY_72 = 'reminder-72h@2026-12-08T02:00:00Z';

  it('parks until the 72 h reminder first (window start - 72 h = 2026-12-05T02:00Z)', () => {
    const action = decide(confirmed, '2026-11-20T00:00:00Z', { notices: { scheduled: 'SENT' }, policy });

    expect(plain(action)).toEqual(park('confirmed', '2026-12-05T02:00:00Z'));
  });

  it('sends the 72 h reminder, then parks until the 24 h one, then sends it', () => {
    const first = decide(confirmed, '2026-12-05T02:00:00Z', { notices: { scheduled: 'SENT' }, policy });
    const between = decide(confirmed, '2026-12-05T02:00:01Z', {
      notices: { scheduled: 'SENT', [KEY_72]: 'SENT' },
      policy,
    });
    const second = decide(confirmed, '2026-12-07T02:00:00Z', {
      notices: { scheduled: 'SENT', [KEY_72]: 'SENT' },
      policy,
    });
    const after = decide(confirmed, '2026-12-07T02:00:01Z', {
      notices: { scheduled: 'SENT', [KEY_72]: 'SENT', [REMINDER_KEY]: 'SENT' },
      policy,
    });

    expect(first).toEqual({ kind: 'notify', notice: 'reminder', key: KEY_72, reminderHours: 72 });
    expect(plain(between)).toEqual(park('confirmed', '2026-12-07T02:00:00Z'));
    expect(second).toEqual({ kind: 'notify', notice: 'reminder', key: REMINDER_KEY, reminderHours: 24 });
    expect(plain(after)).toEqual(park('confirmed', '2026-12-08T02:00:00Z'));
  });

  it('the policy order of the offsets does not matter', () => {
    const reversed = parsePolicy({ notice: { reminderOffsetsHours: [24, 72] } });

    const action = decide(confirmed, '2026-12-05T02:00:00Z', {
      notices: { scheduled: 'SENT' },
      policy: reversed,
    });

    expect(action).toEqual({ kind: 'notify', notice: 'reminder', key: KEY_72, reminderHours: 72 });
  });

  it('a workflow that wakes after both moments sends the earlier (72 h) reminder first', () => {
    const action = decide(confirmed, '2026-12-07T03:00:00Z', { notices: { scheduled: 'SENT' }, policy });

    expect(action).toEqual({ kind: 'notify', notice: 'reminder', key: KEY_72, reminderHours: 72 });
  });

  it('skips the 72 h reminder when its time came before the notice was sent', () => {
    // Scheduled Sat 5 Dec 2026 10:00 EST (15:00Z) into Monday's window: 72 h before is 5 Dec 02:00Z.
    const late = plannedChange({
      status: 'CONFIRMED',
      disruptsCalling: false,
      noticeSentAt: '2026-12-05T15:00:00Z',
      replyBy: '2026-12-10T15:00:00Z',
      createdAt: '2026-12-05T15:00:00Z',
    });

    const parked = decide(late, '2026-12-05T15:00:01Z', { notices: { scheduled: 'SENT' }, policy });
    const due = decide(late, '2026-12-07T02:00:00Z', { notices: { scheduled: 'SENT' }, policy });

    expect(plain(parked)).toEqual(park('confirmed', '2026-12-07T02:00:00Z'));
    expect(due).toEqual({ kind: 'notify', notice: 'reminder', key: REMINDER_KEY, reminderHours: 24 });
  });
});

describe('nextLifecycleAction: notices owed until delivered, and claims left by a dead sender', () => {
  it('a scheduled notice claimed by a sender that died: parks until its claim lapses, never spins', () => {
    const change = plannedChange();
    const notices = {
      scheduled: { state: 'SENDING' as const, attempts: 1, claimedUntil: '2026-11-16T15:05:00Z' },
    };

    const held = decide(change, '2026-11-16T15:00:10Z', { notices });
    const lapsed = decide(change, '2026-11-16T15:05:00Z', { notices });

    expect(plain(held)).toEqual(park('notice', '2026-11-16T15:05:00Z'));
    expect(lapsed).toEqual({ kind: 'notify', notice: 'scheduled', key: 'scheduled' });
  });

  it('a first notice still owed holds the change: no confirmation at replyBy, no start at the window', () => {
    const change = plannedChange();
    const notices = {
      scheduled: { state: 'RETRY' as const, rounds: 3, nextAttemptAt: '2026-12-08T03:00:00Z' },
    };

    const atReplyBy = decide(change, '2026-11-19T15:00:00Z', { notices });
    const atWindow = decide(change, '2026-12-08T02:00:00Z', { notices });

    expect(plain(atReplyBy)).toEqual(park('notice', '2026-12-08T03:00:00Z'));
    expect(plain(atWindow)).toEqual(park('notice', '2026-12-08T03:00:00Z'));
  });

  it('an owed notice whose back-off is over is sent again', () => {
    const notices = {
      scheduled: { state: 'RETRY' as const, rounds: 1, nextAttemptAt: '2026-11-16T15:05:00Z' },
    };

    const action = decide(plannedChange(), '2026-11-16T15:05:00Z', { notices });

    expect(action).toEqual({ kind: 'notify', notice: 'scheduled', key: 'scheduled' });
  });

  it('an owed reminder does not hold the change: it parks until the earlier of its retry and the start', () => {
    const change = plannedChange({ status: 'CONFIRMED' });
    const notices = {
      scheduled: 'SENT' as const,
      [REMINDER_KEY]: { state: 'RETRY' as const, rounds: 1, nextAttemptAt: '2026-12-07T02:10:00Z' },
    };

    const waiting = decide(change, '2026-12-07T02:05:00Z', { notices });
    const atStart = decide(change, '2026-12-08T02:00:00Z', { notices });

    expect(plain(waiting)).toEqual(park('confirmed', '2026-12-07T02:10:00Z'));
    expect(atStart).toEqual({ kind: 'start' });
  });

  it('a reminder still owed when the window starts is not sent late', () => {
    const change = plannedChange({ status: 'IN_PROGRESS' });
    const notices = {
      scheduled: 'SENT' as const,
      started: 'SENT' as const,
      [REMINDER_KEY]: { state: 'RETRY' as const, rounds: 1, nextAttemptAt: '2026-12-08T02:30:00Z' },
    };

    const action = decide(change, '2026-12-08T03:00:00Z', { notices });

    expect(plain(action)).toEqual(park('outcome', '2026-12-08T13:00:00Z'));
  });

  it('a finished change whose outcome notice is owed is not done: it waits for the next attempt', () => {
    const change = plannedChange({ status: 'COMPLETED', outcome: 'succeeded' });
    const notices = {
      scheduled: 'SENT' as const,
      started: 'SENT' as const,
      outcome: { state: 'RETRY' as const, rounds: 2, nextAttemptAt: '2026-12-08T10:00:00Z' },
    };

    const waiting = decide(change, '2026-12-08T09:00:00Z', { notices });
    const due = decide(change, '2026-12-08T10:00:00Z', { notices });

    expect(plain(waiting)).toEqual(park('notice', '2026-12-08T10:00:00Z'));
    expect(due).toEqual({ kind: 'notify', notice: 'outcome', key: 'outcome' });
  });

  it('a started notice still owed is dropped once the change ended (its moment passed)', () => {
    const change = plannedChange({ status: 'COMPLETED', outcome: 'succeeded' });
    const notices = {
      scheduled: 'SENT' as const,
      started: { state: 'RETRY' as const, rounds: 1, nextAttemptAt: '2026-12-08T10:00:00Z' },
      outcome: 'SENT' as const,
    };

    expect(decide(change, '2026-12-08T09:00:00Z', { notices })).toEqual({ kind: 'done' });
  });

  it('a resend ops asked for comes first, named by its key, as the change reads now', () => {
    const change = plannedChange({ status: 'CONFIRMED' });
    const notices = {
      scheduled: { state: 'RESEND' as const, attempts: 1, firstSentAt: '2026-11-16T15:00:00Z' },
      [REMINDER_KEY]: 'SENT' as const,
    };

    const action = decide(change, '2026-12-07T03:00:00Z', { notices });

    expect(action).toEqual({ kind: 'notify', notice: 'scheduled', key: 'scheduled', resend: true });
  });

  it('a resent reminder keeps its offset', () => {
    const change = plannedChange({ status: 'CONFIRMED' });
    const notices = { scheduled: 'SENT' as const, [REMINDER_KEY]: { state: 'RESEND' as const } };

    const action = decide(change, '2026-12-07T03:00:00Z', { notices });

    expect(action).toEqual({
      kind: 'notify',
      notice: 'reminder',
      key: REMINDER_KEY,
      reminderHours: 24,
      resend: true,
    });
  });

  it('backs off 5 minutes after the first round of fast retries, doubling, at most 6 hours', () => {
    const now = DateTime.fromISO('2026-11-16T15:00:00Z', { zone: 'utc' });
    const minutes = [0, 1, 2, 3, 6, 7, 20].map(
      (rounds) => nextNoticeAttempt(now, rounds).diff(now, 'minutes').minutes,
    );

    expect(minutes).toEqual([5, 10, 20, 40, 320, 360, 360]);
  });
});

describe('nextLifecycleAction: notice counts from delivery', () => {
  // The window of Mon 7 Dec (AMER): from Fri 20 Nov the 10th business day is Mon 7 Dec (Thanksgiving
  // skipped), in time; from Mon 23 Nov it is Tue 8 Dec, too late (rules section 3's example).
  it('a first notice that would go out too late for the window moves the change first', () => {
    const action = decide(plannedChange(), '2026-11-23T15:00:00Z');

    expect(action).toEqual({ kind: 'move-late-notice' });
  });

  it('on the last day that still gives 10 business days, the notice goes out for the window it has', () => {
    const action = decide(plannedChange(), '2026-11-20T15:00:00Z');

    expect(action).toEqual({ kind: 'notify', notice: 'scheduled', key: 'scheduled' });
  });

  it('an owed first notice is checked again at its next attempt', () => {
    const notices = {
      scheduled: { state: 'RETRY' as const, rounds: 4, nextAttemptAt: '2026-11-24T15:00:00Z' },
    };

    expect(decide(plannedChange(), '2026-11-24T15:00:00Z', { notices })).toEqual({
      kind: 'move-late-notice',
    });
  });

  it('when no window could be found for it (recorded with the alert), announces the window it has', () => {
    const history = [
      historyEvent('ALERT_RAISED', '2026-11-24T15:00:00Z', {
        event: 'NOTICE_LATE',
        noWindow: true,
        windowStart: WINDOW.start,
      }),
    ];

    expect(decide(plannedChange(), '2026-11-24T15:00:00Z', { history })).toEqual({
      kind: 'notify',
      notice: 'scheduled',
      key: 'scheduled',
    });
  });

  it('once delivered later than the record says, records the delivery before anything else', () => {
    const notices = { scheduled: { state: 'SENT' as const, firstSentAt: '2026-11-16T15:20:00Z' } };

    expect(decide(plannedChange(), '2026-11-16T15:20:01Z', { notices })).toEqual({
      kind: 'record-notice-delivery',
      at: '2026-11-16T15:20:00Z',
    });
  });

  it('a move the system made for a late notice is not announced as a reschedule', () => {
    const history = [historyEvent('RESCHEDULED', '2026-11-16T15:00:00Z', { reason: 'late-notice' })];
    const notices = { scheduled: { state: 'SENT' as const, firstSentAt: '2026-11-16T15:00:00Z' } };

    const action = decide(plannedChange(), '2026-11-16T15:00:01Z', { notices, history });

    expect(plain(action)).toEqual(park('reply', '2026-11-19T15:00:00Z'));
  });
});
