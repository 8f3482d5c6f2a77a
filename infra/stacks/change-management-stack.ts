import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ChangeApi } from '../constructs/change-api.ts';
import { ChangeTable } from '../constructs/change-table.ts';

/**
 * Everything the change-management service runs on. For now it holds the table; the API, the
 * handlers (ServiceFunction), the lifecycle state machine and the schedules are added here.
 */
export class ChangeManagementStack extends Stack {
  public readonly changeTable: ChangeTable;
  public readonly api: ChangeApi;

  public constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.changeTable = new ChangeTable(this, 'ChangeTable');
    this.api = new ChangeApi(this, 'Api', { table: this.changeTable });
  }
}
