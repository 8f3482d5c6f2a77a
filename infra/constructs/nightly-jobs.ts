import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SETTINGS } from '#contract/environment.ts';
import { JOB_SCHEDULES, type JobName } from '#contract/schedules.ts';
import type { ChangeTable } from './change-table.ts';
import { ServiceFunction } from './service-function.ts';

export interface NightlyJobsProps {
  readonly table: ChangeTable;
  /** The lifecycle state machine: the scans schedule changes and start their lifecycles. */
  readonly stateMachine: StateMachine;
  readonly eventBus: EventBus;
  readonly alertTopic: Topic;
  /** The verified SES identity the jobs' notices are sent from (the same as the lifecycle's). */
  readonly noticeSender: string;
}

/**
 * The nightly bookkeeping: one Lambda per job, each triggered by an EventBridge rule with the cron
 * expression of functions/contract/schedules.ts (UTC), retried twice by EventBridge, with failed
 * invocations kept in a dead-letter queue. Also the two COP buckets: the catalog of files the
 * provider offers, and the customers' SFTP store (served to the partner's SFTP clients by AWS
 * Transfer Family with an S3 home directory per customer; the Transfer server is provisioned with the
 * dedicated instance, not by this stack).
 */
export class NightlyJobs extends Construct {
  public readonly functions: Record<JobName, ServiceFunction>;
  public readonly rules: Record<JobName, Rule>;
  public readonly copCatalogBucket: Bucket;
  public readonly copSftpBucket: Bucket;
  public readonly deadLetterQueue: Queue;

  public constructor(scope: Construct, id: string, props: NightlyJobsProps) {
    super(scope, id);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    const bucket = (name: string) =>
      new Bucket(this, name, {
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.copCatalogBucket = bucket('CopCatalog');
    this.copSftpBucket = bucket('CopSftp');
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const functions: Partial<Record<JobName, ServiceFunction>> = {};
    const rules: Partial<Record<JobName, Rule>> = {};
    for (const schedule of JOB_SCHEDULES) {
      const name = schedule.job
        .split('-')
        .map((word) => `${word[0]?.toUpperCase()}${word.slice(1)}`)
        .join('');
      const fn = new ServiceFunction(this, `${name}Job`, {
        entry: schedule.entry,
        description: schedule.description,
        timeout: Duration.minutes(15),
        memorySize: 1024,
        environment: {
          [SETTINGS.noticeSender]: props.noticeSender,
          [SETTINGS.stateMachineArn]: props.stateMachine.stateMachineArn,
          [SETTINGS.eventBusName]: props.eventBus.eventBusName,
          [SETTINGS.alertTopicArn]: props.alertTopic.topicArn,
          [SETTINGS.copCatalogBucket]: this.copCatalogBucket.bucketName,
          [SETTINGS.copSftpBucket]: this.copSftpBucket.bucketName,
        },
      });
      props.table.grantTo(fn, 'readWrite');
      props.stateMachine.grantStartExecution(fn);
      props.eventBus.grantPutEventsTo(fn);
      props.alertTopic.grantPublish(fn);
      functions[schedule.job] = fn;
      rules[schedule.job] = new Rule(this, `${name}Schedule`, {
        description: schedule.description,
        schedule: Schedule.expression(schedule.cron),
        targets: [new LambdaFunction(fn, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue })],
      });
    }
    this.functions = functions as Record<JobName, ServiceFunction>;
    this.rules = rules as Record<JobName, Rule>;
    // CopyObject needs to read the catalog object and write the customer's object; object keys are
    // per file and per customer, so these are prefix grants (acknowledged below), nothing more.
    const copJob = this.functions['cop-uploads'];
    copJob.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.copCatalogBucket.arnForObjects('catalog/*')],
      }),
    );
    copJob.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.copSftpBucket.arnForObjects('*')] }),
    );
    Validations.of(copJob.role!).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.copCatalogBucket.node.defaultChild as CfnBucket)}.Arn>/catalog/*]`,
        reason: 'Reads any COP file of the catalog prefix: the files are named by partner requests.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.copSftpBucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason:
          "Writes into each customer's SFTP home (<customerId>/cop/<file>); customers are data, not stack resources.",
      },
    );
    for (const fn of Object.values(this.functions)) {
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "CDK's grant to publish on the KMS-encrypted alert topic; it is scoped to that topic's key.",
      });
    }
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule rules (EventBridge target DLQ).',
    });
    // Only the COP job mails partners itself (upload done / refused); the scans' changes are
    // announced by their lifecycles.
    const domain = props.noticeSender.includes('@') ? props.noticeSender.split('@')[1] : props.noticeSender;
    this.functions['cop-uploads'].addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'identity',
            resourceName: props.noticeSender,
          }),
        ],
      }),
    );
  }
}
