/** Alerts for people in AWS: published on the SNS topic that on-call subscribes to. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertPager } from '#app/ports.ts';
import type { Alert } from '#core/alerts.ts';

export class SnsPager implements AlertPager {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async page(alert: Alert): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        // SNS subjects are at most 100 characters.
        Subject: `[${alert.priority}] ${alert.subject}`.slice(0, 99),
        Message: JSON.stringify(alert, null, 2),
        MessageAttributes: { priority: { DataType: 'String', StringValue: alert.priority } },
      }),
    );
  }
}
