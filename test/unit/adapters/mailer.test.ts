/**
 * The SES mailer: one SendRawEmail per mail with the MIME message and the envelope of To + Cc; any SES error
 * becomes a MailNotSentError that keeps the cause.
 */
import { SESClient, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { sesClient as makeSesClient } from '#adapters/aws-clients.ts';
import { buildMimeMessage } from '#adapters/mime.ts';
import { envelopeRecipients, SesMailer } from '#adapters/ses-mailer.ts';
import { MailNotSentError, type OutgoingMail } from '#app/ports.ts';
import { createAwsPorts, ses as sesMail } from '#wiring/aws.ts';
import { RecordingMailer } from '../../support/doubles.ts';

const ses = mockClient(SESClient);
const sesClient = makeSesClient();
const sesMailer = new SesMailer(sesClient);

afterEach(() => {
  ses.reset();
});

const mail: OutgoingMail = {
  from: 'Change Desk <changes@example.com>',
  to: ['noc@partner.example', 'Jane Doe <jane@partner.example>'],
  cc: ['ops@example.com', 'NOC@partner.example'],
  subject: 'Maintenance CHG-0042 on 28 Nov 2026',
  text: 'Maintenance CHG-0042 is planned.',
  html: '<p>Maintenance CHG-0042 is planned.</p>',
  attachments: [
    {
      filename: 'invite.ics',
      contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
      content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
    },
  ],
  date: new Date('2026-11-21T09:30:00Z'),
  headers: { 'X-Change-Id': 'chg-0042' },
};

describe('sesMailer.send', () => {
  it('sends one SendRawEmail with the MIME message and To + Cc as destinations', async () => {
    // Prepare
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    const result = await sesMailer.send(mail);

    // Assess
    expect(result).toEqual({ messageId: 'ses-0001' });
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendRawEmailCommand, {
      Destinations: ['noc@partner.example', 'jane@partner.example', 'ops@example.com'],
    });
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input;
    expect(Buffer.from(input.RawMessage!.Data!).toString('utf8')).toBe(
      (await buildMimeMessage(mail)).toString('utf8'),
    );
    expect(input.Source).toBeUndefined();
  });

  it('turns an SES error into a MailNotSentError that keeps the cause', async () => {
    // Prepare
    const cause = new SESServiceException({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
      message: 'Service is unavailable',
    });
    ses.on(SendRawEmailCommand).rejects(cause);

    // Act
    const error = await sesMailer.send(mail).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MailNotSentError);
    const delivery = error as MailNotSentError;
    expect(delivery.name).toBe('MailNotSentError');
    expect(delivery.cause).toBe(cause);
    expect(delivery.message).toContain('3 recipients');
    expect(delivery.message).toContain('"Maintenance CHG-0042 on 28 Nov 2026"');
    expect(delivery.message).toContain('ServiceUnavailable: Service is unavailable');
  });

  it('wraps a network error too', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const error = await sesMailer
      .send({ ...mail, cc: [], to: ['noc@partner.example'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailNotSentError);
    expect((error as Error).message).toContain('1 recipient ');
  });

  it('does not call SES for a mail that cannot be built', async () => {
    await expect(sesMailer.send({ ...mail, to: ['not an address'] })).rejects.toThrow(TypeError);
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});

describe('the SES client', () => {
  it('makes a single attempt: retries are the workflow’s job', async () => {
    expect(await sesClient.config.maxAttempts()).toBe(1);
  });
});

describe('envelopeRecipients', () => {
  it('lists bare addresses of To and Cc once each', () => {
    expect(envelopeRecipients(mail)).toEqual([
      'noc@partner.example',
      'jane@partner.example',
      'ops@example.com',
    ]);
  });
});

describe('the mail port', () => {
  it('is the SES mailer in the AWS wiring', () => {
    const ports = createAwsPorts({ tableName: 'changes', noticeSender: 'maintenance@calling.example' }, [
      sesMail,
    ]);
    expect(ports.mailer).toBeInstanceOf(SesMailer);
  });

  it('is replaced by a recording double in tests, which sends nothing', async () => {
    // Prepare
    const recording = new RecordingMailer();

    // Act
    const result = await recording.send(mail);

    // Assess
    expect(result.messageId).toBe('recorded-1');
    expect(recording.sent).toEqual([mail]);
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});
