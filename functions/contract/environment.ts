/**
 * The environment contract between the stack and the functions: the settings a Lambda is given as
 * environment variables, and which of them each Lambda needs. The CDK app sets them
 * (infra/constructs/), the configuration module validates them when a Lambda starts
 * (functions/config.ts), and a test holds the two together (test/unit/infra/environment.test.ts).
 */
import type { RouteGroup } from './routes.ts';
import type { JobName } from './schedules.ts';

/** The service every function logs as (Powertools' `service` key), set as POWERTOOLS_SERVICE_NAME too. */
export const SERVICE_NAME = 'change-management';

export const SETTINGS = {
  /** The single table (infra/table-schema.ts). */
  tableName: 'TABLE_NAME',
  /** The verified SES identity notices are sent from. */
  noticeSender: 'NOTICE_SENDER',
  /** The lifecycle state machine the API and the scans start executions of. */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** The EventBridge bus lifecycle events are published on. */
  eventBusName: 'EVENT_BUS_NAME',
  /** The SNS topic alerts page people through. */
  alertTopicArn: 'ALERT_TOPIC_ARN',
  /** The bucket of COP files the provider offers (`catalog/<file>`). */
  copCatalogBucket: 'COP_CATALOG_BUCKET',
  /** The customers' SFTP store behind AWS Transfer Family (`<customerId>/cop/<file>`). */
  copSftpBucket: 'COP_SFTP_BUCKET',
  /** The SES configuration set notices are sent with, so bounces and complaints are alarmed (none locally). */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** A JSON override of the operating policy (functions/core/policy.ts); absent: the defaults. */
  policy: 'POLICY',
} as const;
export type Setting = keyof typeof SETTINGS;

/** Where notices come from unless the deployment names its own verified identity. */
export const DEFAULT_NOTICE_SENDER = 'maintenance@calling.example';

/** Every Lambda of the stack, by the name its entry file passes to the wiring. */
export type LambdaName = 'authorizer' | `${RouteGroup}-api` | 'lifecycle' | JobName;

/**
 * The settings each Lambda cannot start without (optional ones, such as `policy` and
 * `noticeSender`, have defaults). A Lambda given fewer stops at its first invocation, naming them.
 */
export const REQUIRED_SETTINGS: Record<LambdaName, readonly Setting[]> = {
  authorizer: ['tableName'],
  'catalog-api': ['tableName'],
  'records-api': ['tableName'],
  'changes-api': ['tableName', 'stateMachineArn', 'eventBusName'],
  lifecycle: ['tableName', 'eventBusName', 'alertTopicArn'],
  'backup-retention': ['tableName', 'alertTopicArn'],
  'cop-uploads': [
    'tableName',
    'stateMachineArn',
    'eventBusName',
    'alertTopicArn',
    'copCatalogBucket',
    'copSftpBucket',
  ],
  'certificate-scan': ['tableName', 'stateMachineArn', 'eventBusName', 'alertTopicArn'],
  'release-scan': ['tableName', 'stateMachineArn', 'eventBusName', 'alertTopicArn'],
};
