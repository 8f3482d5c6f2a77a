/**
 * The policy this deployment runs: the provider's defaults, or a JSON override in the POLICY
 * environment variable (validated at start-up: a bad policy stops the function with the field named).
 */
import { DEFAULT_POLICY, type Policy, parsePolicy } from '#core/policy.ts';

const override = process.env.POLICY;

export const policy: Policy = override ? parsePolicy(JSON.parse(override)) : DEFAULT_POLICY;
