import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOB_SCHEDULES } from '#contract/schedules.ts';
import { buildApp } from '#infra/app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('the nightly jobs in the synthesized template', () => {
  let template: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Record<string, Resource>;
  });

  const functionOfRule = (rule: Resource) => {
    const targets = rule.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[];
    return resources[targets[0]?.Arn['Fn::GetAtt'][0] as string] as Resource;
  };

  it('has one schedule rule per job and no other schedule', () => {
    const rules = Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
    );
    expect(rules).toHaveLength(JOB_SCHEDULES.length);
  });

  // The intended times, written out: after the backup night of every region (06:00 in the
  // Americas is 11:00 UTC), COP uploads twice a day, the scans before Europe's business day.
  const INTENDED = {
    'cop-uploads': 'cron(0 1,13 * * ? *)',
    'certificate-scan': 'cron(0 2 * * ? *)',
    'release-scan': 'cron(0 3 * * ? *)',
    'backup-retention': 'cron(30 11 * * ? *)',
  } as const;

  it('schedules every job at its intended time', () => {
    expect(Object.fromEntries(JOB_SCHEDULES.map((s) => [s.job, s.cron]))).toEqual(INTENDED);
  });

  it.each(Object.entries(INTENDED))(
    'runs %s on %s (UTC), targeting its own function, with retries and a dead-letter queue',
    (job, cron) => {
      const description = JOB_SCHEDULES.find((s) => s.job === job)?.description;
      const rules = Object.values(resources).filter(
        (r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression === cron,
      );
      expect(rules).toHaveLength(1);
      const rule = rules[0] as Resource;
      expect(rule.Properties.State).toBe('ENABLED');
      const target = (rule.Properties.Targets as Record<string, unknown>[])[0] as {
        RetryPolicy: { MaximumRetryAttempts: number };
        DeadLetterConfig: { Arn: unknown };
      };
      expect(target.RetryPolicy.MaximumRetryAttempts).toBe(2);
      expect(target.DeadLetterConfig.Arn).toBeDefined();
      const fn = functionOfRule(rule);
      expect(fn.Type).toBe('AWS::Lambda::Function');
      expect(fn.Properties.Description).toBe(description);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Timeout).toBe(900);
    },
  );

  it('lets only the COP job read the catalog bucket and write the SFTP bucket', () => {
    const s3Grants = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties.PolicyDocument).includes('"s3:'))
      .map(([id]) => id);
    expect(s3Grants).toHaveLength(1);
    expect(s3Grants[0]).toMatch(/^NightlyJobsCopUploadsJobRole/);
  });
});
