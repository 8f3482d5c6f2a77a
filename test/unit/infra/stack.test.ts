import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { createTableRequest, TABLE_SCHEMA } from '#infra/table-schema.ts';
import { unacknowledgedNagFindings, wildcardResourceActions } from './nag.ts';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function synthesizedStack() {
  const { app, stack } = buildApp({ context: SKIP_BUNDLING });
  const template = Template.fromStack(stack);
  const tables = template.findResources('AWS::DynamoDB::Table');
  const [tableResource] = Object.values(tables) as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  }[];
  return { app, stack, template, tables, table: tableResource! };
}

describe('ChangeManagementStack', () => {
  describe('the change table', () => {
    const expected = createTableRequest('unused');
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
      a.AttributeName.localeCompare(b.AttributeName);
    let template: Template;
    let tables: Record<string, unknown>;
    let table: ReturnType<typeof synthesizedStack>['table'];

    beforeAll(() => {
      // Synthesis is the slow part: once for the whole group.
      ({ template, tables, table } = synthesizedStack());
    });

    it('is the only table', () => {
      expect(Object.keys(tables)).toHaveLength(1);
    });

    it('keys items by the string pk/sk of TABLE_SCHEMA', () => {
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ]);
      expect(
        [...(table.Properties.AttributeDefinitions as { AttributeName: string }[])].sort(byName),
      ).toEqual([...expected.AttributeDefinitions].sort(byName));
    });

    it('has the three GSIs of TABLE_SCHEMA, each projecting ALL (same shape the local runtime creates)', () => {
      expect(table.Properties.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
      expect(
        (table.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).map((g) => g.IndexName),
      ).toEqual(['gsi1', 'gsi2', 'gsi3']);
    });

    it('expires items by the TTL attribute', () => {
      expect(table.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: TABLE_SCHEMA.timeToLiveAttribute,
        Enabled: true,
      });
    });

    it('bills on demand, keeps point-in-time recovery, and is protected from deletion', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    it('is encrypted with the AWS-managed KMS key', () => {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    });

    it('is retained when the stack is deleted or the table replaced', () => {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it('finds nothing unacknowledged', () => {
      const { app } = buildApp({ context: SKIP_BUNDLING });

      expect(unacknowledgedNagFindings(app)).toEqual([]);
    });

    it('lets the app synthesize with the pack registered as a validation plugin', () => {
      const { app } = buildApp({ context: SKIP_BUNDLING });

      expect(() => app.synth()).not.toThrow();
    });

    it('reports a table without point-in-time recovery and fails synthesis (the check is live)', () => {
      const { app, stack } = buildApp({ context: SKIP_BUNDLING });
      const cfnTable = stack.changeTable.table.node.defaultChild as CfnTable;
      cfnTable.pointInTimeRecoverySpecification = undefined;

      expect(unacknowledgedNagFindings(app)).toEqual([
        'warning AwsSolutions-DDB3 at ChangeManagementStack/ChangeTable/Table/Resource',
      ]);
      expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
    });
  });

  it('grants no wildcard resource except X-Ray tracing and Step Functions log delivery', () => {
    const { template } = synthesizedStack();
    // Neither family supports resource-level permissions (cdk-nag acknowledgments say so too).
    const logDelivery = new Set([
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);

    for (const actions of wildcardResourceActions(template.toJSON())) {
      expect(actions.filter((action) => !action.startsWith('xray:') && !logDelivery.has(action))).toEqual([]);
    }
  });
});
