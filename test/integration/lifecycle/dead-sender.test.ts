/**
 * A sender that dies between claiming a notice and settling it (SES may or may not have taken the mail):
 * the lifecycle never fails on the claim it left. It parks until the claim lapses (never spins), then
 * sends again, and the history says this delivery may be a second one (NOTICE_RESENT naming the notice).
 *
 * The original failure (issue 9): `advance` looped on the SENDING claim and failed with "did not settle
 * after 25 steps"; the execution failed and the change was stuck.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { CLAIM_SECONDS } from '#adapters/dynamodb/notice-ledger.ts';
import { requestPlannedChange } from '#app/changes/schedule-planned-change.ts';
import { advanceLifecycle } from '#app/lifecycle/advance-lifecycle.ts';
import { loadDemoData, seed } from '#local/seed.ts';
import { type TestClock, type TestPorts, testClock, testPorts } from '../../support/ports.ts';
import { freshTable } from '../support/table.ts';

let clock: TestClock;
let ports: TestPorts;

beforeEach(async () => {
  clock = testClock('2026-11-23T15:00:00Z');
  const table = await freshTable('dead-sender');
  ports = testPorts({ dynamoEndpoint: inject('dynamoEndpoint'), tableName: table.tableName, clock });
  await seed(ports, loadDemoData(), clock.now(), { backups: false });
});

async function plannedChange(): Promise<string> {
  const { change } = await requestPlannedChange(ports, {
    customerId: 'globex',
    partnerId: 'acme-voice',
    type: 'configuration',
    title: 'Dial plan update',
    disruptsCalling: true,
  });
  return change.changeId;
}

describe('a notice claimed by a sender that died', () => {
  it('parks until the claim lapses, then sends it again and flags the possible duplicate', async () => {
    // Prepare: a sender claimed the scheduled notice, then died (no settlement, no release).
    const changeId = await plannedChange();
    const claim = await ports.noticeLedger.claim({ changeId, noticeKey: 'scheduled' }, clock.now());
    expect(claim).toEqual({ claimed: true, attempt: 1 });

    // Act: the lifecycle runs while the claim is held, then after it lapsed.
    const held = await advanceLifecycle(ports, changeId);
    const mailsWhileHeld = ports.mailer.sent.length;
    clock.advance({ minutes: CLAIM_SECONDS / 60 });
    const after = await advanceLifecycle(ports, changeId);

    // Assess
    expect(held).toMatchObject({ step: 'park', phase: 'notice', until: '2026-11-23T15:05:00Z' });
    expect(mailsWhileHeld).toBe(0);
    expect(after).toMatchObject({ step: 'park', phase: 'reply' });
    expect(ports.mailer.sent.map((mail) => mail.headers?.['X-Notice'])).toEqual(['scheduled']);
    const stored = await ports.changes.read(changeId);
    const resent = stored?.history.filter((entry) => entry.event === 'NOTICE_RESENT') ?? [];
    expect(resent).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          notice: 'scheduled',
          key: 'scheduled',
          again: 'lapsed',
          attempt: 2,
        }),
      }),
    ]);
    expect(stored?.notices.scheduled?.state).toBe('SENT');
  });

  it('a sender slower than its claim cannot overwrite the attempt that took it over', async () => {
    const changeId = await plannedChange();
    const ref = { changeId, noticeKey: 'scheduled' };
    const slow = await ports.noticeLedger.claim(ref, clock.now());
    clock.advance({ minutes: CLAIM_SECONDS / 60 });
    const taker = await ports.noticeLedger.claim(ref, clock.now());

    const slowSettled = await ports.noticeLedger.settle(
      ref,
      { state: 'SENT', messageId: 'slow', at: clock.now().toISO() as string },
      { attempt: (slow as { attempt: number }).attempt },
    );
    const takerSettled = await ports.noticeLedger.settle(
      ref,
      { state: 'SENT', messageId: 'taker', at: clock.now().toISO() as string },
      { attempt: (taker as { attempt: number }).attempt },
    );

    expect(taker).toEqual({ claimed: true, attempt: 2, again: 'lapsed' });
    expect([slowSettled, takerSettled]).toEqual([false, true]);
  });
});
