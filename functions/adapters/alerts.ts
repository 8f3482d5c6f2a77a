/**
 * Raising an alert (rules section 11): recorded in the table (queryable through GET /v1/alerts,
 * deduplicated by its key) and published for people: an SNS topic in AWS; locally, with no topic
 * configured, a log line (the local runtime also mails it to the local inbox via installAlertSink).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DateTime } from 'luxon';
import { type Alert, putAlert } from '#adapters/store/alert-store.ts';
import { logger } from '#commons/logger.ts';
import { type AlertDraft, draftAlert } from '#core/alerts.ts';
import type { AlertEvent } from '#core/vocabulary.ts';
import { policy } from './policy-source.ts';

export type AlertSink = (alert: Alert) => Promise<void>;

const topicArn = process.env.ALERT_TOPIC_ARN;
const sns = new SNSClient({ maxAttempts: 5 });

const snsSink: AlertSink = async (alert) => {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: `[${alert.priority}] ${alert.subject}`.slice(0, 99),
      Message: JSON.stringify(alert, null, 2),
      MessageAttributes: { priority: { DataType: 'String', StringValue: alert.priority } },
    }),
  );
};

const logSink: AlertSink = async (alert) => {
  logger.warn('alert raised', { alert });
};

let sink: AlertSink = topicArn ? snsSink : logSink;

/** Local runtime only: where alerts go for people to read. */
export function installAlertSink(next: AlertSink): void {
  sink = next;
}

/** Records the alert once (by its dedupe key) and publishes it when it is new. */
export async function raiseAlert(
  event: AlertEvent,
  input: { raisedAt: DateTime; subject: string; detail?: Record<string, unknown>; dedupeKey: string },
): Promise<{ alert: Alert; created: boolean }> {
  const draft: AlertDraft = draftAlert(policy, event, input);
  const result = await putAlert(draft);
  if (result.created) {
    try {
      await sink(result.alert);
    } catch (error) {
      // The alert is recorded and listed by the API; a failed page is logged, not lost.
      logger.error('alert could not be published', { alertId: result.alert.alertId, error: error as Error });
    }
  }
  return result;
}
