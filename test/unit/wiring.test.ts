/**
 * The AWS composition root: importing an entry file reads no environment and builds nothing; the
 * first invocation builds the ports from the validated configuration, and a Lambda missing a setting
 * stops there, naming it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '#config';
import { lambdaContext } from '#local/lambda-context.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the AWS wiring', () => {
  it('builds nothing when an entry file is imported', async () => {
    vi.stubEnv('TABLE_NAME', '');
    await expect(import('#api/changes.ts')).resolves.toHaveProperty('handler');
    await expect(import('#jobs/cop-uploads.ts')).resolves.toHaveProperty('handler');
  });

  it('stops a Lambda at its first invocation when a setting it requires is missing, naming it', async () => {
    // Prepare
    vi.stubEnv('TABLE_NAME', 'change-management');
    vi.stubEnv('STATE_MACHINE_ARN', '');
    vi.stubEnv('EVENT_BUS_NAME', '');
    const { handler } = await import('#api/changes.ts');

    // Act
    const error = await handler({} as never, lambdaContext('changes-api')).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/STATE_MACHINE_ARN is required by the changes-api function/);
    expect((error as Error).message).toMatch(/EVENT_BUS_NAME is required/);
  });
});
