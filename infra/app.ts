import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceFunction } from '#infra/constructs/service-function.ts';
import { ChangeManagementStack } from '#infra/stacks/change-management-stack.ts';
import { fromRepoRoot } from './paths.ts';

export const STACK_NAME = 'ChangeManagementStack';

export interface BuildAppOptions {
  /**
   * Context laid over cdk.json's, e.g. `{ 'aws:cdk:bundling-stacks': [] }` so tests skip esbuild,
   * or `{ account: '123456789012', region: 'eu-central-1' }` to pin the stack's environment.
   */
  readonly context?: Record<string, unknown>;
  /** @default - a temporary directory (the CLI passes its own through CDK_OUTDIR) */
  readonly outdir?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: ChangeManagementStack;
}

/**
 * Builds the CDK app: the stack, and cdk-nag's AwsSolutions pack as a policy-validation plugin
 * (any unacknowledged finding, warning or error, fails synthesis).
 * Tests call this too; cdk.json's context (feature flags) is read here so they see the same flags as `cdk synth`.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new ChangeManagementStack(app, STACK_NAME, {
    description: 'Change and maintenance management: windows, notices, reschedules, emergencies.',
    env: environmentFromContext(app),
  });
  Tags.of(app).add('app', 'change-maintenance-manager');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/** Every Lambda of the app: its construct path and its handler file (for the bundle size check and bench). */
export function lambdaEntries(): { path: string; entry: string }[] {
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  return stack.node
    .findAll()
    .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
    .map((fn) => ({ path: fn.node.path, entry: fn.entry }));
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(fromRepoRoot('cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * An explicit environment only when both `account` and `region` are given as context
 * (`cdk synth -c account=… -c region=…`); otherwise the stack is environment-agnostic, so synth
 * needs no credentials.
 */
function environmentFromContext(app: App): Environment | undefined {
  const account: unknown = app.node.tryGetContext('account');
  const region: unknown = app.node.tryGetContext('region');
  return typeof account === 'string' && typeof region === 'string' ? { account, region } : undefined;
}

const runAsEntryPoint =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsEntryPoint) {
  buildApp().app.synth();
}
