/**
 * The composition root in AWS: which adapter implements each port, over which client, with which
 * setting, written once here, as groups of ports by the AWS service they use. A Lambda's entry file
 * names the groups it needs (`awsPorts('lifecycle', dynamoDb, ses, eventBridge, sns)`): the type
 * checker holds them to what its use cases take, and esbuild bundles only those adapters and clients
 * (every group in every Lambda would make the authorizer three times its size, and slower to start).
 *
 * The ports (and their clients) are built from the Lambda's validated configuration on its first
 * invocation, once, and kept for the warm ones. (The local runtime and the tests
 * wire the same adapters in local/wiring.ts.)
 */
import {
  dynamoDbDocuments,
  eventBridgeClient,
  s3Client,
  sesClient,
  sfnClient,
  snsClient,
} from '#adapters/aws-clients.ts';
import { dynamoStores } from '#adapters/dynamodb/stores.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3CopFileStore } from '#adapters/s3-cop-files.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { StepFunctionsWorkflow } from '#adapters/sfn-workflow.ts';
import { SnsPager } from '#adapters/sns-pager.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import type { Ports } from '#app/ports.ts';
import { type Config, ConfigurationError, loadConfig } from '#config';
import { type LambdaName, SETTINGS, type Setting } from '#contract/environment.ts';
import { DEFAULT_POLICY, type PolicyInput, parsePolicy } from '#core/policy.ts';

/** What every Lambda gets: the notice sender and fresh ids. */
export type BasePorts = Pick<Ports, 'noticeSender' | 'ids'>;

/** Ports wired together over one AWS service (and its client), from the configuration. */
export type PortGroup<K extends keyof Ports> = (config: Config) => Pick<Ports, K>;

type AnyGroup = (config: Config) => Partial<Ports>;
/** The names of the ports a group wires (distributed over a union of groups). */
type KeysOf<Group> = Group extends AnyGroup ? keyof ReturnType<Group> & keyof Ports : never;
/** The ports some groups wire. */
export type PortsOf<Groups extends readonly AnyGroup[]> = BasePorts & Pick<Ports, KeysOf<Groups[number]>>;

/** A setting a port needs; its absence is named (the Lambda's REQUIRED_SETTINGS should have caught it). */
function required(config: Config, setting: Setting & keyof Config): string {
  const value = config[setting];
  if (typeof value !== 'string') throw new ConfigurationError(`${SETTINGS[setting]} is not set`);
  return value;
}

/** The operating policy (the defaults, or the deployment's POLICY, validated here) and the real clock. */
export const rules: PortGroup<'policy' | 'clock'> = (config) => {
  let policy = DEFAULT_POLICY;
  if (config.policyOverride !== undefined) {
    try {
      policy = parsePolicy(config.policyOverride as PolicyInput);
    } catch (error) {
      throw new ConfigurationError(`${SETTINGS.policy} is not a valid policy: ${(error as Error).message}`);
    }
  }
  return { policy, clock: systemClock };
};

/** Everything kept in the single table. */
export const dynamoDb: PortGroup<
  | 'changes'
  | 'waitTokens'
  | 'noticeLedger'
  | 'directory'
  | 'backups'
  | 'copRequests'
  | 'alerts'
  | 'jobRuns'
  | 'idempotency'
> = (config) => dynamoStores({ documents: dynamoDbDocuments(), name: config.tableName });

export const ses: PortGroup<'mailer'> = (config) => ({
  mailer: new SesMailer(sesClient(), config.sesConfigurationSet),
});

export const stepFunctions: PortGroup<'workflow'> = (config) => ({
  workflow: new StepFunctionsWorkflow(sfnClient(), required(config, 'stateMachineArn')),
});

export const eventBridge: PortGroup<'events'> = (config) => ({
  events: new EventBridgePublisher(eventBridgeClient(), required(config, 'eventBusName')),
});

export const sns: PortGroup<'pager'> = (config) => ({
  pager: new SnsPager(snsClient(), required(config, 'alertTopicArn')),
});

export const s3: PortGroup<'copFiles'> = (config) => ({
  copFiles: new S3CopFileStore(s3Client(), {
    catalogBucket: required(config, 'copCatalogBucket'),
    sftpBucket: required(config, 'copSftpBucket'),
  }),
});

/** The ports of a configuration, from the given groups (exported for the wiring's own tests). */
export function createAwsPorts<const Groups extends readonly AnyGroup[]>(
  config: Config,
  groups: Groups,
): PortsOf<Groups> {
  const base: BasePorts = { noticeSender: config.noticeSender, ids: randomIds };
  return Object.assign(base, ...groups.map((group) => group(config))) as PortsOf<Groups>;
}

const built = new Map<LambdaName, unknown>();

/** The ports of this Lambda from its environment (validated on the first call), kept for warm calls. */
export function awsPorts<const Groups extends readonly AnyGroup[]>(
  lambda: LambdaName,
  ...groups: Groups
): PortsOf<Groups> {
  let ports = built.get(lambda) as PortsOf<Groups> | undefined;
  if (!ports) {
    ports = createAwsPorts(loadConfig(lambda), groups);
    built.set(lambda, ports);
  }
  return ports;
}
