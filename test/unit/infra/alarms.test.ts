/**
 * The operational alarms (infra/constructs/alarms.ts) in the synthesized stack: each alarm's metric,
 * threshold, evaluation periods and action (the alert topic); the SES configuration set whose bounces
 * and complaints they count; the log metric filter on the job runner's crash line; cdk-nag clean.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runJob } from '#app/jobs/run-job.ts';
import { logger } from '#commons/logger.ts';
import { JOB_NAMES } from '#contract/schedules.ts';
import { buildApp } from '#infra/app.ts';
import { JOB_CRASHED_LOG, METRIC_NAMESPACE, OperationalAlarms } from '#infra/constructs/alarms.ts';
import { createAwsPorts, dynamoDb, rules, sns as snsPager } from '#wiring/aws.ts';
import { unacknowledgedNagFindings } from './nag.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type AlarmProperties = {
  MetricName: string;
  Namespace: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Threshold: number;
  EvaluationPeriods: number;
  ComparisonOperator: string;
  Statistic: string;
  Period: number;
  AlarmActions: unknown[];
  TreatMissingData: string;
  AlarmDescription: string;
};

let template: Template;
let resources: Record<string, Resource>;
let topicRef: { Ref: string };
let alarms: AlarmProperties[];
let stack: Stack;

beforeAll(() => {
  ({ stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
  topicRef = { Ref: topicId as string };
  alarms = Object.values(resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties as AlarmProperties);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function logicalIdOf(type: string, pathPart: string): string {
  const ids = Object.keys(resources).filter((id) => resources[id]?.Type === type && id.includes(pathPart));
  expect(ids, `${type} ${pathPart}`).toHaveLength(1);
  return ids[0] as string;
}

/** The alarms on a metric, by name, namespace and (some) dimension value. */
function alarmsOn(namespace: string, metricName: string, dimension?: unknown): AlarmProperties[] {
  return alarms.filter(
    (a) =>
      a.Namespace === namespace &&
      a.MetricName === metricName &&
      (dimension === undefined ||
        (a.Dimensions ?? []).some((d) => JSON.stringify(d.Value) === JSON.stringify(dimension))),
  );
}

/** Exactly one such alarm, notifying the alert topic on the first period at or over the threshold. */
function expectOneAlarm(found: AlarmProperties[], threshold: number, statistic = 'Sum'): AlarmProperties {
  expect(found).toHaveLength(1);
  const alarm = found[0] as AlarmProperties;
  expect(alarm).toMatchObject({
    Threshold: threshold,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Statistic: statistic,
    Period: 300,
    AlarmActions: [topicRef],
    TreatMissingData: 'notBreaching',
  });
  expect(alarm.AlarmDescription).toMatch(/\S/);
  return alarm;
}

describe('the operational alarms', () => {
  it("alarms on any message in the nightly jobs' dead-letter queue", () => {
    const queue = logicalIdOf('AWS::SQS::Queue', 'DeadLetters');

    const alarm = expectOneAlarm(
      alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queue, 'QueueName'] }),
      1,
      'Maximum',
    );

    expect(alarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]);
  });

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms on %s of the lifecycle state machine',
    (metricName) => {
      const machine = { Ref: logicalIdOf('AWS::StepFunctions::StateMachine', 'Lifecycle') };

      const alarm = expectOneAlarm(alarmsOn('AWS/States', metricName, machine), 1);

      expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: machine }]);
    },
  );

  it('watches every Lambda function of the stack for errors and throttles', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(9);

    for (const fn of functions) {
      const errors = alarmsOn('AWS/Lambda', 'Errors', { Ref: fn });
      const throttles = alarmsOn('AWS/Lambda', 'Throttles', { Ref: fn });
      const threshold = fn.startsWith('LifecycleLifecycleFunction')
        ? 5
        : fn.startsWith('ApiAuthorizer')
          ? 25
          : 1;
      expectOneAlarm(errors, threshold);
      expectOneAlarm(throttles, 1);
      expect(errors[0]?.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: fn } }]);
    }
  });

  it.each(JOB_NAMES)('counts the crashes of the %s job from its log and alarms on the first', (job) => {
    const logicalPart = job
      .split('-')
      .map((w) => `${w[0]?.toUpperCase()}${w.slice(1)}`)
      .join('');
    const logGroup = logicalIdOf('AWS::Logs::LogGroup', `${logicalPart}JobLogGroup`);

    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroup },
      FilterPattern: '{ $.message = "job crashed" }',
      MetricTransformations: [
        {
          MetricNamespace: METRIC_NAMESPACE,
          MetricName: 'JobCrashes',
          MetricValue: '1',
          Dimensions: [{ Key: 'Job', Value: '$.job' }],
        },
      ],
    });
    expectOneAlarm(alarmsOn(METRIC_NAMESPACE, 'JobCrashes', job), 1);
  });

  it("matches the job runner's crash line: a crashing job logs that message with its name", async () => {
    // Prepare: a store that answers (the run record) and an alert topic that does too.
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const ports = createAwsPorts(
      {
        tableName: 'changes',
        noticeSender: 'maintenance@calling.example',
        alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      },
      [rules, dynamoDb, snsPager],
    );
    const dynamo = mockClient(DynamoDBDocumentClient).resolves({});
    const sns = mockClient(SNSClient).resolves({});
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    // Act
    const run = runJob(
      ports,
      'cop-uploads',
      async () => {
        throw new Error('the catalog bucket is gone');
      },
      { time: '2026-11-23T01:00:00Z' },
    );

    // Assess
    await expect(run).rejects.toThrow('the catalog bucket is gone');
    const crash = logged.mock.calls.find(([message]) => message === JOB_CRASHED_LOG.message);
    expect(crash?.[1]).toMatchObject({ [JOB_CRASHED_LOG.jobField]: 'cop-uploads' });
    dynamo.restore();
    sns.restore();
  });

  it('counts SES bounces and complaints through a configuration set, and alarms on the first of each', () => {
    const configurationSet = { Ref: logicalIdOf('AWS::SES::ConfigurationSet', 'MailConfigurationSet') };
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configurationSet,
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']),
        CloudWatchDestination: {
          DimensionConfigurations: [
            {
              DimensionName: 'ses:configuration-set',
              DimensionValueSource: 'messageTag',
              DefaultDimensionValue: configurationSet,
            },
          ],
        },
      },
    });

    expectOneAlarm(alarmsOn('AWS/SES', 'Bounce', configurationSet), 1);
    expectOneAlarm(alarmsOn('AWS/SES', 'Complaint', configurationSet), 1);
  });

  it('sends mail with that configuration set: its name in SES_CONFIGURATION_SET and SES may use it', () => {
    const configurationSet = { Ref: logicalIdOf('AWS::SES::ConfigurationSet', 'MailConfigurationSet') };
    const senders = ['LifecycleLifecycleFunction', 'NightlyJobsCopUploadsJob'];

    for (const sender of senders) {
      const fn = resources[logicalIdOf('AWS::Lambda::Function', sender)] as Resource;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.SES_CONFIGURATION_SET).toEqual(configurationSet);
    }
    const grants = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.PolicyDocument).includes(':configuration-set/') &&
        JSON.stringify(r.Properties.PolicyDocument).includes('ses:SendRawEmail'),
    );
    expect(grants).toHaveLength(senders.length);
  });

  it("lets CloudWatch use the alert topic's key, so alarm notifications reach the encrypted topic", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
          }),
        ]),
      },
    });
  });

  it('makes no alarm on a metric of our own that nothing emits (only the job crash count so far)', () => {
    const ours = [
      ...new Set(alarms.filter((a) => a.Namespace === METRIC_NAMESPACE).map((a) => a.MetricName)),
    ];

    expect(ours).toEqual(['JobCrashes']);
    expect(alarms.every((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([topicRef]))).toBe(true);
  });

  it('leaves cdk-nag (AwsSolutions) clean', () => {
    expect(unacknowledgedNagFindings(stack)).toEqual([]);
  });
});

describe('OperationalAlarms.alarmOnMetric', () => {
  it("alarms on a metric the service emits (e.g. the reconciler's repairs), notifying the alert topic", () => {
    // Prepare
    const stack = new Stack(new App(), 'Test');
    const topic = new Topic(stack, 'Alerts');
    const alarms = new OperationalAlarms(stack, 'Alarms', { alertTopic: topic });

    // Act
    alarms.alarmOnMetric(
      'Repairs',
      new Metric({ namespace: METRIC_NAMESPACE, metricName: 'LifecycleRepairs', statistic: 'Sum' }),
      { description: 'The reconciler repaired lifecycles.', threshold: 3, evaluationPeriods: 2 },
    );

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: 'LifecycleRepairs',
      Threshold: 3,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
      AlarmDescription: 'The reconciler repaired lifecycles.',
    });
  });
});
