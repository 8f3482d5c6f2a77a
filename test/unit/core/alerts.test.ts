import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { alertRespondBy, draftAlert } from '#core/alerts.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import type { AlertEvent } from '#core/vocabulary.ts';

const policy = DEFAULT_POLICY;

describe('draftAlert', () => {
  // Raised at 23:30 UTC on New Year's Eve: every target runs past midnight into the new year.
  it.each([
    ['JOB_CRASHED', 'P1', '2027-01-01T00:30:00Z'],
    ['NOTIFICATION_FAILED', 'P2', '2027-01-01T01:30:00Z'],
    ['NO_GOOD_BACKUP', 'P2', '2027-01-01T01:30:00Z'],
    ['STORAGE_NEAR_SATURATION', 'P4', '2027-01-01T07:30:00Z'],
    ['STORAGE_NEAR_FULL', 'P3', '2027-01-01T03:30:00Z'],
    ['WINDOW_OVER_CAPACITY', 'P3', '2027-01-01T03:30:00Z'],
    ['OUTCOME_OVERDUE', 'P2', '2027-01-01T01:30:00Z'],
  ] as [AlertEvent, string, string][])(
    'raises %s as %s, to be answered by %s',
    (event, priority, respondBy) => {
      const draft = draftAlert(policy, event, {
        raisedAt: '2026-12-31T23:30:00Z',
        subject: 'something happened',
        dedupeKey: `${event}#1`,
      });

      expect(draft).toEqual({
        event,
        priority,
        raisedAt: '2026-12-31T23:30:00Z',
        respondBy,
        subject: 'something happened',
        detail: {},
        dedupeKey: `${event}#1`,
      });
    },
  );

  it('drafts the no-good-backup alert with its detail and states times in UTC', () => {
    const detail = { customerId: 'cust-1', application: 'CUCM', night: '2026-03-09' };

    const draft = draftAlert(policy, 'NO_GOOD_BACKUP', {
      raisedAt: '2026-03-10T07:00:00+01:00',
      subject: 'No good CUCM backup for cust-1 last night',
      detail,
      dedupeKey: 'NO_GOOD_BACKUP#cust-1#CUCM#2026-03-09',
    });

    expect(draft).toEqual({
      event: 'NO_GOOD_BACKUP',
      priority: 'P2',
      raisedAt: '2026-03-10T06:00:00Z',
      respondBy: '2026-03-10T08:00:00Z',
      subject: 'No good CUCM backup for cust-1 last night',
      detail: { customerId: 'cust-1', application: 'CUCM', night: '2026-03-09' },
      dedupeKey: 'NO_GOOD_BACKUP#cust-1#CUCM#2026-03-09',
    });
    expect(draft.detail).not.toBe(detail);
  });

  it('follows the priorities and targets of the policy', () => {
    const custom = parsePolicy({
      alerts: {
        responseTargets: { P1: 'PT30M', P2: 'PT2H', P3: 'PT4H', P4: 'PT8H' },
        priorities: {
          JOB_CRASHED: 'P1',
          NOTIFICATION_FAILED: 'P1',
          NO_GOOD_BACKUP: 'P2',
          STORAGE_NEAR_SATURATION: 'P4',
          STORAGE_NEAR_FULL: 'P3',
          WINDOW_OVER_CAPACITY: 'P3',
          OUTCOME_OVERDUE: 'P2',
          CERTIFICATE_AT_RISK: 'P1',
          NOTICE_LATE: 'P2',
        },
      },
    });

    const draft = draftAlert(custom, 'NOTIFICATION_FAILED', {
      raisedAt: '2026-05-01T10:00:00Z',
      subject: 'notice bounced',
      dedupeKey: 'n#1',
    });

    expect(draft.priority).toBe('P1');
    expect(draft.respondBy).toBe('2026-05-01T10:30:00Z');
  });

  it.each([
    ['a blank subject', { subject: ' ', dedupeKey: 'k' }],
    ['a blank dedupe key', { subject: 's', dedupeKey: '' }],
  ])('refuses %s', (_, fields) => {
    expect(() => draftAlert(policy, 'JOB_CRASHED', { raisedAt: '2026-05-01T10:00:00Z', ...fields })).toThrow(
      RangeError,
    );
  });

  it('refuses an unknown event', () => {
    expect(() =>
      draftAlert(policy, 'toString' as AlertEvent, {
        raisedAt: '2026-05-01T10:00:00Z',
        subject: 's',
        dedupeKey: 'k',
      }),
    ).toThrow(RangeError);
  });
});

describe('alertRespondBy', () => {
  it('counts elapsed hours across a daylight-saving change', () => {
    // 01:30 in Berlin on 29 March 2026 (+01:00, 00:30 UTC); clocks jump from 02:00 to 03:00.
    const respondBy = alertRespondBy(policy, 'P1', '2026-03-29T01:30:00+01:00');

    expect(respondBy.toISO()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('accepts a luxon DateTime and answers in UTC', () => {
    const raisedAt = DateTime.fromISO('2026-07-01T09:15:00-04:00', { setZone: true });

    expect(alertRespondBy(policy, 'P4', raisedAt).toISO()).toBe('2026-07-01T21:15:00.000Z');
  });

  it('refuses a raisedAt that is not an instant', () => {
    expect(() => alertRespondBy(policy, 'P2', 'soon')).toThrow(RangeError);
  });
});
