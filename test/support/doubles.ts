/**
 * Test doubles of the ports: they record what the application asked for instead of doing it, so a
 * test can assert what a person would notice (the mails sent, the lifecycles started).
 */
import { buildMimeMessage } from '#adapters/mime.ts';
import type {
  AlertPager,
  CopFileStore,
  EventPublisher,
  LifecycleWorkflow,
  Mailer,
  OutgoingMail,
} from '#app/ports.ts';
import type { Alert } from '#core/alerts.ts';
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';

/** Keeps mails instead of sending them; refuses, as SES would, a mail that cannot be built. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail) {
    buildMimeMessage(mail);
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

/** Records the lifecycles started and the parked ones resumed. */
export class RecordingWorkflow implements LifecycleWorkflow {
  readonly started: string[] = [];
  readonly resumed: string[] = [];
  async start(change: ChangeRecord) {
    this.started.push(change.changeId);
  }
  async resume(token: string) {
    this.resumed.push(token);
  }
}

/** Keeps the published lifecycle events. */
export class RecordingEvents implements EventPublisher {
  readonly published: { changeId: string; event: string }[] = [];
  async publish(change: ChangeRecord, records: readonly HistoryRecord[]) {
    for (const record of records) this.published.push({ changeId: change.changeId, event: record.event });
  }
}

/** Keeps the alerts paged. */
export class RecordingPager implements AlertPager {
  readonly paged: Alert[] = [];
  async page(alert: Alert) {
    this.paged.push(alert);
  }
}

/** For tests that never copy a COP file: any copy is a bug in the test. */
export const noCopFiles: CopFileStore = {
  copyToCustomer: async () => {
    throw new Error('this test has no COP file store');
  },
};
