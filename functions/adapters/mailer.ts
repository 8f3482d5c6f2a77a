/**
 * The mail port: how a notice leaves the system. In AWS it is SES `SendRawEmail` with the MIME message that
 * ./mime.ts builds with nodemailer's MailComposer (so the calendar invite travels as an attachment);
 * locally the same client is pointed at the local mail store (local/mail-store.ts) by `SES_ENDPOINT`, set
 * before this module is first imported.
 *
 * The client makes one attempt (`maxAttempts: 1`): retrying is the workflow's job (a Step Functions Retry
 * with back-off on NotificationDeliveryError), so an SES failure surfaces at once as a thrown error instead
 * of being retried twice inside a Lambda that the workflow then retries again.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { buildMimeMessage, type OutgoingMail, parseMailbox } from './mime.ts';

export type { MailAttachment, OutgoingMail } from './mime.ts';

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** SES did not take the mail. `cause` is the SDK error; retry by re-running the task. */
export class NotificationDeliveryError extends Error {
  override name = 'NotificationDeliveryError';
}

const endpoint = process.env.SES_ENDPOINT;
/** The SES configuration set sends go through, so bounces and complaints become alarmed metrics (none locally). */
const configurationSet = process.env.SES_CONFIGURATION_SET;

/** Created once per process; aws-sdk-client-mock replaces its `send` in unit tests. */
export const sesClient = new SESClient({
  ...(endpoint
    ? {
        endpoint,
        region: process.env.AWS_REGION ?? 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {}),
  maxAttempts: 1,
});

export const sesMailer: Mailer = {
  async send(mail) {
    // Built before the try: a mail that cannot be built is a TypeError (a bug), never a delivery failure.
    const raw = await buildMimeMessage(mail);
    const destinations = envelopeRecipients(mail);
    try {
      const result = await sesClient.send(
        new SendRawEmailCommand({
          Destinations: destinations,
          RawMessage: { Data: raw },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
      return { messageId: result.MessageId ?? '' };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const count = destinations.length;
      throw new NotificationDeliveryError(
        `SES did not send "${mail.subject}" to ${count} recipient${count === 1 ? '' : 's'} (${reason})`,
        { cause: error },
      );
    }
  },
};

/** The envelope: bare addresses of To and Cc, each once (case-insensitively), in order. */
export function envelopeRecipients(mail: Pick<OutgoingMail, 'to' | 'cc'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const mailbox of [...mail.to, ...(mail.cc ?? [])]) {
    const { address } = parseMailbox(mailbox);
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

/** Keeps mails in memory instead of sending them: for handler tests and runs with no mail service. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail) {
    await buildMimeMessage(mail); // refuse what SES would never get
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

let port: Mailer = sesMailer;

export function mailer(): Mailer {
  return port;
}

/** Local runtime and tests only. */
export function installMailer(next: Mailer): void {
  port = next;
}
