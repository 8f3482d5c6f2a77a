import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localDateOf, plusDays, toUtcIso, windowOn } from '#core/calendar.ts';
import {
  acknowledgeChange,
  type ChangeRecord,
  cancelChange,
  completeChange,
  confirmAfterReplyBy,
  type HistoryRecord,
  isRefusal,
  type Move,
  rescheduleChange,
  scheduleEmergencyChange,
  schedulePlannedChange,
  startChange,
} from '#core/change.ts';
import { placeEmergency } from '#core/emergency.ts';
import { type LifecycleAction, type NoticeState, nextLifecycleAction } from '#core/lifecycle.ts';
import { planChange } from '#core/planning.ts';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '#core/policy.ts';
import {
  CHANGE_TYPES,
  type ChangeType,
  FINAL_STATUSES,
  type NoticeKind,
  type Outcome,
  REGIONS,
  type Region,
} from '#core/vocabulary.ts';

// A whole lifecycle, simulated: the decider is asked again and again and its answer is carried out the
// way the workflow's Advance step does (notify -> the key is settled; confirm/start -> the change.ts move;
// alert -> ALERT_RAISED in the history; park -> the clock jumps to `until`, unless a partner or ops
// decision arrives first, which is applied at its own time, as the API would while the workflow waits).

const POLICIES: readonly Policy[] = [
  DEFAULT_POLICY,
  parsePolicy({ notice: { reminderOffsetsHours: [72, 24] } }),
  parsePolicy({ notice: { reminderOffsetsHours: [1], outcomeGraceHours: 0 } }),
  parsePolicy({ notice: { replyBusinessDays: 2, reminderOffsetsHours: [48, 24, 2] } }),
];
/** Generous: a lifecycle needs about 10 steps plus one per decision and per day the outcome is late. */
const MAX_STEPS = 60;
const HOUR = 3_600_000;

type Decision =
  | { kind: 'acknowledge'; afterHours: number }
  | { kind: 'reschedule'; afterHours: number; daysAhead: number }
  | { kind: 'cancel'; afterHours: number };

interface Scenario {
  policyIndex: number;
  createdAt: number;
  region: Region;
  type: ChangeType;
  disruptsCalling: boolean;
  origin: 'planned' | 'emergency-now' | 'emergency-next-window';
  certificateDays: number;
  decisions: Decision[];
  outcome: Outcome;
  /** Ops records the outcome this long after the window's end (may be early, but never before now). */
  outcomeDelayHours: number;
  /** Which notices fail for good (by the order they are sent); a failed notice counts as settled. */
  noticeFailures: boolean[];
}

const decision: fc.Arbitrary<Decision> = fc.oneof(
  fc.record({ kind: fc.constant('acknowledge' as const), afterHours: fc.integer({ min: 0, max: 24 * 30 }) }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reschedule' as const),
      // Mostly early enough (7 days before the window), sometimes too late or too near: refused, as by the API.
      afterHours: fc.integer({ min: 0, max: 24 * 14 }),
      daysAhead: fc.integer({ min: 6, max: 45 }),
    }),
  },
  fc.record({ kind: fc.constant('cancel' as const), afterHours: fc.integer({ min: 0, max: 24 * 40 }) }),
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  policyIndex: fc.integer({ min: 0, max: POLICIES.length - 1 }),
  // Any minute from 2026 to mid-2029 (the holiday table covers these years).
  createdAt: fc
    .integer({
      min: Date.parse('2026-01-01T00:00:00Z') / 60_000,
      max: Date.parse('2029-06-30T00:00:00Z') / 60_000,
    })
    .map((minutes) => minutes * 60_000),
  region: fc.constantFrom(...REGIONS),
  type: fc.constantFrom(...CHANGE_TYPES),
  disruptsCalling: fc.boolean(),
  origin: fc.constantFrom('planned', 'planned', 'planned', 'emergency-now', 'emergency-next-window'),
  certificateDays: fc.integer({ min: 30, max: 90 }),
  decisions: fc.array(decision, { maxLength: 3 }),
  outcome: fc.constantFrom('succeeded', 'failed', 'rolled-back'),
  outcomeDelayHours: fc.integer({ min: -3, max: 24 * 5 }),
  noticeFailures: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});

interface Sent {
  notice: NoticeKind;
  key: string;
  at: number;
  status: ChangeRecord['status'];
  windowStart: number;
}

interface Run {
  policy: Policy;
  initial: ChangeRecord;
  change: ChangeRecord;
  steps: { at: number; action: LifecycleAction }[];
  sent: Sent[];
  startedAt?: number;
  done: boolean;
}

function create(s: Scenario, policy: Policy): { change: ChangeRecord; history: HistoryRecord[] } | null {
  const now = DateTime.fromMillis(s.createdAt, { zone: 'utc' });
  const fields = {
    changeId: 'chg_property',
    partnerId: 'ptn_acme',
    customerId: 'cus_globex',
    region: s.region,
    type: s.type,
    title: 'Simulated change',
  };
  if (s.origin === 'planned') {
    const certificateExpiresAt =
      s.type === 'certificate-renewal' ? toUtcIso(now.plus({ days: s.certificateDays })) : undefined;
    const planned = planChange(
      policy,
      {
        region: s.region,
        type: s.type,
        disruptsCalling: s.disruptsCalling,
        noticeSentAt: now,
        ...(certificateExpiresAt ? { certificateExpiresAt } : {}),
      },
      () => 0,
    );
    if (!planned.ok) return null;
    const transition = schedulePlannedChange(
      policy,
      {
        ...fields,
        disruptsCalling: s.disruptsCalling,
        ...(certificateExpiresAt ? { certificateExpiresAt } : {}),
      },
      planned.plan,
      now,
    );
    return { change: transition.change, history: transition.history };
  }
  const when = s.origin === 'emergency-now' ? 'now' : 'next-window';
  const slot = placeEmergency(policy, s.region, when, now);
  const transition = scheduleEmergencyChange(
    { ...fields, reason: 'prevent-outage', customerImpact: 'Short call drops', when },
    slot,
    now,
  );
  return { change: transition.change, history: transition.history };
}

function simulate(s: Scenario): Run | null {
  const policy = POLICIES[s.policyIndex] as Policy;
  const created = create(s, policy);
  if (!created) return null;
  let { change, history } = created;
  const initial = change;
  const notices: Record<string, NoticeState> = {};
  const run: Run = { policy, initial, change, steps: [], sent: [], done: false };
  let now = s.createdAt;
  const pending = s.decisions
    .map((d) => ({ ...d, at: s.createdAt + d.afterHours * HOUR }))
    .sort((a, b) => a.at - b.at);

  const apply = (move: Move, what: string) => {
    if (isRefusal(move))
      throw new Error(`${what} was refused at ${new Date(now).toISOString()}: ${move.message}`);
    change = move.change;
    history = [...history, ...move.history];
  };
  const tryApply = (move: Move) => {
    if (!isRefusal(move)) {
      change = move.change;
      history = [...history, ...move.history];
    }
  };
  const at = () => DateTime.fromMillis(now, { zone: 'utc' });

  for (let step = 0; step < MAX_STEPS; step++) {
    const action = nextLifecycleAction(policy, { change, history, notices }, at());
    run.steps.push({ at: now, action });
    switch (action.kind) {
      case 'notify':
        run.sent.push({
          notice: action.notice,
          key: action.key,
          at: now,
          status: change.status,
          windowStart: Date.parse(change.window.start),
        });
        notices[action.key] = s.noticeFailures[run.sent.length % s.noticeFailures.length] ? 'FAILED' : 'SENT';
        break;
      case 'confirm':
        apply(confirmAfterReplyBy(change, at()), 'confirm');
        break;
      case 'start':
        apply(startChange(change, at()), 'start');
        run.startedAt = now;
        break;
      case 'alert-outcome-overdue':
        history = [
          ...history,
          {
            at: toUtcIso(at()),
            event: 'ALERT_RAISED',
            actor: 'system',
            detail: { event: 'OUTCOME_OVERDUE' },
          },
        ];
        break;
      case 'park': {
        const until = action.until.toMillis();
        if (!(until > now)) {
          throw new Error(
            `parked until ${action.until.toISO()}, not after now ${new Date(now).toISOString()}`,
          );
        }
        const next = pending[0];
        const outcomeAt =
          change.status === 'IN_PROGRESS'
            ? Math.max(now, Date.parse(change.window.end) + s.outcomeDelayHours * HOUR)
            : Number.POSITIVE_INFINITY;
        if (next && next.at < until && next.at <= outcomeAt) {
          pending.shift();
          now = Math.max(now, next.at);
          applyDecision(next);
        } else if (outcomeAt < until) {
          now = outcomeAt;
          apply(completeChange(change, s.outcome, 'notes from ops', at()), 'complete');
        } else {
          now = until;
        }
        break;
      }
      case 'done':
        run.change = change;
        run.done = true;
        return run;
    }
  }
  run.change = change;
  return run;

  function applyDecision(d: Decision) {
    if (d.kind === 'acknowledge') tryApply(acknowledgeChange(change, 'partner:ptn_acme', at()));
    if (d.kind === 'cancel') tryApply(cancelChange(change, 'customer freeze', at()));
    if (d.kind === 'reschedule') {
      const date = plusDays(localDateOf(policy, change.region, at()), d.daysAhead);
      const window = windowOn(policy, change.region, date);
      if (!window) return;
      tryApply(
        rescheduleChange(
          policy,
          change,
          { requestedStart: toUtcIso(window.start), reason: 'customer event' },
          'partner:ptn_acme',
          at(),
        ),
      );
    }
  }
}

const RUNS = { numRuns: 400 };

function explain(run: Run): string {
  return run.steps
    .map(({ at, action }) => {
      const detail =
        action.kind === 'notify'
          ? ` ${action.key}`
          : action.kind === 'park'
            ? ` ${action.phase} until ${action.until.toUTC().toISO()}`
            : '';
      return `${new Date(at).toISOString()} ${action.kind}${detail}`;
    })
    .join('\n');
}

describe('the lifecycle, simulated from random changes, decisions and outcomes', () => {
  it('always ends in done, within a bounded number of steps, in a final status', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);

        expect(run.done, explain(run)).toBe(true);
        expect(run.steps.length).toBeLessThanOrEqual(MAX_STEPS);
        expect(FINAL_STATUSES).toContain(run.change.status);
      }),
      RUNS,
    );
  });

  it('never parks until a moment that is not strictly after now (no busy loop)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);

        for (const { at, action } of run.steps) {
          if (action.kind === 'park') expect(action.until.toMillis()).toBeGreaterThan(at);
        }
      }),
      RUNS,
    );
  });

  it('notifies every notice key at most once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);

        const keys = run.sent.map((sent) => sent.key);
        expect(new Set(keys).size, keys.join(', ')).toBe(keys.length);
      }),
      RUNS,
    );
  });

  it("sends 'started' only once the window has started, and only for work in progress", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);

        for (const sent of run.sent.filter((n) => n.notice === 'started')) {
          expect(sent.at).toBeGreaterThanOrEqual(sent.windowStart);
          expect(sent.status).toBe('IN_PROGRESS');
          expect(run.startedAt === undefined || sent.at >= run.startedAt).toBe(true);
        }
        if (run.initial.emergency && run.initial.when === 'now') {
          expect(run.sent.map((n) => n.notice)).not.toContain('started');
        }
      }),
      RUNS,
    );
  });

  it('never sends a reminder at or after the window start, and keys it by the current window', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);

        for (const sent of run.sent.filter((n) => n.notice === 'reminder')) {
          expect(sent.at).toBeLessThan(sent.windowStart);
          expect(sent.key).toMatch(
            new RegExp(`^reminder-\\d+h@${new Date(sent.windowStart).toISOString().replace('.000', '')}$`),
          );
          expect(['SCHEDULED', 'CONFIRMED']).toContain(sent.status);
        }
      }),
      RUNS,
    );
  });

  it('announces first, and ends with the outcome or cancellation notice', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null);
        fc.pre(run.done);

        const kinds = run.sent.map((n) => n.notice);
        const last = kinds.at(-1);
        if (run.change.status === 'CANCELLED') {
          expect(last).toBe('cancelled');
          expect(kinds).not.toContain('outcome');
        } else {
          expect(kinds[0]).toBe(run.initial.emergency ? 'emergency' : 'scheduled');
          expect(last).toBe('outcome');
          expect(kinds).not.toContain('cancelled');
        }
      }),
      RUNS,
    );
  });

  it('a planned change that ran got every reminder whose time came after its notice', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const run = simulate(s);
        fc.pre(run !== null && run.startedAt !== undefined && !run.initial.emergency);

        const windowStart = DateTime.fromISO(run.change.window.start, { zone: 'utc' });
        const announced = Date.parse(run.initial.noticeSentAt as string);
        const owed = run.policy.notice.reminderOffsetsHours
          .filter((hours) => windowStart.minus({ hours }).toMillis() > announced)
          .map((hours) => `reminder-${hours}h@${run.change.window.start}`);
        const sent = run.sent.filter((n) => n.notice === 'reminder').map((n) => n.key);
        expect(sent.sort()).toEqual(owed.sort());
      }),
      RUNS,
    );
  });
});
