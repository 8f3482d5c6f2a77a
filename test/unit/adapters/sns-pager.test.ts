/** Alerts for people in AWS: one SNS message per new alert, its priority in the subject and as an attribute. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { snsClient } from '#adapters/aws-clients.ts';
import { SnsPager } from '#adapters/sns-pager.ts';
import type { Alert } from '#core/alerts.ts';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const pager = new SnsPager(snsClient(), TOPIC);
const alert: Alert = {
  alertId: 'alr_1',
  event: 'NO_GOOD_BACKUP',
  priority: 'P2',
  raisedAt: '2026-11-23T11:30:00Z',
  respondBy: '2026-11-23T13:30:00Z',
  subject: 'No good CUCM backup for globex',
  detail: { customerId: 'globex' },
  dedupeKey: 'NO_GOOD_BACKUP#globex#CUCM#2026-11-23',
  status: 'open',
};

afterEach(() => {
  sns.reset();
});

describe('SnsPager', () => {
  it('publishes the alert on the topic with its priority', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });

    // Act
    await pager.page(alert);

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[P2] No good CUCM backup for globex',
      Message: JSON.stringify(alert, null, 2),
      MessageAttributes: { priority: { DataType: 'String', StringValue: 'P2' } },
    });
  });

  it('keeps the subject within the 100 characters SNS takes', async () => {
    sns.on(PublishCommand).resolves({});
    await pager.page({ ...alert, subject: 'x'.repeat(300) });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toHaveLength(99);
  });

  it('passes an SNS error on (raising the alert logs it; the alert stays recorded)', async () => {
    sns.on(PublishCommand).rejects(new Error('KMS key disabled'));
    await expect(pager.page(alert)).rejects.toThrow('KMS key disabled');
  });
});
