/**
 * Delivering one notice: the one send path of the system, for the notices of a change's lifecycle and
 * for the outcome notices of COP requests. At least once: a second delivery happens only when a sender
 * died between the mail service taking the mail and the ledger settling it (its claim lapses and the
 * next attempt sends again, flagged `again: 'lapsed'`), or when ops ask for a resend (`again: 'resend'`).
 *
 * 1. The notice is claimed in the ledger; a notice already settled, or held by another attempt, is
 *    left alone (`not-claimed`).
 * 2. It is composed; a notice nobody can receive (no partner or customer record, nobody subscribed) is
 *    settled FAILED with the reason (`undeliverable`): sending again would not help.
 * 3. It is sent from the notice sender, to the partner's recipients (or, with none, to those in copy),
 *    a calendar invite attached when it has one.
 * 4. Sent: settled SENT with the message id, and the caller's history entries in the same write
 *    (`sent`). Not taken by the mail service: the claim is released so a later attempt may send it
 *    (`failed`).
 *
 * What follows is the caller's: the lifecycle lets its state machine retry a failed notice, then owes it
 * with back-off; the COP job counts, and retries on its next run.
 */
import type { DateTime } from 'luxon';
import type { HistoryWith, NoticeRef, Ports } from '#app/ports.ts';
import { toUtcIso } from '#core/calendar.ts';
import type { Notice } from '#core/notices.ts';

/** A notice as the core composes it (its recipients, subject, bodies; an iCalendar invite, attached as maintenance.ics). */
export type NoticeDraft = Omit<Notice, 'kind'>;

/** What compose() answers: the notice and its Date header (a retried send is the same message). */
export interface Composed {
  notice: NoticeDraft;
  date: Date;
}

/** Why a notice can never be delivered (it is settled FAILED). */
export interface Undeliverable {
  undeliverable: string;
}

export interface NoticeToDeliver {
  ref: NoticeRef;
  /** When the attempt is made: the claim and the settlement are stamped with it. */
  at: DateTime;
  /** Composes the notice, once it is claimed. */
  compose(): Promise<Composed | Undeliverable>;
  headers: Record<string, string>;
  /** What to record with the settlement, in the same write (a change's history entry). */
  record?(sent: {
    messageId: string;
    notice: NoticeDraft;
    attempt: number;
    again?: 'lapsed' | 'resend';
  }): HistoryWith | undefined;
}

export type Delivery =
  | { kind: 'not-claimed' }
  | {
      kind: 'sent';
      messageId: string;
      notice: NoticeDraft;
      attempt: number;
      again?: 'lapsed' | 'resend';
      /** The history written with the settlement; absent when the claim lapsed and was taken meanwhile. */
      recorded?: HistoryWith;
    }
  | { kind: 'undeliverable'; reason: string; attempt: number }
  | { kind: 'failed'; reason: string; attempt: number; error: unknown };

/** The draft, or why nobody can receive it. */
function readable(
  composed: Composed | Undeliverable,
): { draft: NoticeDraft; date: Date } | { reason: string } {
  if ('undeliverable' in composed) return { reason: composed.undeliverable };
  const { notice, date } = composed;
  if (notice.to.length === 0 && notice.cc.length === 0)
    return { reason: 'nobody is subscribed to receive it' };
  return { draft: notice, date };
}

export async function deliverNotice(
  ports: Pick<Ports, 'noticeLedger' | 'mailer' | 'noticeSender'>,
  notice: NoticeToDeliver,
): Promise<Delivery> {
  const { ref, at } = notice;
  const claim = await ports.noticeLedger.claim(ref, at);
  if (!claim.claimed) return { kind: 'not-claimed' };
  const { attempt, again } = claim;
  const composed = readable(await notice.compose());
  if ('reason' in composed) {
    await ports.noticeLedger.settle(
      ref,
      { state: 'FAILED', reason: composed.reason, at: toUtcIso(at) },
      { attempt },
    );
    return { kind: 'undeliverable', reason: composed.reason, attempt };
  }
  const { draft, date } = composed;
  let messageId: string;
  try {
    ({ messageId } = await ports.mailer.send({
      from: ports.noticeSender,
      to: draft.to.length > 0 ? draft.to : draft.cc,
      cc: draft.to.length > 0 ? draft.cc : [],
      subject: draft.subject,
      text: draft.text,
      html: draft.html,
      ...(draft.ics
        ? {
            attachments: [
              {
                filename: 'maintenance.ics',
                contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
                content: draft.ics,
              },
            ],
          }
        : {}),
      date,
      headers: notice.headers,
    }));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await ports.noticeLedger.release(ref, why);
    return { kind: 'failed', reason: why, attempt, error };
  }
  const history = notice.record?.({ messageId, notice: draft, attempt, ...(again ? { again } : {}) });
  const settled = await ports.noticeLedger.settle(
    ref,
    { state: 'SENT', messageId, at: toUtcIso(at) },
    { attempt, ...(history ? { history } : {}) },
  );
  return {
    kind: 'sent',
    messageId,
    notice: draft,
    attempt,
    ...(again ? { again } : {}),
    ...(settled && history ? { recorded: history } : {}),
  };
}
