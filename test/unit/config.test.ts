/** The configuration module: what a Lambda reads from its environment, validated, with its defaults. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '#config';
import { DEFAULT_NOTICE_SENDER } from '#contract/environment.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { createAwsPorts, rules } from '#wiring/aws.ts';

const CHANGES_API = {
  TABLE_NAME: 'change-management',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lifecycle',
  EVENT_BUS_NAME: 'change-management',
};

describe('loadConfig', () => {
  it('reads the settings a Lambda is given, with the default sender, and the default policy when wired', () => {
    const config = loadConfig('changes-api', CHANGES_API);
    expect(createAwsPorts(config, [rules]).policy).toBe(DEFAULT_POLICY);
    expect(config).toEqual({
      tableName: 'change-management',
      noticeSender: DEFAULT_NOTICE_SENDER,
      stateMachineArn: CHANGES_API.STATE_MACHINE_ARN,
      eventBusName: 'change-management',
    });
  });

  it('takes the notice sender the deployment names', () => {
    const config = loadConfig('lifecycle', {
      TABLE_NAME: 'changes',
      EVENT_BUS_NAME: 'bus',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      NOTICE_SENDER: 'maintenance@provider.example',
    });
    expect(config.noticeSender).toBe('maintenance@provider.example');
  });

  it('refuses a Lambda missing what it requires, naming every variable', () => {
    const error = (() => {
      try {
        loadConfig('changes-api', { TABLE_NAME: 'change-management' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('STATE_MACHINE_ARN is required by the changes-api function');
    expect((error as Error).message).toContain('EVENT_BUS_NAME is required by the changes-api function');
  });

  it('refuses a table name DynamoDB would refuse', () => {
    expect(() => loadConfig('authorizer', { TABLE_NAME: 'no' })).toThrow(
      /TABLE_NAME must be a DynamoDB table name/,
    );
  });

  it('applies a POLICY override, validated by the policy schema when the ports are wired', () => {
    const wired = (policy: string) =>
      createAwsPorts(loadConfig('catalog-api', { TABLE_NAME: 'changes', POLICY: policy }), [rules]);
    expect(wired(JSON.stringify({ windows: { capacity: 30 } })).policy.windows.capacity).toBe(30);
    expect(() => wired('{"windows":{"capacity":"many"}}')).toThrow(
      /POLICY is not a valid policy: .*windows\.capacity/,
    );
    expect(() => loadConfig('catalog-api', { TABLE_NAME: 'changes', POLICY: 'not json' })).toThrow(
      /POLICY is not JSON/,
    );
  });
});
