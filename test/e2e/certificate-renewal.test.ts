/**
 * Certificate renewals (rules section 6): the window starts 7 to 3 days before the certificate expires,
 * and when the customer uses single sign-on the notices tell the partner the four SSO steps (disable
 * SSO, re-import the IdP metadata, re-enable SSO, validate SSO): in the scheduled notice and in the
 * success outcome. A customer without SSO gets no such steps.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMail } from '#local/mail-store.ts';
import { createPlanned } from './support/changes.ts';
import {
  ADDRESSES,
  type ChangeView,
  expectNotice,
  GLOBEX_PLANNED,
  mailsOf,
  oneMail,
  readChange,
  shift,
} from './support/notices.ts';
import { type System, startSystem } from './support/system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem('2026-11-23T15:00:00Z');
});
afterAll(async () => system?.stop());

const SSO_STEPS = [
  /1\. Disable single sign-on \(SSO\)/,
  /2\. Re-import the identity provider's \(IdP\) metadata file/,
  /3\. Re-enable SSO/,
  /4\. Validate SSO/,
];

function expectSsoSteps(mail: StoredMail): void {
  const lines = mail.text.split('\n');
  const positions = SSO_STEPS.map((step) => lines.findIndex((line) => step.test(line)));
  expect(
    positions.every((p) => p >= 0),
    `the four SSO steps in "${mail.subject}"`,
  ).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect((mail.html.match(/<li>/g) ?? []).length).toBe(4);
  expect(mail.html).toContain('Disable single sign-on (SSO)');
}

function expectNoSsoSteps(mail: StoredMail): void {
  for (const step of SSO_STEPS) expect(mail.text).not.toMatch(step);
  expect(mail.text).not.toContain('single sign-on');
  expect(mail.html).not.toContain('<li>');
}

async function certificateExpiry(customerId: string): Promise<string> {
  const customer = await system.call<{ certificates: { expiresAt: string }[] }>(
    'GET',
    `/customers/${customerId}`,
  );
  expect(customer.status).toBe(200);
  return customer.body.certificates[0]?.expiresAt as string;
}

/** Drives a planned change through reply-by, its reminder and its window start, then completes it. */
async function runToCompletion(change: ChangeView): Promise<void> {
  await system.set(shift(change.window.start, { hours: -24 }));
  await system.set(change.window.start);
  await system.advance('PT2H');
  const done = await system.call('POST', `/changes/${change.changeId}/complete`, {
    body: { outcome: 'succeeded' },
  });
  expect(done.status, done.text).toBe(200);
}

describe('certificate renewal for a customer with single sign-on (globex)', () => {
  let change: ChangeView;

  it('is placed 7 to 3 days before the expiry and the scheduled notice lists the SSO steps', async () => {
    // Prepare: the demo certificate expires 40 days after the runtime started.
    const expiresAt = await certificateExpiry('globex');
    expect(expiresAt).toBe('2027-01-02T15:00:00Z');

    // Act
    change = await createPlanned(system, {
      type: 'certificate-renewal',
      title: 'Renew the CUCM Tomcat certificate',
      certificateExpiresAt: expiresAt,
    });

    // Assess
    const start = Date.parse(change.window.start);
    expect(start).toBeGreaterThanOrEqual(Date.parse(shift(expiresAt, { days: -7 })));
    expect(start).toBeLessThanOrEqual(Date.parse(shift(expiresAt, { days: -3 })));
    expect(change.window.localStart).toBe('2026-12-28T21:00:00-05:00');
    const notice = oneMail(await mailsOf(system, change.changeId), change.changeId, 'Scheduled maintenance:');
    expectNotice(notice, {
      changeId: change.changeId,
      subject: 'Scheduled maintenance: Renew the CUCM Tomcat certificate',
      ...GLOBEX_PLANNED,
      window: change.window,
      ics: { status: 'TENTATIVE' },
    });
    expectSsoSteps(notice);
  });

  it('lists the SSO steps again in the success outcome notice', async () => {
    await runToCompletion(change);

    const mails = await mailsOf(system, change.changeId);
    const outcome = oneMail(mails, change.changeId, 'Maintenance completed:');
    expectNotice(outcome, {
      changeId: change.changeId,
      subject: 'Maintenance completed: Renew the CUCM Tomcat certificate',
      ...GLOBEX_PLANNED,
    });
    expect(outcome.text).toContain('The certificate has been renewed.');
    expectSsoSteps(outcome);
    expect((await readChange(system, change.changeId)).status).toBe('COMPLETED');
  });
});

describe('certificate renewal for a customer without single sign-on (initech)', () => {
  it('sends notices without SSO steps', async () => {
    // Prepare
    const expiresAt = await certificateExpiry('initech');

    // Act
    const change = await createPlanned(system, {
      customerId: 'initech',
      type: 'certificate-renewal',
      title: 'Renew the Expressway certificate',
      certificateExpiresAt: expiresAt,
    });
    await runToCompletion(change);

    // Assess
    expect(change.window.timezone).toBe('Europe/Berlin');
    expect(change.window.localStart.slice(11)).toBe('21:00:00+02:00');
    const start = Date.parse(change.window.start);
    expect(start).toBeGreaterThanOrEqual(Date.parse(shift(expiresAt, { days: -7 })));
    expect(start).toBeLessThanOrEqual(Date.parse(shift(expiresAt, { days: -3 })));
    const mails = await mailsOf(system, change.changeId);
    const scheduled = oneMail(mails, change.changeId, 'Scheduled maintenance:');
    expectNotice(scheduled, {
      changeId: change.changeId,
      subject: 'Scheduled maintenance: Renew the Expressway certificate',
      to: [ADDRESSES.acmeNoc],
      cc: [ADDRESSES.initechIt],
      window: change.window,
      ics: { status: 'TENTATIVE' },
    });
    expectNoSsoSteps(scheduled);
    const outcome = oneMail(mails, change.changeId, 'Maintenance completed:');
    expectNoSsoSteps(outcome);
    expect(mails).toHaveLength(4);
  });
});
