import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ChangeTable, TABLE_NAME_ENV, type TableAccess } from '#infra/constructs/change-table.ts';
import { ServiceFunction } from '#infra/constructs/service-function.ts';
import { unacknowledgedNagFindings } from './nag.ts';

interface Statement {
  Action: string[];
  Resource: unknown[];
}

/** A throwaway stack: one ChangeTable and one ServiceFunction granted `access` to it. */
function grantedStack(access: TableAccess) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'GrantStack');
  const changeTable = new ChangeTable(stack, 'ChangeTable');
  const fn = new ServiceFunction(stack, 'Reader', { entry: 'test/unit/infra/fixtures/hello.ts' });
  changeTable.grantTo(fn, access);

  const template = Template.fromStack(stack);
  const tableId = stack.getLogicalId(changeTable.table.node.defaultChild as never);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }[];
  const dynamoStatements = policies
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
  return { stack, template, tableId, dynamoStatements };
}

describe('ChangeTable.grantTo', () => {
  it('grants read actions only for "read"', () => {
    const { dynamoStatements } = grantedStack('read');

    expect(dynamoStatements).toHaveLength(1);
    expect([...dynamoStatements[0]!.Action].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
    ]);
  });

  it('adds the item write actions for "readWrite"', () => {
    const { dynamoStatements } = grantedStack('readWrite');

    expect(dynamoStatements[0]!.Action).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ]),
    );
  });

  it('names the table and each of its three indexes, never index/*', () => {
    const { dynamoStatements, tableId } = grantedStack('readWrite');
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };

    expect(dynamoStatements[0]!.Resource).toEqual([
      tableArn,
      ...['gsi1', 'gsi2', 'gsi3'].map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] })),
    ]);
  });

  it('tells the function the table name through TABLE_NAME', () => {
    const { template, tableId } = grantedStack('read');

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [TABLE_NAME_ENV]: { Ref: tableId } } },
    });
  });

  it('leaves nothing for cdk-nag to report (no IAM5 acknowledgment needed)', () => {
    const { stack } = grantedStack('readWrite');

    expect(unacknowledgedNagFindings(stack)).toEqual([]);
  });
});
