/**
 * In AWS every notice is sent with the SES configuration set the stack creates (named in
 * SES_CONFIGURATION_SET), so its bounces and complaints reach the alarms; without it (locally) none is named.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '#app/ports.ts';
import { loadConfig } from '#config';
import { createAwsPorts, ses as sesMail } from '#wiring/aws.ts';

const mail: OutgoingMail = {
  from: 'Change Desk <changes@example.com>',
  to: ['noc@partner.example'],
  subject: 'Maintenance CHG-0042',
  text: 'Maintenance CHG-0042 is planned.',
  html: '<p>Maintenance CHG-0042 is planned.</p>',
  date: new Date('2026-11-23T15:00:00Z'),
};

const LIFECYCLE = {
  TABLE_NAME: 'changes',
  EVENT_BUS_NAME: 'change-management',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
};

/** The mailer as a Lambda wires it, with the environment given. */
const mailerWith = (environment: Record<string, string>) =>
  createAwsPorts(loadConfig('lifecycle', environment), [sesMail]).mailer;

const ses = mockClient(SESClient);

afterEach(() => {
  ses.reset();
});

describe('the SES mailer and the configuration set', () => {
  it('sends with the configuration set named in SES_CONFIGURATION_SET', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });

    await mailerWith({ ...LIFECYCLE, SES_CONFIGURATION_SET: 'change-management-mail' }).send(mail);

    expect(ses).toHaveReceivedCommandWith(SendRawEmailCommand, {
      ConfigurationSetName: 'change-management-mail',
    });
  });

  it('names no configuration set when none is configured', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-2' });

    await mailerWith(LIFECYCLE).send(mail);

    const input = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input && 'ConfigurationSetName' in input).toBe(false);
  });
});
