import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { AssetHashType, AssetStaging, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '#contract/environment.ts';
import { BUNDLE_FILE } from '#infra/bundling.ts';
import { fromRepoRoot, REPO_ROOT } from '#infra/paths.ts';

export { ESM_REQUIRE_BANNER } from '#infra/bundling.ts';

/**
 * The bundle of `entry`, built on this machine by scripts/bundle-lambda.ts with the options of
 * infra/bundling.ts (esbuild's API, with the plugin the CLI behind CDK's NodejsFunction cannot take),
 * hashed by its output. With bundling skipped (`aws:cdk:bundling-stacks: []`, the tests) CDK never
 * calls it.
 */
function bundledCode(entry: string): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: bundling always runs locally (tryBundle answers true or throws).
      image: DockerImage.fromRegistry('dummy'),
      // Never run either; but CDK keys its per-synth cache of bundles by these options (not by the
      // local hook), so the entry must be part of them or every function would get the first bundle.
      command: ['scripts/bundle-lambda.ts', entry, AssetStaging.BUNDLING_OUTPUT_DIR],
      local: {
        tryBundle(outputDir) {
          const result = spawnSync(
            process.execPath,
            ['--import', 'tsx', fromRepoRoot('scripts/bundle-lambda.ts'), entry, outputDir],
            { cwd: REPO_ROOT, stdio: 'inherit' },
          );
          if (result.status !== 0) {
            throw new Error(`bundling ${entry} failed (${result.error?.message ?? `exit ${result.status}`})`);
          }
          return true;
        },
      },
    },
  });
}

export interface ServiceFunctionProps {
  /** Handler file, absolute or relative to the repository root; it must export `handler`. */
  readonly entry: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Merged over the defaults (`NODE_OPTIONS`, `POWERTOOLS_SERVICE_NAME`); these values win. */
  readonly environment?: Record<string, string>;
  /** @default - none */
  readonly description?: string;
}

/**
 * A Lambda function with the defaults every handler of this service shares: Node.js 24 on arm64,
 * X-Ray active tracing, its own log group kept one month, source maps, and a local esbuild ESM bundle
 * (infra/bundling.ts).
 *
 * The role is built here rather than by `lambda.Function`, which would attach the AWS-managed
 * `AWSLambdaBasicExecutionRole` (logs on `*`; cdk-nag IAM4): this role may write to its own log group
 * only. The log group and the role are siblings of the function (`<id>LogGroup`, `<id>Role`) because
 * they must exist before `super()` runs.
 */
export class ServiceFunction extends LambdaFunction {
  /** The handler file, relative to the repository root (what bench/cold-start.ts bundles). */
  public readonly entry: string;

  public constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, { retention: RetentionDays.ONE_MONTH });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
      // X-Ray write actions support no resource-level permissions, so they need `Resource: *`.
      // They live in the role's inline policy, apart from the grants that later land in the role's
      // DefaultPolicy, so the IAM5 acknowledgment below covers these two actions and nothing else.
      inlinePolicies: {
        XRayTracing: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    Validations.of(role.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Inline policy XRayTracing holds only xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });

    const entry = relative(REPO_ROOT, fromRepoRoot(props.entry));
    super(scope, id, {
      code: bundledCode(entry),
      handler: `${BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      // Tracing is switched on below on the L1, not with `tracing: Tracing.ACTIVE`: that prop would
      // also add the X-Ray statement to the DefaultPolicy, where acknowledging IAM5[Resource::*]
      // would hide any later wildcard grant on the same role.
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        ...props.environment,
      },
    });
    this.entry = entry;

    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: Tracing.ACTIVE };
    logGroup.grantWrite(role);
  }
}
