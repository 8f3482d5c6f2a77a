/**
 * The one send path (functions/app/notices/deliver-notice.ts) on doubles: claimed once, composed,
 * sent from the notice sender, settled; a notice nobody can receive is given up; a refused send is
 * released for the next attempt. And a failed change notice names itself as data in the error that
 * the state machine's Cause carries.
 */
import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { failedNoticeOf, NotificationDeliveryError } from '#app/lifecycle/notification-delivery-error.ts';
import { deliverNotice, type NoticeDraft } from '#app/notices/deliver-notice.ts';
import {
  type Mailer,
  MailNotSentError,
  type NoticeClaim,
  type NoticeLedger,
  type NoticeRef,
  type NoticeSettlement,
} from '#app/ports.ts';
import { RecordingMailer } from '../../support/doubles.ts';

const AT = DateTime.fromISO('2026-11-23T15:00:00Z', { zone: 'utc' });
const REF: NoticeRef = { changeId: 'chg_1', noticeKey: 'scheduled' };
const DRAFT: NoticeDraft = {
  to: ['noc@acme.example'],
  cc: ['it@globex.example'],
  subject: 'Maintenance chg_1',
  text: 'text',
  html: '<p>html</p>',
  ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
};

/** A ledger that records what happened to each notice. */
class LedgerDouble implements NoticeLedger {
  readonly events: string[] = [];
  attempts = 0;
  settled: NoticeSettlement | undefined;
  async claim(): Promise<NoticeClaim> {
    this.events.push('claim');
    if (this.settled) return { claimed: false };
    return { claimed: true, attempt: ++this.attempts };
  }
  async settle(_ref: NoticeRef, settlement: NoticeSettlement) {
    this.events.push(`settle ${settlement.state}`);
    this.settled = settlement;
    return true;
  }
  async release(_ref: NoticeRef, reason: string) {
    this.events.push(`release ${reason}`);
  }
  async owe() {
    this.events.push('owe');
    return true;
  }
  async askResend() {
    return false;
  }
}

let ledger: LedgerDouble;
let mailer: RecordingMailer;
const ports = (overrides: { mailer?: Mailer } = {}) => ({
  noticeLedger: ledger,
  mailer: overrides.mailer ?? mailer,
  noticeSender: 'maintenance@calling.example',
});
const notice = (compose: () => Promise<{ notice: NoticeDraft; date: Date } | { undeliverable: string }>) => ({
  ref: REF,
  at: AT,
  headers: { 'X-Notice': 'scheduled' },
  compose,
});

beforeEach(() => {
  ledger = new LedgerDouble();
  mailer = new RecordingMailer();
});

describe('deliverNotice', () => {
  it('sends the notice once from the notice sender with its invite, and settles it SENT', async () => {
    // Act
    const first = await deliverNotice(
      ports(),
      notice(async () => ({ notice: DRAFT, date: AT.toJSDate() })),
    );
    const again = await deliverNotice(
      ports(),
      notice(async () => ({ notice: DRAFT, date: AT.toJSDate() })),
    );

    // Assess
    expect(first).toMatchObject({ kind: 'sent', messageId: 'recorded-1', attempt: 1 });
    expect(again).toEqual({ kind: 'not-claimed' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      from: 'maintenance@calling.example',
      to: DRAFT.to,
      cc: DRAFT.cc,
      date: AT.toJSDate(),
      headers: { 'X-Notice': 'scheduled' },
      attachments: [{ filename: 'maintenance.ics', content: DRAFT.ics }],
    });
    expect(ledger.settled).toEqual({ state: 'SENT', messageId: 'recorded-1', at: '2026-11-23T15:00:00Z' });
  });

  it('sends to those in copy when the partner has nobody to receive it', async () => {
    await deliverNotice(
      ports(),
      notice(async () => ({ notice: { ...DRAFT, to: [] }, date: AT.toJSDate() })),
    );
    expect(mailer.sent[0]).toMatchObject({ to: DRAFT.cc, cc: [] });
  });

  it('gives up a notice nobody can receive, settled FAILED with the reason, nothing sent', async () => {
    const outcome = await deliverNotice(
      ports(),
      notice(async () => ({ notice: { ...DRAFT, to: [], cc: [] }, date: AT.toJSDate() })),
    );
    expect(outcome).toMatchObject({ kind: 'undeliverable', reason: 'nobody is subscribed to receive it' });
    expect(ledger.events).toEqual(['claim', 'settle FAILED']);
    expect(mailer.sent).toEqual([]);
  });

  it("gives up a notice its composer cannot write, with the composer's reason", async () => {
    const outcome = await deliverNotice(
      ports(),
      notice(async () => ({ undeliverable: 'the partner record is missing' })),
    );
    expect(outcome).toMatchObject({ kind: 'undeliverable', reason: 'the partner record is missing' });
    expect(ledger.settled).toMatchObject({ state: 'FAILED', reason: 'the partner record is missing' });
  });

  it('releases the claim when the mail service refuses, so the next attempt sends it', async () => {
    // Prepare
    const refusing: Mailer = {
      send: async () => {
        throw new MailNotSentError('SES did not send it (Throttling)');
      },
    };

    // Act
    const failed = await deliverNotice(
      ports({ mailer: refusing }),
      notice(async () => ({ notice: DRAFT, date: AT.toJSDate() })),
    );
    const retried = await deliverNotice(
      ports(),
      notice(async () => ({ notice: DRAFT, date: AT.toJSDate() })),
    );

    // Assess
    expect(failed).toMatchObject({ kind: 'failed', attempt: 1, reason: 'SES did not send it (Throttling)' });
    expect(retried).toMatchObject({ kind: 'sent', attempt: 2 });
    expect(ledger.events).toEqual([
      'claim',
      'release SES did not send it (Throttling)',
      'claim',
      'settle SENT',
    ]);
  });
});

describe('a failed change notice in the Step Functions Cause', () => {
  it('carries its notice key and change as data, read back by the failure recorder', () => {
    // Prepare: Lambda's error payload for the thrown error, as the Cause carries it.
    const error = new NotificationDeliveryError({
      changeId: 'chg_1',
      noticeKey: 'reminder-24h@2026-12-08T02:00:00Z',
      reason: 'SES down',
    });
    const cause = JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: ['at x'] });

    // Act / Assess
    expect(failedNoticeOf(cause)).toEqual({
      changeId: 'chg_1',
      noticeKey: 'reminder-24h@2026-12-08T02:00:00Z',
      reason: 'SES down',
    });
  });

  it('reads nothing from another error, a cause that is not JSON, or no cause', () => {
    expect(
      failedNoticeOf(JSON.stringify({ errorType: 'ChangeMovedError', errorMessage: '{"noticeKey":"x"}' })),
    ).toBeUndefined();
    expect(failedNoticeOf('notice=scheduled change=chg_1: SES down')).toBeUndefined();
    expect(failedNoticeOf(undefined)).toBeUndefined();
  });
});
