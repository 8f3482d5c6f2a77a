/**
 * The mail port in AWS: SES `SendRawEmail` with the MIME message that ./mime.ts builds with nodemailer's
 * MailComposer (so a calendar invite travels as an attachment); locally the same client is pointed at
 * the local mail store. The client makes one attempt (aws-clients.ts): an SES failure surfaces at once
 * as MailNotSentError, and the caller's retry policy decides what happens next.
 */
import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { type Mailer, MailNotSentError, type OutgoingMail } from '#app/ports.ts';
import { buildMimeMessage, parseMailbox } from './mime.ts';

export class SesMailer implements Mailer {
  /** `configurationSet`: the SES configuration set sends go through, so bounces and complaints are alarmed. */
  constructor(
    private readonly ses: SESClient,
    private readonly configurationSet?: string,
  ) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    // Built before the try: a mail that cannot be built is a TypeError (a bug), never a delivery failure.
    const raw = await buildMimeMessage(mail);
    const destinations = envelopeRecipients(mail);
    try {
      const result = await this.ses.send(
        new SendRawEmailCommand({
          Destinations: destinations,
          RawMessage: { Data: raw },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        }),
      );
      return { messageId: result.MessageId ?? '' };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const count = destinations.length;
      throw new MailNotSentError(
        `SES did not send "${mail.subject}" to ${count} recipient${count === 1 ? '' : 's'} (${reason})`,
        { cause: error },
      );
    }
  }
}

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
