/**
 * The environment contract held from both sides: every Lambda of the stack is given each setting the
 * configuration module requires of it (functions/contract/environment.ts), so none stops at its first
 * invocation for want of one; and the configuration module accepts what the stack gives.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#config';
import { type LambdaName, REQUIRED_SETTINGS, SETTINGS } from '#contract/environment.ts';
import type { RouteGroup } from '#contract/routes.ts';
import { JOB_NAMES } from '#contract/schedules.ts';
import { buildApp } from '#infra/app.ts';
import type { ServiceFunction } from '#infra/constructs/service-function.ts';

type Environment = Record<string, unknown>;

let lambdas: Map<LambdaName, Environment>;
let functionsInTemplate: string[];

beforeAll(() => {
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Environment } } }>;
  };
  const environmentOf = (fn: ServiceFunction): Environment => {
    const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    return template.Resources[id]?.Properties.Environment?.Variables ?? {};
  };
  const groups: RouteGroup[] = ['changes', 'catalog', 'records'];
  lambdas = new Map<LambdaName, Environment>([
    ['authorizer', environmentOf(stack.api.authorizerFunction)],
    ...groups.map((group) => [`${group}-api`, environmentOf(stack.api.handlers[group])] as const),
    ['lifecycle', environmentOf(stack.lifecycle.lifecycleFunction)],
    ...JOB_NAMES.map((job) => [job, environmentOf(stack.jobs.functions[job])] as const),
  ]);
  functionsInTemplate = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id]) => id);
});

describe('the environment each Lambda is given', () => {
  it('covers every Lambda the contract names, and the stack has no other function', () => {
    expect([...lambdas.keys()].sort()).toEqual(Object.keys(REQUIRED_SETTINGS).sort());
    expect(functionsInTemplate).toHaveLength(lambdas.size);
  });

  it.each(Object.entries(REQUIRED_SETTINGS))('%s is given every setting it requires', (lambda, settings) => {
    const environment = lambdas.get(lambda as LambdaName) ?? {};
    for (const setting of settings) expect(environment, SETTINGS[setting]).toHaveProperty(SETTINGS[setting]);
  });

  it.each(Object.keys(REQUIRED_SETTINGS))('%s starts with what it is given', (lambda) => {
    // CloudFormation references stand for names and ARNs known only at deploy time.
    const environment = Object.fromEntries(
      Object.entries(lambdas.get(lambda as LambdaName) ?? {}).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : `resolved-${name.toLowerCase()}`,
      ]),
    );
    expect(() => loadConfig(lambda as LambdaName, environment)).not.toThrow();
  });
});
