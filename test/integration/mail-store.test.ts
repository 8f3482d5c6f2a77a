/**
 * The local mail store end to end: a real SESClient sends through the fault-injecting proxy to
 * aws-ses-v2-local, and the mails come back normalized. Faults make the SDK throw as SES would.
 */
import { createServer } from 'node:net';
import {
  GetSendQuotaCommand,
  SESClient,
  type SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sesClient } from '#adapters/aws-clients.ts';
import { buildMimeMessage } from '#adapters/mime.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import type { OutgoingMail } from '#app/ports.ts';
import { MailNotSentError } from '#app/ports.ts';
import { type LocalMailStore, startLocalMailStore } from '#local/mail-store.ts';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//change-maintenance-manager//EN',
  'METHOD:PUBLISH',
  'BEGIN:VEVENT',
  'UID:chg-0042@changes.example.com',
  'DTSTAMP:20261121T093000Z',
  'DTSTART:20261128T220000Z',
  'DTEND:20261129T010000Z',
  'SUMMARY:Wartung – Zürich',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function notice(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: 'changes@example.com',
    to: ['noc@partner.example', 'Jane Doe <jane@partner.example>'],
    cc: ['ops@example.com'],
    subject: 'Wartung CHG-0042 am 28. November – Änderung',
    text: 'Hello,\nmaintenance CHG-0042 is planned for 28 Nov 2026, 22:00–01:00 UTC.',
    html: '<p>Hello,</p><p>maintenance <b>CHG-0042</b> is planned.</p>',
    attachments: [
      { filename: 'invite.ics', contentType: 'text/calendar; method=PUBLISH; charset=utf-8', content: ICS },
    ],
    date: new Date('2026-11-21T09:30:00Z'),
    headers: { 'X-Change-Id': 'chg-0042', 'X-Notice-Id': 'ntc-7' },
    ...overrides,
  };
}

function sesFor(store: LocalMailStore, maxAttempts = 1): SESClient {
  return new SESClient({
    endpoint: store.sesEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });
}

async function sendRaw(ses: SESClient, mail: OutgoingMail = notice()) {
  return ses.send(
    new SendRawEmailCommand({
      Destinations: ['noc@partner.example', 'jane@partner.example', 'ops@example.com'],
      RawMessage: { Data: await buildMimeMessage(mail) },
    }),
  );
}

async function rejection(promise: Promise<unknown>): Promise<SESServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SESServiceException;
  }
  throw new Error('expected the send to fail');
}

let store: LocalMailStore;
let ses: SESClient;

beforeAll(async () => {
  store = await startLocalMailStore({ port: 0 });
  ses = sesFor(store);
});

afterEach(async () => {
  store.faults.heal();
  await store.clear();
});

afterAll(async () => {
  ses?.destroy();
  await store?.stop();
});

describe('round trip', () => {
  it('gives back what was sent: subject, recipients, text, html, the ICS attachment and the headers', async () => {
    // Prepare
    const mail = notice();

    // Act
    const { MessageId } = await sendRaw(ses, mail);
    const mails = await store.mails();

    // Assess
    expect(mails).toHaveLength(1);
    const [stored] = mails;
    expect(stored?.messageId).toBe(MessageId);
    expect(stored?.from).toBe('changes@example.com');
    expect(stored?.to).toEqual(['noc@partner.example', '"Jane Doe" <jane@partner.example>']);
    expect(stored?.cc).toEqual(['ops@example.com']);
    expect(stored?.subject).toBe(mail.subject);
    expect(stored?.text).toBe(mail.text);
    expect(stored?.html).toBe(mail.html);
    expect(stored?.attachments).toEqual([
      { filename: 'invite.ics', contentType: 'text/calendar', content: ICS },
    ]);
    expect(stored?.date.toISOString()).toBe('2026-11-21T09:30:00.000Z');
    expect(stored?.receivedAt).toBeInstanceOf(Date);
    expect(stored?.headers?.['x-change-id']).toBe('chg-0042');
    expect(stored?.headers?.['x-notice-id']).toBe('ntc-7');
    expect(stored?.raw).toBe((await buildMimeMessage(mail)).toString('utf8'));
  });

  it('reads non-ASCII subjects and display names, and names with a comma, as they were sent', async () => {
    // Prepare
    const mail = notice({
      from: 'Änderungsdienst, Zürich <changes@example.com>',
      to: ['Doe, Jane <jane@partner.example>', 'Müller, Zoë <zoe@partner.example>', 'noc@partner.example'],
      cc: ['Ops – Genève <ops@example.com>'],
      subject: 'Zürich – Wartung',
      headers: { 'X-Change-Id': 'chg-0042', 'X-Notice-Id': 'Erinnerung – Zürich' },
    });

    // Act
    const { MessageId } = await sendRaw(ses, mail);
    const [stored] = await store.mails();

    // Assess: one mailbox per name, the comma inside its quotes, every character as sent
    expect(stored?.messageId).toBe(MessageId);
    expect(stored?.subject).toBe('Zürich – Wartung');
    expect(stored?.from).toBe('"Änderungsdienst, Zürich" <changes@example.com>');
    expect(stored?.to).toEqual([
      '"Doe, Jane" <jane@partner.example>',
      '"Müller, Zoë" <zoe@partner.example>',
      'noc@partner.example',
    ]);
    expect(stored?.cc).toEqual(['"Ops – Genève" <ops@example.com>']);
    expect(stored?.headers?.subject).toBe('Zürich – Wartung');
    expect(stored?.headers?.['x-notice-id']).toBe('Erinnerung – Zürich');
    expect(stored?.text).toBe(mail.text);
    expect(stored?.attachments.map((a) => a.content)).toEqual([ICS]);
  });

  it('keeps mails in the order they arrived, and clear() empties the store', async () => {
    // Act
    await sendRaw(ses, notice({ subject: 'first' }));
    await sendRaw(ses, notice({ subject: 'second' }));
    const before = await store.mails();
    await store.clear();
    const after = await store.mails();

    // Assess
    expect(before.map((m) => m.subject)).toEqual(['first', 'second']);
    expect(after).toEqual([]);
  });
});

describe('faults', () => {
  it('failNext(2): the next two sends throw, the third succeeds, and exactly one mail is stored', async () => {
    // Prepare
    store.faults.failNext(2);

    // Act
    const first = await rejection(sendRaw(ses));
    const second = await rejection(sendRaw(ses));
    const third = await sendRaw(ses);

    // Assess
    for (const error of [first, second]) {
      expect(error.name).toBe('ServiceUnavailable');
      expect(error.message).toBe('injected fault');
      expect(error.$fault).toBe('server');
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(error.$metadata.attempts).toBe(1);
    }
    expect(third.MessageId).toMatch(/^ses-\d+$/);
    expect(store.faults.failures).toBe(2);
    const mails = await store.mails();
    expect(mails.map((m) => m.messageId)).toEqual([third.MessageId]);
  });

  it('failAlways: every send throws, with the chosen status, until heal()', async () => {
    // Prepare
    const failuresBefore = store.faults.failures;
    store.faults.failAlways(503);

    // Act
    const errors = [
      await rejection(sendRaw(ses)),
      await rejection(sendRaw(ses)),
      await rejection(sendRaw(ses)),
    ];
    store.faults.heal();
    const after = await sendRaw(ses);

    // Assess
    expect(errors.map((e) => e.$metadata.httpStatusCode)).toEqual([503, 503, 503]);
    expect(store.faults.failures - failuresBefore).toBe(3);
    expect((await store.mails()).map((m) => m.messageId)).toEqual([after.MessageId]);
  });

  it('a client with the SDK’s default retries rides through failNext(2) in one send (why the mailer uses maxAttempts 1)', async () => {
    // Prepare
    const retrying = sesFor(store, 3);
    store.faults.failNext(2);

    // Act
    const result = await sendRaw(retrying);
    retrying.destroy();

    // Assess
    expect(result.$metadata.attempts).toBe(3);
    expect(await store.mails()).toHaveLength(1);
  });

  it('answers an SES call the local SES does not implement with an error instead of hanging', async () => {
    const error = await rejection(ses.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('InvalidAction');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('the mailer against the local store', () => {
  it('sends through the local SES endpoint and reports an injected fault as MailNotSentError', async () => {
    // Prepare: the mailer on an SES client pointed at the local store, as the local wiring makes it.
    const sesMailer = new SesMailer(sesClient({ region: 'us-east-1', endpoint: store.sesEndpoint }));
    store.faults.failNext(1);

    // Act
    const failed = await sesMailer.send(notice()).catch((e: unknown) => e);
    const sent = await sesMailer.send(notice());

    // Assess
    expect(failed).toBeInstanceOf(MailNotSentError);
    expect((failed as Error).message).toMatch(/3 recipients .*ServiceUnavailable: injected fault/);
    const mails = await store.mails();
    expect(mails.map((m) => m.messageId)).toEqual([sent.messageId]);
    expect(mails[0]?.attachments[0]?.content).toBe(ICS);
  });
});

describe('inbox', () => {
  it('serves the web inbox as HTML and the JSON store with this store’s mails', async () => {
    // Prepare
    const { MessageId } = await sendRaw(ses);

    // Act
    const page = await fetch(store.inboxUrl);
    const html = await page.text();
    const json = await fetch(store.storeUrl);
    const body = (await json.json()) as { emails: { messageId: string; subject: string }[] };

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('/store');
    expect(json.status).toBe(200);
    expect(body.emails.map((e) => e.messageId)).toEqual([MessageId]);
  });
});

describe('two stores in one process', () => {
  it('share one aws-ses-v2-local but each sees only its own mails', async () => {
    // Prepare
    const other = await startLocalMailStore({});
    const otherSes = sesFor(other);

    try {
      // Act
      const mine = await sendRaw(ses, notice({ subject: 'mine' }));
      const theirs = await sendRaw(otherSes, notice({ subject: 'theirs' }));

      // Assess
      expect((await store.mails()).map((m) => m.messageId)).toEqual([mine.MessageId]);
      expect((await other.mails()).map((m) => m.messageId)).toEqual([theirs.MessageId]);
      expect(other.sesEndpoint).not.toBe(store.sesEndpoint);
    } finally {
      otherSes.destroy();
      await other.stop();
    }
    // The first store still works after the second one stopped.
    await sendRaw(ses);
    expect(await store.mails()).toHaveLength(2);
  });
});

describe('stop', () => {
  it('frees the port, and a fixed port that is taken gives a clear error', async () => {
    // Prepare
    const temporary = await startLocalMailStore({ port: 0 });
    const port = temporary.port;
    await expect(startLocalMailStore({ port })).rejects.toThrow(/port \d+ is already in use/);
    const client = sesFor(temporary);
    await sendRaw(client); // leaves a keep-alive connection open
    client.destroy();

    // Act
    await temporary.stop();
    await temporary.stop(); // idempotent

    // Assess
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    await expect(fetch(temporary.storeUrl)).rejects.toThrow();
  });
});
