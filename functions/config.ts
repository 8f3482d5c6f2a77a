/**
 * The configuration of a Lambda, read from its environment once and validated with zod: a missing
 * or malformed setting stops the function at its first invocation with the variable named, instead
 * of failing later in the middle of a request or a night's job.
 *
 * This is the only module under functions/ that reads `process.env`. What the settings are, and which
 * Lambda needs which, is the environment contract (functions/contract/environment.ts), which the CDK
 * app follows when it sets them. The local runtime and the tests build their ports without it
 * (local/wiring.ts): nothing of theirs goes through environment variables.
 */
import * as z from 'zod';
import {
  DEFAULT_NOTICE_SENDER,
  type LambdaName,
  REQUIRED_SETTINGS,
  SETTINGS,
  type Setting,
} from '#contract/environment.ts';

export interface Config {
  readonly tableName: string;
  readonly noticeSender: string;
  /** The POLICY override as JSON, for the wiring to validate with the policy's schema (it names a bad field). */
  readonly policyOverride?: unknown;
  readonly stateMachineArn?: string;
  readonly eventBusName?: string;
  readonly alertTopicArn?: string;
  readonly copCatalogBucket?: string;
  readonly copSftpBucket?: string;
  readonly sesConfigurationSet?: string;
}

/** A configuration the Lambda cannot run with; the message names every problem. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const name = z.string().trim().min(1);

/** The policy override: a JSON object (the policy's own schema validates it when the ports are built). */
const policyJson = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not JSON: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const environment = z.object({
  [SETTINGS.tableName]: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
    .optional(),
  [SETTINGS.noticeSender]: name.default(DEFAULT_NOTICE_SENDER),
  [SETTINGS.stateMachineArn]: name.optional(),
  [SETTINGS.eventBusName]: name.optional(),
  [SETTINGS.alertTopicArn]: name.optional(),
  [SETTINGS.copCatalogBucket]: name.optional(),
  [SETTINGS.copSftpBucket]: name.optional(),
  [SETTINGS.sesConfigurationSet]: name.optional(),
  [SETTINGS.policy]: policyJson.optional(),
});

/** The settings of `lambda` from `env`; throws a ConfigurationError naming every missing or bad variable. */
export function loadConfig(
  lambda: LambdaName,
  env: Record<string, string | undefined> = process.env,
): Config {
  // An empty variable is an absent one.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const parsed = environment.safeParse(given);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  const values = parsed.success ? parsed.data : undefined;
  for (const setting of REQUIRED_SETTINGS[lambda]) {
    const variable = SETTINGS[setting];
    if (given[variable] === undefined) problems.push(`${variable} is required by the ${lambda} function`);
  }
  if (!values || problems.length > 0) {
    throw new ConfigurationError(`the ${lambda} function is not configured: ${problems.join('; ')}`);
  }
  const optional = (setting: Setting) => {
    const value = values[SETTINGS[setting]];
    return typeof value === 'string' ? { [setting]: value } : {};
  };
  return {
    tableName: values[SETTINGS.tableName] as string,
    noticeSender: values[SETTINGS.noticeSender],
    ...(values[SETTINGS.policy] === undefined ? {} : { policyOverride: values[SETTINGS.policy] }),
    ...optional('stateMachineArn'),
    ...optional('eventBusName'),
    ...optional('alertTopicArn'),
    ...optional('copCatalogBucket'),
    ...optional('copSftpBucket'),
    ...optional('sesConfigurationSet'),
  };
}
