/**
 * In AWS every notice is sent with the SES configuration set the stack creates (named in
 * SES_CONFIGURATION_SET), so its bounces and complaints reach the alarms; without it (locally) none is named.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingMail } from '#adapters/mime.ts';

const mail: OutgoingMail = {
  from: 'Change Desk <changes@example.com>',
  to: ['noc@partner.example'],
  subject: 'Maintenance CHG-0042',
  text: 'Maintenance CHG-0042 is planned.',
  html: '<p>Maintenance CHG-0042 is planned.</p>',
  date: new Date('2026-11-23T15:00:00Z'),
};

/** The mailer module as a Lambda loads it, with the environment given. */
async function loadMailer(configurationSet: string | undefined) {
  vi.resetModules();
  if (configurationSet === undefined) vi.stubEnv('SES_CONFIGURATION_SET', undefined as never);
  else vi.stubEnv('SES_CONFIGURATION_SET', configurationSet);
  return import('#adapters/mailer.ts');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the SES mailer and the configuration set', () => {
  it('sends with the configuration set named in SES_CONFIGURATION_SET', async () => {
    const { sesMailer } = await loadMailer('change-management-mail');
    const ses = mockClient(SESClient).on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });

    await sesMailer.send(mail);

    expect(ses).toHaveReceivedCommandWith(SendRawEmailCommand, {
      ConfigurationSetName: 'change-management-mail',
    });
    ses.restore();
  });

  it('names no configuration set when none is configured', async () => {
    const { sesMailer } = await loadMailer(undefined);
    const ses = mockClient(SESClient).on(SendRawEmailCommand).resolves({ MessageId: 'm-2' });

    await sesMailer.send(mail);

    const input = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input && 'ConfigurationSetName' in input).toBe(false);
    ses.restore();
  });
});
