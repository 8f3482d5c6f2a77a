import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_NOTICE_SENDER, SETTINGS } from '#contract/environment.ts';
import { OperationalAlarms } from '#infra/constructs/alarms.ts';
import { ChangeApi } from '#infra/constructs/change-api.ts';
import { ChangeLifecycle } from '#infra/constructs/change-lifecycle.ts';
import { ChangeTable } from '#infra/constructs/change-table.ts';
import { NightlyJobs } from '#infra/constructs/nightly-jobs.ts';
import { ServiceFunction } from '#infra/constructs/service-function.ts';

/**
 * Everything the change-management service runs on. For now it holds the table; the API, the
 * handlers (ServiceFunction), the lifecycle state machine and the schedules are added here.
 */
export class ChangeManagementStack extends Stack {
  public readonly changeTable: ChangeTable;
  public readonly api: ChangeApi;
  public readonly lifecycle: ChangeLifecycle;
  public readonly jobs: NightlyJobs;
  public readonly alarms: OperationalAlarms;

  public constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.changeTable = new ChangeTable(this, 'ChangeTable');
    const noticeSender: string = this.node.tryGetContext('noticeSender') ?? DEFAULT_NOTICE_SENDER;
    this.lifecycle = new ChangeLifecycle(this, 'Lifecycle', { table: this.changeTable, noticeSender });
    this.jobs = new NightlyJobs(this, 'NightlyJobs', {
      table: this.changeTable,
      stateMachine: this.lifecycle.stateMachine,
      eventBus: this.lifecycle.eventBus,
      alertTopic: this.lifecycle.alertTopic,
      noticeSender,
    });
    this.api = new ChangeApi(this, 'Api', {
      table: this.changeTable,
      environment: {
        [SETTINGS.stateMachineArn]: this.lifecycle.stateMachine.stateMachineArn,
        [SETTINGS.eventBusName]: this.lifecycle.eventBus.eventBusName,
      },
    });
    // The change routes start lifecycles, wake parked ones, and publish lifecycle events.
    const changes = this.api.handlers.changes;
    this.lifecycle.stateMachine.grantStartExecution(changes);
    this.lifecycle.stateMachine.grantTaskResponse(changes);
    this.lifecycle.eventBus.grantPutEventsTo(changes);

    // Last, so that every function above is watched.
    this.alarms = new OperationalAlarms(this, 'Alarms', { alertTopic: this.lifecycle.alertTopic });
    this.alarms.watchDeadLetterQueue(
      'NightlyJobsDeadLetters',
      this.jobs.deadLetterQueue,
      "The nightly jobs' dead-letter queue",
    );
    this.alarms.watchStateMachine('Lifecycle', this.lifecycle.stateMachine);
    // Two functions fail invocations by design, so one failure is not news there:
    // - the lifecycle function when SES refuses a notice: the state machine retries it three times, then
    //   records it and raises its own P2; one notice that cannot be sent is four errors;
    // - the authorizer for every unknown key (API Gateway's "Unauthorized" convention); a burst of them is
    //   a scan, a client with a revoked key, or the directory unreachable.
    const errorThresholds = new Map<ServiceFunction, number>([
      [this.lifecycle.lifecycleFunction, 5],
      [this.api.authorizerFunction, 25],
    ]);
    for (const fn of this.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction)) {
      this.alarms.watchFunction(fn, { errorThreshold: errorThresholds.get(fn) ?? 1 });
    }
    for (const [job, fn] of Object.entries(this.jobs.functions))
      this.alarms.watchJobCrashes(job, fn.logGroup);
    // The functions that mail partners send with the configuration set whose bounces are alarmed.
    this.alarms.sendsMail(this.lifecycle.lifecycleFunction);
    this.alarms.sendsMail(this.jobs.functions['cop-uploads']);
  }
}
