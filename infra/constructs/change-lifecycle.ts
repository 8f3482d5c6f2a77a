import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_NOTICE_SENDER, SETTINGS } from '#contract/environment.ts';
import { ChangeLifecycleWorkflow } from '#workflows/change-lifecycle.ts';
import type { ChangeTable } from './change-table.ts';
import { ServiceFunction } from './service-function.ts';

export interface ChangeLifecycleProps {
  /** The table of changes, notices and alerts. */
  readonly table: ChangeTable;
  /**
   * The verified SES identity notices are sent from (an address or domain verified in SES).
   * @default DEFAULT_NOTICE_SENDER ('maintenance@calling.example')
   */
  readonly noticeSender?: string;
}

/**
 * Runs every change's lifecycle: the state machine (workflows/), the Lambda behind its tasks,
 * the event bus lifecycle events are published on, and the topic alerts page people through.
 */
export class ChangeLifecycle extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly lifecycleFunction: ServiceFunction;
  public readonly eventBus: EventBus;
  public readonly alertTopic: Topic;

  public constructor(scope: Construct, id: string, props: ChangeLifecycleProps) {
    super(scope, id);
    const sender = props.noticeSender ?? DEFAULT_NOTICE_SENDER;
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: 'change-management' });
    const topicKey = new Key(this, 'AlertTopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alert topic',
    });
    this.alertTopic = new Topic(this, 'AlertTopic', {
      displayName: 'Change management alerts',
      masterKey: topicKey,
      enforceSSL: true,
    });

    this.lifecycleFunction = new ServiceFunction(this, 'LifecycleFunction', {
      entry: 'functions/workflow/lifecycle.ts',
      description: 'Tasks of the change lifecycle: advance, park, record failures',
      timeout: Duration.seconds(60),
      memorySize: 512,
      environment: {
        [SETTINGS.eventBusName]: this.eventBus.eventBusName,
        [SETTINGS.alertTopicArn]: this.alertTopic.topicArn,
        [SETTINGS.noticeSender]: sender,
      },
    });
    props.table.grantTo(this.lifecycleFunction, 'readWrite');
    this.eventBus.grantPutEventsTo(this.lifecycleFunction);
    this.alertTopic.grantPublish(this.lifecycleFunction);
    const domain = sender.includes('@') ? sender.split('@')[1] : sender;
    this.lifecycleFunction.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: sender }),
        ],
      }),
    );

    const logGroup = new LogGroup(this, 'StateMachineLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stateMachine = new ChangeLifecycleWorkflow(this, 'Workflow', {
      lifecycleFunction: this.lifecycleFunction,
      logGroup,
    }).stateMachine;

    Validations.of(this.lifecycleFunction.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: "CDK's grant to publish on the KMS-encrypted alert topic; it is scoped to that topic's key.",
    });
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.lifecycleFunction.node.defaultChild as never)}.Arn>:*]`,
        reason:
          'Invoking the lifecycle function by any of its versions and aliases (CDK LambdaInvoke default).',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing and CloudWatch Logs delivery actions of Step Functions support no resource-level permissions.',
      },
    );
  }
}
