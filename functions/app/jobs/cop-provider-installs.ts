/**
 * Provider-initiated COP installs (rules section 9), passed to an on-demand run of the COP job as
 * `providerInstalls`: each becomes a change, an emergency in the next window or a planned change, with
 * an id derived from customer, file and run key, so a repeated run schedules nothing twice. The whole
 * list is checked first (shape, customer, catalog); a bad entry fails the run before anything is done,
 * with every problem named (the job's P1 JOB_CRASHED alert says so: an emergency fix that was not
 * scheduled must be seen).
 */
import * as z from 'zod';
import type { SchedulePorts } from '#app/changes/new-change.ts';
import { scheduleEmergencyChange } from '#app/changes/schedule-emergency-change.ts';
import { schedulePlannedChange } from '#app/changes/schedule-planned-change.ts';
import { type Ports, VersionConflict } from '#app/ports.ts';
import { logger } from '#commons/logger.ts';
import { checkCopRequest, providerCopChange } from '#core/cop.ts';
import type { Customer } from '#core/directory.ts';
import { hasCode } from '#core/errors.ts';
import { derivedId } from '#core/ids.ts';
import { PROVIDER_COP_EMERGENCY_REASONS } from '#core/vocabulary.ts';
import type { JobContext } from './run-job.ts';

const providerInstall = z
  .strictObject({
    customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a customer id'),
    copFile: z.string().min(1).max(200),
    emergency: z.boolean(),
    reason: z.enum(PROVIDER_COP_EMERGENCY_REASONS).optional(),
    customerImpact: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((install) => !install.emergency || install.reason !== undefined, {
    path: ['reason'],
    message: 'an emergency install names its reason (security-vulnerability or prevent-outage)',
  });
export type ProviderInstall = z.output<typeof providerInstall>;

interface CheckedInstall {
  install: ProviderInstall;
  customer: Customer;
}

/** The job's event asked for something it cannot do; nothing was done. */
export class InvalidJobInputError extends Error {
  override readonly name = 'InvalidJobInputError';
}

/** The change id of a provider install: the same customer, file and run key give the same id. */
export function providerChangeId(customerId: string, copFile: string, runKey: string): string {
  return derivedId('chg_cop', `${customerId}\n${copFile}\n${runKey}`);
}

/** Every install of the event, checked against the customers and the catalog; throws naming each problem. */
export async function checkProviderInstalls(
  ports: Pick<Ports, 'directory' | 'policy'>,
  raw: unknown,
): Promise<CheckedInstall[]> {
  if (raw === undefined) return [];
  const parsed = z.array(providerInstall).max(100).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `providerInstalls.${i.path.join('.')}: ${i.message}`);
    throw new InvalidJobInputError(`invalid providerInstalls, nothing was done: ${problems.join('; ')}`);
  }
  const problems: string[] = [];
  const checked: CheckedInstall[] = [];
  for (const [index, install] of parsed.data.entries()) {
    const customer = await ports.directory.readCustomer(install.customerId);
    const check = checkCopRequest(ports.policy, install.copFile);
    if (!customer) problems.push(`providerInstalls.${index}: customer ${install.customerId} does not exist`);
    if (!check.ok) problems.push(`providerInstalls.${index}: ${check.reason}`);
    if (customer && check.ok) checked.push({ install, customer });
  }
  if (problems.length > 0) {
    throw new InvalidJobInputError(`invalid providerInstalls, nothing was done: ${problems.join('; ')}`);
  }
  return checked;
}

/** Did scheduling fail only because this change was written before (by an earlier run)? */
async function alreadyWritten(
  ports: Pick<Ports, 'changes'>,
  error: unknown,
  changeId: string,
): Promise<boolean> {
  if (hasCode(error, 'CHANGE_EXISTS')) return true;
  // A second write of the same id is a version conflict; tell it from a real one.
  return error instanceof VersionConflict && (await ports.changes.readRecord(changeId)) !== null;
}

export async function scheduleProviderInstall(
  ports: SchedulePorts,
  job: JobContext,
  { install, customer }: CheckedInstall,
): Promise<void> {
  const changeId = providerChangeId(install.customerId, install.copFile, job.runKey);
  const change = providerCopChange({ ...install, partnerId: customer.partnerId, region: customer.region });
  try {
    const transition = change.emergency
      ? await scheduleEmergencyChange(ports, { ...change.fields, when: change.when, changeId, actor: 'ops' })
      : await schedulePlannedChange(ports, { ...change.fields, changeId, actor: 'ops' });
    job.count('providerChanges');
    logger.info('provider COP install scheduled', {
      changeId,
      customerId: install.customerId,
      copFile: install.copFile,
      emergency: install.emergency,
      windowStart: transition.change.window.start,
    });
  } catch (error) {
    if (!(await alreadyWritten(ports, error, changeId))) throw error;
    job.count('alreadyScheduled');
    // An earlier run may have crashed between writing the change and starting its lifecycle; a start
    // of a lifecycle that runs already is ignored by the workflow (one execution per change id).
    const existing = await ports.changes.readRecord(changeId);
    if (existing) await ports.workflow.start(existing);
  }
}
