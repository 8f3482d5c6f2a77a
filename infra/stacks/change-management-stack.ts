import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ChangeApi } from '../constructs/change-api.ts';
import { ChangeLifecycle } from '../constructs/change-lifecycle.ts';
import { ChangeTable } from '../constructs/change-table.ts';

/**
 * Everything the change-management service runs on. For now it holds the table; the API, the
 * handlers (ServiceFunction), the lifecycle state machine and the schedules are added here.
 */
export class ChangeManagementStack extends Stack {
  public readonly changeTable: ChangeTable;
  public readonly api: ChangeApi;
  public readonly lifecycle: ChangeLifecycle;

  public constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.changeTable = new ChangeTable(this, 'ChangeTable');
    this.lifecycle = new ChangeLifecycle(this, 'Lifecycle', {
      table: this.changeTable,
      noticeSender: this.node.tryGetContext('noticeSender'),
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
