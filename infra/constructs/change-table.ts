import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SETTINGS } from '#contract/environment.ts';
import { TABLE_SCHEMA } from '#infra/table-schema.ts';

/** Environment variable through which a bound function learns the table's name. */
export const TABLE_NAME_ENV = SETTINGS.tableName;

/** How much of the table a function may touch. */
export type TableAccess = 'read' | 'readWrite';

/**
 * Item-level actions only: no table management, no streams, no `*`.
 * TransactGetItems/TransactWriteItems are not IAM actions; DynamoDB authorises each item of a
 * transaction by the actions below (GetItem, PutItem, UpdateItem, DeleteItem, ConditionCheckItem).
 */
const READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

export interface ChangeTableProps {
  /**
   * What happens to the table when the stack is deleted or the table is replaced.
   * @default RemovalPolicy.RETAIN (change history is the system of record)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one DynamoDB table of the single-table design, built from {@link TABLE_SCHEMA}:
 * string keys `pk`/`sk`, three GSIs projecting ALL attributes, TTL, on-demand billing,
 * point-in-time recovery, deletion protection and encryption with the AWS-managed KMS key.
 *
 * `dynamodb.Table` rather than `TableV2`: TableV2 synthesizes `AWS::DynamoDB::GlobalTable`, which
 * cdk-nag's AwsSolutions pack does not inspect (its PITR rule, DDB3, only looks at
 * `AWS::DynamoDB::Table`), so with TableV2 a missing PITR would pass unnoticed.
 */
export class ChangeTable extends Construct {
  public readonly table: Table;

  public constructor(scope: Construct, id: string, props: ChangeTableProps = {}) {
    super(scope, id);

    const { partitionKey, sortKey, timeToLiveAttribute, globalSecondaryIndexes } = TABLE_SCHEMA;

    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    for (const gsi of globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /**
   * Grants `grantee` item access to the table and its three indexes, and, when the grantee is a
   * Lambda function, sets `TABLE_NAME` in its environment.
   *
   * The policy names each index ARN instead of the `table/index/*` wildcard that
   * `Table.grantReadData` writes, so no cdk-nag IAM5 acknowledgment is needed.
   */
  public grantTo(grantee: IGrantable, access: TableAccess): Grant {
    if (grantee instanceof LambdaFunction) {
      grantee.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
    }
    const actions = access === 'readWrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS;
    const indexArns = TABLE_SCHEMA.globalSecondaryIndexes.map(
      (gsi) => `${this.table.tableArn}/index/${gsi.indexName}`,
    );
    return Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.table.tableArn, ...indexArns],
    });
  }
}
