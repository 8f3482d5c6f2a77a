import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '#contract/environment.ts';
import { fromRepoRoot, REPO_ROOT } from '#infra/paths.ts';

/**
 * Prepended to every ESM bundle: esbuild's ESM output has no `require`, yet bundled CommonJS
 * dependencies call it (toolchain.md gotcha 5). The import is aliased so it cannot clash with a
 * `createRequire` that esbuild itself hoists from a bundled dependency (esbuild does not see the banner).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bannerCreateRequire } from 'module'; const require = __bannerCreateRequire(import.meta.url);";

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
 * X-Ray active tracing, its own log group kept one month, source maps, and a local esbuild ESM bundle.
 *
 * The role is built here rather than by `lambda.Function`, which would attach the AWS-managed
 * `AWSLambdaBasicExecutionRole` (logs on `*`; cdk-nag IAM4): this role may write to its own log group
 * only. The log group and the role are siblings of the function (`<id>LogGroup`, `<id>Role`) because
 * they must exist before `super()` runs.
 */
export class ServiceFunction extends NodejsFunction {
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

    super(scope, id, {
      entry: fromRepoRoot(props.entry),
      handler: 'handler',
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
      projectRoot: REPO_ROOT,
      depsLockFilePath: fromRepoRoot('package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // Mappings suffice for --enable-source-maps stack traces; embedding sources only adds size.
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // The AWS SDK v3 is bundled, not taken from the runtime: the bundle then runs the exact
        // @aws-sdk versions pinned in package-lock.json and exercised by the tests (the runtime's copy
        // changes with runtime patches), and esbuild keeps only the clients we import, which loads
        // faster than the runtime's full SDK.
        externalModules: [],
      },
    });

    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: Tracing.ACTIVE };
    logGroup.grantWrite(role);
  }
}
