import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAME } from '#contract/environment.ts';
import { ESM_REQUIRE_BANNER, ServiceFunction } from '#infra/constructs/service-function.ts';
import { unacknowledgedNagFindings, wildcardResourceActions } from './nag.ts';

const FIXTURE = 'test/unit/infra/fixtures/hello.ts';

/** A throwaway stack holding one ServiceFunction; bundling is skipped unless `bundle` is set. */
function stackWithFunction(options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new Stack(app, 'FunctionTestStack');
  const fn = new ServiceFunction(stack, 'Hello', { entry: FIXTURE, description: 'says hello' });
  return { app, stack, fn };
}

describe('ServiceFunction', () => {
  describe('defaults', () => {
    const { stack } = stackWithFunction();
    const template = Template.fromStack(stack);

    it('runs Node.js 24 on arm64 with 256 MB and a 10 s timeout', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 10,
        Handler: 'index.handler',
        Description: 'says hello',
      });
    });

    it('traces with X-Ray in active mode', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    });

    it('logs to its own log group, kept for one month', () => {
      const logGroups = template.findResources('AWS::Logs::LogGroup');
      expect(Object.values(logGroups)).toEqual([
        expect.objectContaining({ Properties: { RetentionInDays: 30 } }),
      ]);
      const [logGroupId] = Object.keys(logGroups);
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: { Ref: logGroupId } },
      });
      // No Custom::LogRetention Lambda (the deprecated logRetention prop).
      template.resourceCountIs('Custom::LogRetention', 0);
    });

    it('enables source maps and names the Powertools service', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: SERVICE_NAME },
        },
      });
    });

    it('may write only to its own log group, with no AWS-managed policy', () => {
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloLogGroup'), 'Arn'] },
            },
          ],
        },
      });
    });

    it('grants Resource "*" only to the X-Ray trace actions', () => {
      expect(wildcardResourceActions(template.toJSON())).toEqual([
        ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      ]);
    });

    it('passes cdk-nag AwsSolutions (X-Ray wildcard acknowledged on the inline policy only)', () => {
      expect(unacknowledgedNagFindings(stack)).toEqual([]);
    });
  });

  it('still lets cdk-nag report a wildcard grant added later to the role', () => {
    const { stack, fn } = stackWithFunction();
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: ['*'] }));

    expect(unacknowledgedNagFindings(stack)).toEqual([
      'error AwsSolutions-IAM5[Resource::*] at FunctionTestStack/HelloRole/DefaultPolicy/Resource',
    ]);
  });

  it('takes memory, timeout and extra environment from props', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PropsStack');
    new ServiceFunction(stack, 'Tuned', {
      entry: FIXTURE,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: { POWERTOOLS_SERVICE_NAME: 'other', EXTRA: 'yes' },
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 30,
      Environment: {
        Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'other', EXTRA: 'yes' },
      },
    });
  });

  it('bundles locally with esbuild into minified ESM with the createRequire banner and a source map', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'service-function-'));
    try {
      const { app } = stackWithFunction({ bundle: true, outdir });
      const assembly = app.synth();

      const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
      expect(assetDirs).toHaveLength(1);
      const assetDir = join(assembly.directory, assetDirs[0]!);
      const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(bundle).toContain('hello');
      expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('gives each function the bundle of its own entry', () => {
    // Prepare: two functions in one app (CDK caches bundles per synth by their bundling options).
    const outdir = mkdtempSync(join(tmpdir(), 'service-function-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'TwoFunctionsStack');
      new ServiceFunction(stack, 'Hello', { entry: FIXTURE });
      new ServiceFunction(stack, 'Goodbye', { entry: 'test/unit/infra/fixtures/goodbye.ts' });

      // Act
      const assembly = app.synth();

      // Assess
      const bundles = readdirSync(assembly.directory)
        .filter((name) => name.startsWith('asset.'))
        .map((name) => readFileSync(join(assembly.directory, name, 'index.mjs'), 'utf8'));
      expect(bundles).toHaveLength(2);
      expect(bundles.filter((b) => b.includes('goodbye'))).toHaveLength(1);
      expect(bundles.filter((b) => b.includes('hello'))).toHaveLength(1);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
