import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ChangeApi } from '#infra/constructs/change-api.ts';
import { ChangeLifecycle } from '#infra/constructs/change-lifecycle.ts';
import { ChangeTable } from '#infra/constructs/change-table.ts';
import { NightlyJobs } from '#infra/constructs/nightly-jobs.ts';

/**
 * Everything the change-management service runs on. For now it holds the table; the API, the
 * handlers (ServiceFunction), the lifecycle state machine and the schedules are added here.
 */
export class ChangeManagementStack extends Stack {
  public readonly changeTable: ChangeTable;
  public readonly api: ChangeApi;
  public readonly lifecycle: ChangeLifecycle;
  public readonly jobs: NightlyJobs;

  public constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.changeTable = new ChangeTable(this, 'ChangeTable');
    const noticeSender: string = this.node.tryGetContext('noticeSender') ?? 'maintenance@calling.example';
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
        STATE_MACHINE_ARN: this.lifecycle.stateMachine.stateMachineArn,
        EVENT_BUS_NAME: this.lifecycle.eventBus.eventBusName,
      },
    });
    // The change routes start lifecycles, wake parked ones, and publish lifecycle events.
    const changes = this.api.handlers.changes;
    this.lifecycle.stateMachine.grantStartExecution(changes);
    this.lifecycle.stateMachine.grantTaskResponse(changes);
    this.lifecycle.eventBus.grantPutEventsTo(changes);
  }
}
