import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
} from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SETTINGS } from '#contract/environment.ts';
import type { ServiceFunction } from './service-function.ts';

/** The namespace of the metrics this service defines itself (log metric filters, later its own metrics). */
export const METRIC_NAMESPACE = 'ChangeManagement';

/**
 * The log line the nightly job runner writes when a job crashes (functions/jobs/job-runner.ts, Powertools
 * JSON: `{"level":"ERROR","message":"job crashed","job":"cop-uploads",...}`). A unit test runs a crashing
 * job and checks that its log line still reads so, since this filter depends on it.
 */
export const JOB_CRASHED_LOG = { message: 'job crashed', jobField: 'job' } as const;

/** The environment variable that names the SES configuration set the mailer sends with. */
export const SES_CONFIGURATION_SET_ENV = SETTINGS.sesConfigurationSet;

export interface OperationalAlarmsProps {
  /** Every alarm notifies this topic (the alert topic ops subscribe to). */
  readonly alertTopic: ITopic;
  /**
   * The period every metric is looked at over.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

export interface AlarmOnMetricProps {
  /** What the alarm means and what to do: the first thing the on-call person reads. */
  readonly description: string;
  /** @default 1 */
  readonly threshold?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparisonOperator?: ComparisonOperator;
  /** @default TreatMissingData.NOT_BREACHING (no data means nothing happened) */
  readonly treatMissingData?: TreatMissingData;
}

export interface WatchFunctionOptions {
  /**
   * Errors in one period that raise the alarm.
   * @default 1
   */
  readonly errorThreshold?: number;
}

/**
 * The alarms that tell ops the service is in trouble, each notifying the alert topic: dead letters, failed
 * or timed-out or aborted lifecycles, Lambda errors and throttles, crashed nightly jobs, and SES bounces
 * and complaints (through the SES configuration set the mailers send with, which this construct owns
 * because it exists to measure them). `alarmOnMetric` alarms on any other metric the service emits.
 */
export class OperationalAlarms extends Construct {
  /** Every alarm made here, in the order made. */
  public readonly alarms: Alarm[] = [];
  /** The configuration set notices are sent with: its bounces and complaints become metrics. */
  public readonly mailConfigurationSet: ConfigurationSet;

  private readonly action: SnsAction;
  private readonly period: Duration;

  public constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.alertTopic);
    this.period = props.period ?? Duration.minutes(5);
    // An alarm publishes to the KMS-encrypted topic as CloudWatch: without this grant on the topic's key,
    // the alarm changes state and the notification is silently dropped.
    props.alertTopic.masterKey?.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );

    this.mailConfigurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      reputationMetrics: true,
    });
    const configurationSetName = this.mailConfigurationSet.configurationSetName;
    // Bounces and complaints as CloudWatch counts, by the configuration set SES tags each mail with.
    this.mailConfigurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.cloudWatchDimensions([
        {
          name: 'ses:configuration-set',
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: configurationSetName,
        },
      ]),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    const sesMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { 'ses:configuration-set': configurationSetName },
        statistic: 'Sum',
        period: this.period,
      });
    this.alarmOnMetric('MailBounces', sesMetric('Bounce'), {
      description:
        'A notice bounced: a partner contact did not receive it. Check the contact address in the directory and resend.',
    });
    this.alarmOnMetric('MailComplaints', sesMetric('Complaint'), {
      description:
        "A recipient marked a notice as spam: SES counts it against the account's sending reputation. Find out who and why.",
    });
  }

  /**
   * An alarm on any metric, notifying the alert topic: the hook for the service's own metrics (e.g. the
   * repairs the reconciler makes), so each is alarmed the same way.
   */
  public alarmOnMetric(id: string, metric: IMetric, props: AlarmOnMetricProps): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: props.description,
      threshold: props.threshold ?? 1,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: props.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any message in a dead-letter queue is an event that was never handled. */
  public watchDeadLetterQueue(id: string, queue: IQueue, what: string): void {
    this.alarmOnMetric(
      `${id}Depth`,
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: this.period }),
      { description: `${what} holds messages: events that were never handled. Read them, fix, redrive.` },
    );
  }

  /** Lifecycles that failed, timed out or were aborted: changes that may be stuck. */
  public watchStateMachine(id: string, stateMachine: IStateMachine): void {
    const options = { statistic: 'Sum', period: this.period };
    const watched: [string, Metric, string][] = [
      ['Failed', stateMachine.metricFailed(options), 'failed'],
      ['TimedOut', stateMachine.metricTimedOut(options), 'timed out'],
      ['Aborted', stateMachine.metricAborted(options), 'was aborted'],
    ];
    for (const [suffix, metric, outcome] of watched) {
      this.alarmOnMetric(`${id}Executions${suffix}`, metric, {
        description: `A change lifecycle execution ${outcome}: the change may be stuck. Find it in the execution history.`,
      });
    }
  }

  /** A function's errors and throttles. */
  public watchFunction(fn: IFunction, options: WatchFunctionOptions = {}): void {
    const id = fn.node.id;
    const metricOptions = { statistic: 'Sum', period: this.period };
    this.alarmOnMetric(`${id}Errors`, fn.metricErrors(metricOptions), {
      threshold: options.errorThreshold ?? 1,
      description: `The Lambda function ${id} failed invocations. Its log group has the errors.`,
    });
    this.alarmOnMetric(`${id}Throttles`, fn.metricThrottles(metricOptions), {
      description: `The Lambda function ${id} was throttled: calls were refused or delayed. Check concurrency.`,
    });
  }

  /**
   * A nightly job's crashes, counted from its log by a metric filter on the job runner's crash line (the
   * runner already writes it for every crash, so nothing in the job's code has to change).
   */
  public watchJobCrashes(job: string, logGroup: ILogGroup): void {
    const id = job
      .split('-')
      .map((word) => `${word[0]?.toUpperCase()}${word.slice(1)}`)
      .join('');
    new MetricFilter(this, `${id}CrashFilter`, {
      logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', JOB_CRASHED_LOG.message),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'JobCrashes',
      metricValue: '1',
      dimensions: { Job: `$.${JOB_CRASHED_LOG.jobField}` },
    });
    this.alarmOnMetric(
      `${id}Crashes`,
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName: 'JobCrashes',
        dimensionsMap: { Job: job },
        statistic: 'Sum',
        period: this.period,
      }),
      {
        description: `The nightly job ${job} crashed; its next run resumes from its checkpoint. See its log.`,
      },
    );
  }

  /**
   * A function that sends mail sends it with the configuration set: its name in SES_CONFIGURATION_SET,
   * and SES's permission to use it (SES authorizes the configuration set as well as the identity).
   */
  public sendsMail(fn: ServiceFunction): void {
    fn.addEnvironment(SES_CONFIGURATION_SET_ENV, this.mailConfigurationSet.configurationSetName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.mailConfigurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }
}
