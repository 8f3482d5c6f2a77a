import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { API_STAGE, RETRY_AFTER_SECONDS, ROUTES, type RouteGroup } from '#contract/routes.ts';
import type { ChangeTable } from './change-table.ts';
import { ServiceFunction } from './service-function.ts';

export interface ChangeApiProps {
  /** The table every handler reads and writes. */
  readonly table: ChangeTable;
  /**
   * Steady-state requests per second the stage accepts before throttling (429).
   * @default 50
   */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
  /** Extra environment for the route handlers (e.g. the state machine ARN). */
  readonly environment?: Record<string, string>;
}

/** Which table access each route group needs: the catalog only reads. */
const GROUP_ACCESS: Record<RouteGroup, 'read' | 'readWrite'> = {
  changes: 'readWrite',
  catalog: 'read',
  records: 'readWrite',
};

/** Error bodies for the answers API Gateway gives itself, in the contract's shape. */
function contractError(code: string): Record<string, string> {
  return {
    'application/json': `{"error":"${code}","message":$context.error.messageString}`,
  };
}

/**
 * The HTTP API of the contract: a REST API (stage `v1`) whose resources and methods are built from
 * the contract's route table, one Lambda per route group, and a Lambda authorizer that resolves
 * `x-api-key` to a principal. Throttled, access-logged, traced.
 */
export class ChangeApi extends Construct {
  public readonly restApi: RestApi;
  public readonly handlers: Record<RouteGroup, ServiceFunction>;
  public readonly authorizerFunction: ServiceFunction;
  public readonly accessLogGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: ChangeApiProps) {
    super(scope, id);
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: 'change-management',
      description: 'Change and maintenance management API (docs/api.md)',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE,
        throttlingRateLimit: props.rateLimit ?? 50,
        throttlingBurstLimit: props.burstLimit ?? 100,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        metricsEnabled: true,
      },
    });
    // Parameters are validated by the handlers against the contract's zod schemas; API Gateway's
    // validator only makes sure declared parameters are present.
    this.restApi.addRequestValidator('BasicValidator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    this.authorizerFunction = new ServiceFunction(this, 'Authorizer', {
      entry: 'functions/auth/authorizer.ts',
      description: 'Resolves x-api-key to a principal (ops or partner)',
      memorySize: 256,
    });
    props.table.grantTo(this.authorizerFunction, 'read');
    const authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: this.authorizerFunction,
      identitySources: [IdentitySource.header('x-api-key')],
      resultsCacheTtl: Duration.minutes(5),
    });

    const groups: RouteGroup[] = ['changes', 'catalog', 'records'];
    this.handlers = Object.fromEntries(
      groups.map((group) => {
        const fn = new ServiceFunction(this, `${group[0]?.toUpperCase()}${group.slice(1)}Handler`, {
          entry: `functions/api/${group}.ts`,
          description: `API routes of the ${group} group`,
          memorySize: 512,
          ...(props.environment ? { environment: props.environment } : {}),
        });
        props.table.grantTo(fn, GROUP_ACCESS[group]);
        return [group, fn];
      }),
    ) as Record<RouteGroup, ServiceFunction>;

    const integrations = Object.fromEntries(
      groups.map((group) => [group, new LambdaIntegration(this.handlers[group])]),
    ) as Record<RouteGroup, LambdaIntegration>;
    for (const route of ROUTES) {
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integrations[route.group], {
        authorizer,
        authorizationType: AuthorizationType.CUSTOM,
        operationName: route.id,
      });
    }

    this.protectWithWaf();
    // Partners and ops authenticate with API keys, as the contract says (x-api-key); a Cognito
    // user pool would change the contract. The authorizer resolves hashed keys to principals.
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'The contract authenticates callers by API key through a Lambda authorizer (hashed keys), not Cognito.',
    });
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway uses to write execution logs; AWS publishes no narrower policy for it.',
      });
    }

    // API Gateway's own refusals answer in the contract's error shape too.
    const gatewayResponses: [ResponseType, number, string][] = [
      [ResponseType.UNAUTHORIZED, 401, 'UNAUTHORIZED'],
      [ResponseType.ACCESS_DENIED, 403, 'FORBIDDEN'],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'NOT_FOUND'],
      [ResponseType.REQUEST_TOO_LARGE, 413, 'PAYLOAD_TOO_LARGE'],
      [ResponseType.THROTTLED, 429, 'THROTTLED'],
      [ResponseType.DEFAULT_4XX, 400, 'BAD_REQUEST'],
      [ResponseType.DEFAULT_5XX, 502, 'BAD_GATEWAY'],
    ];
    for (const [type, statusCode, code] of gatewayResponses) {
      this.restApi.addGatewayResponse(`${code}Response`, {
        type,
        statusCode: String(statusCode),
        templates: contractError(code),
      });
    }
    // The authorizer failed (not "Unauthorized": it could not check the key, e.g. the table could not be
    // reached): the caller may retry, so 503 with Retry-After rather than API Gateway's bare 500.
    for (const type of [ResponseType.AUTHORIZER_FAILURE, ResponseType.AUTHORIZER_CONFIGURATION_ERROR]) {
      this.restApi.addGatewayResponse(`${type.responseType}Response`, {
        type,
        statusCode: '503',
        templates: {
          'application/json': JSON.stringify({
            error: 'SERVICE_UNAVAILABLE',
            message: `the API key could not be checked right now; retry in ${RETRY_AFTER_SECONDS} seconds`,
          }),
        },
        responseHeaders: { 'Retry-After': `'${RETRY_AFTER_SECONDS}'` },
      });
    }
  }

  /**
   * AWS managed common rules and a per-IP rate rule in front of the stage. The common rule set's
   * 8 KB body-size rule only counts: the contract accepts bodies up to 64 KiB (the handlers refuse
   * larger ones with 413).
   */
  private protectWithWaf(): void {
    const webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'change-api',
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: 'common',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'common',
            sampledRequestsEnabled: true,
          },
        },
        {
          name: 'rate-per-ip',
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'rate-per-ip',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
  }
}
