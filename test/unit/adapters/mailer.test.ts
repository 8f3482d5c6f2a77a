/**
 * The SES mailer: one SendRawEmail per mail with the MIME message and the envelope of To + Cc; any SES error
 * becomes a NotificationDeliveryError that keeps the cause.
 */
import { SESClient, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import {
  envelopeRecipients,
  installMailer,
  mailer,
  NotificationDeliveryError,
  RecordingMailer,
  sesClient,
  sesMailer,
} from '#adapters/mailer.ts';
import { buildMimeMessage, type OutgoingMail } from '#adapters/mime.ts';

const ses = mockClient(SESClient);

afterEach(() => {
  ses.reset();
  installMailer(sesMailer);
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

  it('turns an SES error into a NotificationDeliveryError that keeps the cause', async () => {
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
    expect(error).toBeInstanceOf(NotificationDeliveryError);
    const delivery = error as NotificationDeliveryError;
    expect(delivery.name).toBe('NotificationDeliveryError');
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
    expect(error).toBeInstanceOf(NotificationDeliveryError);
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

describe('mailer port', () => {
  it('is the SES mailer by default and can be swapped', async () => {
    // Prepare
    expect(mailer()).toBe(sesMailer);
    const recording = new RecordingMailer();

    // Act
    installMailer(recording);
    const result = await mailer().send(mail);

    // Assess
    expect(result.messageId).toBe('recorded-1');
    expect(recording.sent).toEqual([mail]);
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});
