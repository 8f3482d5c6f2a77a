/**
 * The lifecycle of one change as a Step Functions state machine (Standard; one execution per
 * change, named after it). The definition is deliberately small: a loop of
 *
 *   Advance (do what the change needs now) -> Choice -> Park (wait for a decision or a moment) -> Advance
 *
 * All rules live in the Advance Lambda (functions/core/lifecycle.ts decides); the machine brings
 * durability, waiting for weeks, retries with back-off and the catches. Partner and ops decisions
 * reach a parked execution only through the authenticated API, which resumes the stored task token.
 * The same definition runs locally (local/workflow/).
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** State names: read as the sentence of what happens there (also the keys of local bindings). */
export const STATES = {
  advance: 'Do what the change needs now',
  choose: 'Wait, or is the lifecycle over?',
  park: 'Wait for a decision or the next moment',
  recordNotificationFailure: 'Record the notice that could not be delivered',
  recordLifecycleFailure: 'Alert ops that the lifecycle failed',
  done: 'Lifecycle complete',
  failed: 'Lifecycle failed',
} as const;

/** Errors the Lambda raises by name (functions/app/lifecycle/notification-delivery-error.ts, functions/app/ports.ts). */
export const ERRORS = {
  notificationDelivery: 'NotificationDeliveryError',
  changeMoved: 'ChangeMovedError',
  timeout: 'States.Timeout',
  all: 'States.ALL',
} as const;

/** JSONPath of the machine's data: `{ changeId, next: { step, result: <advance result> }, error? }`. */
const PATH = {
  changeId: '$.changeId',
  next: '$.next',
  step: '$.next.step',
  parkVersion: '$.next.result.version',
  parkPhase: '$.next.result.phase',
  parkUntil: '$.next.result.until',
  parkSeconds: '$.next.result.seconds',
  error: '$.error',
} as const;

export interface ChangeLifecycleWorkflowProps {
  /** The Lambda with the lifecycle actions (functions/workflow/lifecycle.ts). */
  readonly lifecycleFunction: IFunction;
  /** Where the state machine logs its executions. */
  readonly logGroup: ILogGroup;
  /**
   * First retry interval of a notice send; doubled on each of the three retries.
   * @default Duration.seconds(1)
   */
  readonly noticeRetryInterval?: Duration;
}

export class ChangeLifecycleWorkflow extends Construct {
  public readonly stateMachine: StateMachine;

  public constructor(scope: Construct, id: string, props: ChangeLifecycleWorkflowProps) {
    super(scope, id);
    const fn = props.lifecycleFunction;
    const failed = new Fail(this, STATES.failed, {
      error: 'LifecycleFailed',
      cause: 'see the P1 alert and the logs',
    });
    const done = new Succeed(this, STATES.done);

    const recordLifecycleFailure = new LambdaInvoke(this, STATES.recordLifecycleFailure, {
      lambdaFunction: fn,
      payload: TaskInput.fromObject({
        action: 'record-lifecycle-failure',
        changeId: JsonPath.stringAt(PATH.changeId),
        error: JsonPath.objectAt(PATH.error),
      }),
      resultPath: JsonPath.DISCARD,
    });
    recordLifecycleFailure.addRetry({
      errors: [ERRORS.all],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    recordLifecycleFailure.next(failed);

    const advance = new LambdaInvoke(this, STATES.advance, {
      lambdaFunction: fn,
      payload: TaskInput.fromObject({ action: 'advance', changeId: JsonPath.stringAt(PATH.changeId) }),
      resultSelector: { 'step.$': '$.Payload.step', 'result.$': '$.Payload' },
      resultPath: PATH.next,
    });
    // SES hiccups: three more tries, 1 s, 2 s, 4 s apart; then the failure is recorded and we go on.
    advance.addRetry({
      errors: [ERRORS.notificationDelivery],
      interval: props.noticeRetryInterval ?? Duration.seconds(1),
      maxAttempts: 3,
      backoffRate: 2,
    });
    advance.addRetry({ errors: [ERRORS.all], interval: Duration.seconds(2), maxAttempts: 4, backoffRate: 2 });

    const recordNotificationFailure = new LambdaInvoke(this, STATES.recordNotificationFailure, {
      lambdaFunction: fn,
      payload: TaskInput.fromObject({
        action: 'record-notification-failure',
        changeId: JsonPath.stringAt(PATH.changeId),
        error: JsonPath.objectAt(PATH.error),
      }),
      resultPath: JsonPath.DISCARD,
    });
    recordNotificationFailure.addRetry({
      errors: [ERRORS.all],
      interval: Duration.seconds(2),
      maxAttempts: 4,
      backoffRate: 2,
    });
    recordNotificationFailure.addCatch(recordLifecycleFailure, {
      errors: [ERRORS.all],
      resultPath: PATH.error,
    });
    recordNotificationFailure.next(advance);

    advance.addCatch(recordNotificationFailure, {
      errors: [ERRORS.notificationDelivery],
      resultPath: PATH.error,
    });
    advance.addCatch(recordLifecycleFailure, { errors: [ERRORS.all], resultPath: PATH.error });

    // The callback wait: the Lambda stores the task token on the change and returns; the execution
    // waits until the API resumes the token (a decision) or the moment `advance` named arrives.
    const park = new LambdaInvoke(this, STATES.park, {
      lambdaFunction: fn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        action: 'park',
        changeId: JsonPath.stringAt(PATH.changeId),
        version: JsonPath.numberAt(PATH.parkVersion),
        phase: JsonPath.stringAt(PATH.parkPhase),
        until: JsonPath.stringAt(PATH.parkUntil),
        taskToken: JsonPath.taskToken,
      }),
      taskTimeout: Timeout.at(PATH.parkSeconds),
      resultPath: JsonPath.DISCARD,
    });
    // Order matters: the first retrier that matches wins, and these two are answers, not failures.
    park.addRetry({ errors: [ERRORS.timeout, ERRORS.changeMoved], maxAttempts: 0 });
    park.addRetry({ errors: [ERRORS.all], interval: Duration.seconds(2), maxAttempts: 4, backoffRate: 2 });
    // The moment came, or the change moved before the token was stored: look again.
    park.addCatch(advance, { errors: [ERRORS.timeout, ERRORS.changeMoved], resultPath: JsonPath.DISCARD });
    park.addCatch(recordLifecycleFailure, { errors: [ERRORS.all], resultPath: PATH.error });
    park.next(advance);

    const choose = new Choice(this, STATES.choose)
      .when(Condition.stringEquals(PATH.step, 'park'), park)
      .otherwise(done);
    advance.next(choose);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(advance),
      comment: 'The lifecycle of one change: notice, reply, reschedule, reminders, start, outcome.',
      tracingEnabled: true,
      logs: { destination: props.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
  }
}
