import { createRequire } from 'node:module';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#core/change.ts';
import { type NoticeState, nextLifecycleAction } from '#core/lifecycle.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { buildApp } from '#infra/app.ts';
import { extractLifecycleDefinition } from '#infra/lifecycle-definition.ts';
import type { ChangeManagementStack } from '#infra/stacks/change-management-stack.ts';

// asl-validator is CommonJS without type declarations: typed here by what its README documents.
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: unknown[]; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const ADVANCE = 'Do what the change needs now';
const CHOOSE = 'Wait, or is the lifecycle over?';
const PARK = 'Wait for a decision or the next moment';
const RECORD_NOTICE_FAILURE = 'Record the notice that could not be delivered';
const ALERT_FAILURE = 'Alert ops that the lifecycle failed';
const DONE = 'Lifecycle complete';
const FAILED = 'Lifecycle failed';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}
interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string | null;
  Next: string;
}
interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
  ResultPath?: string | null;
  ResultSelector?: Record<string, string>;
  TimeoutSecondsPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: { Variable: string; StringEquals?: string; Next: string }[];
  Default?: string;
  Error?: string;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function state(definition: Definition, name: string): State {
  const found = definition.States[name];
  if (!found) throw new Error(`no state named "${name}"`);
  return found;
}

describe('the lifecycle definition (ASL)', () => {
  let definition: Definition;
  let lambdaArns: Record<string, string>;

  beforeAll(() => {
    const extracted = extractLifecycleDefinition();
    definition = extracted.definition as unknown as Definition;
    lambdaArns = extracted.lambdaArns;
  });

  it('passes asl-validator', () => {
    // The validator fills in defaults on the object it checks: give it a copy.
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('asl-validator is live: it refuses the definition with a dangling transition', () => {
    const broken = structuredClone(definition);
    (broken.States[PARK] as State).Next = 'No such state';

    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('has exactly the seven states, starting at Advance', () => {
    expect(definition.StartAt).toBe(ADVANCE);
    expect(Object.keys(definition.States).sort()).toEqual(
      [ADVANCE, CHOOSE, PARK, RECORD_NOTICE_FAILURE, ALERT_FAILURE, DONE, FAILED].sort(),
    );
    expect(Object.fromEntries(Object.entries(definition.States).map(([name, s]) => [name, s.Type]))).toEqual({
      [ADVANCE]: 'Task',
      [CHOOSE]: 'Choice',
      [PARK]: 'Task',
      [RECORD_NOTICE_FAILURE]: 'Task',
      [ALERT_FAILURE]: 'Task',
      [DONE]: 'Succeed',
      [FAILED]: 'Fail',
    });
  });

  it('Advance -> Choice; Choice parks on step "park", otherwise completes', () => {
    expect(state(definition, ADVANCE).Next).toBe(CHOOSE);
    const choose = state(definition, CHOOSE);
    expect(choose.Choices).toEqual([{ Variable: '$.next.step', StringEquals: 'park', Next: PARK }]);
    expect(choose.Default).toBe(DONE);
  });

  it('Park -> Advance; its timeout or a moved change -> Advance; anything else -> alert ops -> fail', () => {
    const park = state(definition, PARK);

    expect(park.Next).toBe(ADVANCE);
    expect(park.Catch).toEqual([
      { ErrorEquals: ['States.Timeout', 'ChangeMovedError'], ResultPath: null, Next: ADVANCE },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ALERT_FAILURE },
    ]);
    expect(state(definition, ALERT_FAILURE).Next).toBe(FAILED);
    expect(state(definition, FAILED).Error).toBe('LifecycleFailed');
  });

  it('Park does not retry a timeout or a moved change, and says so before the States.ALL retrier', () => {
    const retry = state(definition, PARK).Retry ?? [];
    const answers = retry.findIndex((r) => r.ErrorEquals.includes('States.Timeout'));
    const all = retry.findIndex((r) => r.ErrorEquals.includes('States.ALL'));

    expect(retry[answers]).toEqual({ ErrorEquals: ['States.Timeout', 'ChangeMovedError'], MaxAttempts: 0 });
    expect(all).toBeGreaterThan(answers);
    expect(all).toBe(retry.length - 1);
  });

  it('Park is the callback wait: waitForTaskToken, the task token in the payload, timeout from the advance result', () => {
    const park = state(definition, PARK);

    expect(park.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(park.Parameters?.Payload).toEqual({
      action: 'park',
      'changeId.$': '$.changeId',
      'version.$': '$.next.result.version',
      'phase.$': '$.next.result.phase',
      'until.$': '$.next.result.until',
      'taskToken.$': '$$.Task.Token',
    });
    expect(park.TimeoutSecondsPath).toBe('$.next.result.seconds');
    expect(park.ResultPath).toBeNull();
  });

  it('Advance retries NotificationDeliveryError 3 times (1 s, x2), then records the failure and advances again', () => {
    const advance = state(definition, ADVANCE);
    const retry = advance.Retry ?? [];
    const delivery = retry.findIndex((r) => r.ErrorEquals.includes('NotificationDeliveryError'));
    const all = retry.findIndex((r) => r.ErrorEquals.includes('States.ALL'));

    expect(retry[delivery]).toEqual({
      ErrorEquals: ['NotificationDeliveryError'],
      IntervalSeconds: 1,
      MaxAttempts: 3,
      BackoffRate: 2,
    });
    // The first matching retrier wins: the delivery one must come before the catch-all.
    expect(delivery).toBeLessThan(all);
    expect(advance.Catch).toEqual([
      { ErrorEquals: ['NotificationDeliveryError'], ResultPath: '$.error', Next: RECORD_NOTICE_FAILURE },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ALERT_FAILURE },
    ]);
    expect(state(definition, RECORD_NOTICE_FAILURE).Next).toBe(ADVANCE);
  });

  it('Advance puts the lambda answer at $.next as { step, result }', () => {
    const advance = state(definition, ADVANCE);

    expect(advance.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(advance.Parameters?.Payload).toEqual({ action: 'advance', 'changeId.$': '$.changeId' });
    expect(advance.ResultSelector).toEqual({ 'step.$': '$.Payload.step', 'result.$': '$.Payload' });
    expect(advance.ResultPath).toBe('$.next');
  });

  it('every Task has a Retry and a Catch, except the failure recorder, whose next is Fail', () => {
    for (const [name, s] of Object.entries(definition.States)) {
      if (s.Type !== 'Task') continue;
      expect(s.Retry?.length, name).toBeGreaterThan(0);
      if (name === ALERT_FAILURE) {
        expect(s.Next).toBe(FAILED);
        expect(state(definition, FAILED).Type).toBe('Fail');
      } else {
        expect(s.Catch?.length, name).toBeGreaterThan(0);
        // A catch-all as the last catcher: nothing escapes without the P1 alert.
        expect(s.Catch?.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], Next: ALERT_FAILURE });
      }
      // States.ALL, where present, must be the last retrier on its own.
      const retry = s.Retry ?? [];
      retry.forEach((r, i) => {
        if (r.ErrorEquals.includes('States.ALL')) {
          expect(r.ErrorEquals, name).toEqual(['States.ALL']);
          expect(i, name).toBe(retry.length - 1);
        }
      });
    }
  });

  it('every Task invokes the one lifecycle function', () => {
    const arns = Object.values(lambdaArns);
    expect(arns).toHaveLength(1);

    for (const s of Object.values(definition.States).filter((x) => x.Type === 'Task')) {
      expect(s.Parameters?.FunctionName).toBe(arns[0]);
    }
  });

  it('every state is reachable from StartAt', () => {
    const reachable = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (reachable.has(name)) continue;
      reachable.add(name);
      queue.push(...successors(state(definition, name)));
    }

    expect([...reachable].sort()).toEqual(Object.keys(definition.States).sort());
  });
});

// ---------------------------------------------------------------------------------------------
// A small pure walk over the definition's graph: which states an execution enters, given what each
// Task does. Retries do not enter a state again; an error that outlives its retriers goes to the first
// matching catcher.

function successors(s: State): string[] {
  return [
    ...(s.Next ? [s.Next] : []),
    ...(s.Default ? [s.Default] : []),
    ...(s.Choices ?? []).map((c) => c.Next),
    ...(s.Catch ?? []).map((c) => c.Next),
  ];
}

type TaskResult = { ok: { step?: string } } | { error: string };

function matches(errorEquals: string[], error: string): boolean {
  // States.ALL matches every error but States.Runtime; States.Timeout is matched by States.ALL too.
  return errorEquals.includes(error) || errorEquals.includes('States.ALL');
}

function walk(definition: Definition, run: (stateName: string) => TaskResult, limit = 100): string[] {
  const entered: string[] = [];
  const data: { next?: { step?: string } } = {};
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    if (entered.length >= limit) throw new Error(`no end after ${limit} states: ${entered.join(' > ')}`);
    entered.push(name);
    const s = state(definition, name);
    switch (s.Type) {
      case 'Succeed':
      case 'Fail':
        return entered;
      case 'Choice': {
        const step = data.next?.step;
        const chosen = (s.Choices ?? []).find((c) => c.Variable === '$.next.step' && c.StringEquals === step);
        name = chosen ? chosen.Next : s.Default;
        break;
      }
      case 'Task': {
        const result = run(name);
        if ('error' in result) {
          // Retriers run the task again without entering another state; the scripted error persists,
          // so after the retries it goes to the first matching catcher.
          const catcher = (s.Catch ?? []).find((c) => matches(c.ErrorEquals, result.error));
          if (!catcher) throw new Error(`${name}: ${result.error} is not caught`);
          name = catcher.Next;
        } else {
          if (s.ResultPath === '$.next') data.next = result.ok;
          name = s.End ? undefined : s.Next;
        }
        break;
      }
      default:
        throw new Error(`the walk does not know state type ${s.Type}`);
    }
  }
  return entered;
}

/** Scripted Task answers: each state name takes the next answer from its queue. */
function script(answers: Record<string, TaskResult[]>): (stateName: string) => TaskResult {
  const queues = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, [...v]]));
  return (stateName) => {
    const next = queues[stateName]?.shift();
    if (!next) throw new Error(`no scripted answer left for "${stateName}"`);
    return next;
  };
}

const park = { ok: { step: 'park' } };
const done = { ok: { step: 'done' } };
const timeout = { error: 'States.Timeout' };
const resumed = { ok: {} };

function counts(entered: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of entered) result[name] = (result[name] ?? 0) + 1;
  return result;
}

describe('paths through the lifecycle definition', () => {
  let definition: Definition;

  beforeAll(() => {
    definition = extractLifecycleDefinition().definition as unknown as Definition;
  });

  it('the common planned path (no partner answer) enters 15 states: Advance x5, Choice x5, Park x4, Succeed', () => {
    // Advance 1: scheduled notice, park until replyBy -> timeout.
    // Advance 2: confirm, park until the reminder -> timeout.
    // Advance 3: reminder, park until the window start -> timeout.
    // Advance 4: start + started notice, park for the outcome -> ops completes (task success).
    // Advance 5: outcome notice, done.
    const entered = walk(
      definition,
      script({
        [ADVANCE]: [park, park, park, park, done],
        [PARK]: [timeout, timeout, timeout, resumed],
      }),
    );

    expect(entered).toEqual([
      ...[ADVANCE, CHOOSE, PARK],
      ...[ADVANCE, CHOOSE, PARK],
      ...[ADVANCE, CHOOSE, PARK],
      ...[ADVANCE, CHOOSE, PARK],
      ...[ADVANCE, CHOOSE, DONE],
    ]);
    expect(counts(entered)).toEqual({ [ADVANCE]: 5, [CHOOSE]: 5, [PARK]: 4, [DONE]: 1 });
    expect(entered.length).toBeLessThanOrEqual(20);
  });

  it('the same path, with Advance played by the real decider over a planned change', () => {
    const change: ChangeRecord = {
      changeId: 'chg_path',
      partnerId: 'ptn_acme',
      customerId: 'cus_globex',
      region: 'AMER',
      type: 'configuration',
      title: 'Dial plan update',
      disruptsCalling: true,
      emergency: false,
      urgent: false,
      status: 'SCHEDULED',
      window: {
        start: '2026-12-08T02:00:00Z',
        end: '2026-12-08T11:00:00Z',
        timezone: 'America/New_York',
        localStart: '2026-12-07T21:00:00-05:00',
        localEnd: '2026-12-08T06:00:00-05:00',
      },
      windowId: 'AMER#2026-12-07',
      originalWindowStart: '2026-12-08T02:00:00Z',
      noticeSentAt: '2026-11-16T15:00:00Z',
      replyBy: '2026-11-19T15:00:00Z',
      rescheduleCutoff: '2026-12-01T02:00:00Z',
      reschedulesRemaining: 1,
      createdAt: '2026-11-16T15:00:00Z',
      updatedAt: '2026-11-16T15:00:00Z',
      version: 1,
    };
    const notices: Record<string, NoticeState> = {};
    let now: DateTime = DateTime.fromISO('2026-11-16T15:00:00Z', { zone: 'utc' });
    let wakeAt: DateTime = now;
    // Ops records the outcome at 09:00Z, before the overdue moment (13:00Z).
    const opsCompletesAt = DateTime.fromISO('2026-12-08T09:00:00Z', { zone: 'utc' });

    // Like the Lambda: act until the decider says park or done.
    const advance = (): TaskResult => {
      for (let i = 0; i < 25; i++) {
        const action = nextLifecycleAction(DEFAULT_POLICY, { change, history: [], notices }, now);
        if (action.kind === 'notify') notices[action.key] = 'SENT';
        else if (action.kind === 'confirm') change.status = 'CONFIRMED';
        else if (action.kind === 'start') change.status = 'IN_PROGRESS';
        else if (action.kind === 'park') {
          wakeAt = action.until;
          return park;
        } else if (action.kind === 'done') return done;
        else throw new Error(`unexpected ${action.kind}`);
      }
      throw new Error('did not settle');
    };
    const parkTask = (): TaskResult => {
      if (change.status === 'IN_PROGRESS' && opsCompletesAt < wakeAt) {
        now = opsCompletesAt;
        change.status = 'COMPLETED';
        return resumed;
      }
      now = wakeAt;
      return timeout;
    };

    const entered = walk(definition, (name) => (name === ADVANCE ? advance() : parkTask()));

    expect(counts(entered)).toEqual({ [ADVANCE]: 5, [CHOOSE]: 5, [PARK]: 4, [DONE]: 1 });
    expect(entered.length).toBe(15);
    expect(Object.keys(notices).sort()).toEqual(
      ['outcome', 'reminder-24h@2026-12-08T02:00:00Z', 'scheduled', 'started'].sort(),
    );
  });

  it('a notice that still fails after the retries is recorded and the lifecycle goes on', () => {
    const entered = walk(
      definition,
      script({
        [ADVANCE]: [{ error: 'NotificationDeliveryError' }, done],
        [RECORD_NOTICE_FAILURE]: [resumed],
      }),
    );

    expect(entered).toEqual([ADVANCE, RECORD_NOTICE_FAILURE, ADVANCE, CHOOSE, DONE]);
  });

  it('a change that moved before the token was stored is looked at again', () => {
    const entered = walk(
      definition,
      script({ [ADVANCE]: [park, done], [PARK]: [{ error: 'ChangeMovedError' }] }),
    );

    expect(entered).toEqual([ADVANCE, CHOOSE, PARK, ADVANCE, CHOOSE, DONE]);
  });

  it.each([
    ['Advance', { [ADVANCE]: [{ error: 'States.TaskFailed' }], [ALERT_FAILURE]: [resumed] }, [ADVANCE]],
    [
      'Park',
      { [ADVANCE]: [park], [PARK]: [{ error: 'Lambda.ServiceException' }], [ALERT_FAILURE]: [resumed] },
      [ADVANCE, CHOOSE, PARK],
    ],
    [
      'the notice-failure recorder',
      {
        [ADVANCE]: [{ error: 'NotificationDeliveryError' }],
        [RECORD_NOTICE_FAILURE]: [{ error: 'States.TaskFailed' }],
        [ALERT_FAILURE]: [resumed],
      },
      [ADVANCE, RECORD_NOTICE_FAILURE],
    ],
  ] as const)('an unexpected error in %s alerts ops and fails the execution', (_label, answers, before) => {
    const entered = walk(definition, script(answers as unknown as Record<string, TaskResult[]>));

    expect(entered).toEqual([...before, ALERT_FAILURE, FAILED]);
  });
});

// ---------------------------------------------------------------------------------------------
// The deployed resources (CDK assertions on the synthesized stack, bundling skipped).

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();

describe('the lifecycle resources in the stack', () => {
  let stack: ChangeManagementStack;
  let template: Template;
  let json: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  let machineId: string;
  let lifecycleFnId: string;
  let changesFnId: string;

  /** Logical id of the role a resource names in `Role`/`RoleArn` ({ Fn::GetAtt: [role, Arn] }). */
  function roleOf(logicalId: string, property: 'Role' | 'RoleArn'): string {
    const ref = json.Resources[logicalId]?.Properties[property] as { 'Fn::GetAtt': [string, string] };
    return ref['Fn::GetAtt'][0];
  }

  /** The environment variables of a function. */
  function environmentOf(logicalId: string): Record<string, unknown> {
    const properties = json.Resources[logicalId]?.Properties as
      | { Environment?: { Variables?: Record<string, unknown> } }
      | undefined;
    return properties?.Environment?.Variables ?? {};
  }

  /** Every statement of every policy attached to the role, inline or separate. */
  function statementsOf(roleId: string): Statement[] {
    const out: Statement[] = [];
    for (const resource of Object.values(json.Resources)) {
      const p = resource.Properties as {
        Roles?: { Ref: string }[];
        PolicyDocument?: { Statement: Statement[] };
      };
      if (resource.Type === 'AWS::IAM::Policy' && p.Roles?.some((r) => r.Ref === roleId)) {
        out.push(...(p.PolicyDocument?.Statement ?? []));
      }
    }
    const role = json.Resources[roleId]?.Properties as {
      Policies?: { PolicyDocument: { Statement: Statement[] } }[];
    };
    for (const policy of role.Policies ?? []) out.push(...policy.PolicyDocument.Statement);
    return out;
  }

  function statementsWith(roleId: string, prefix: string): Statement[] {
    return statementsOf(roleId).filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)));
  }

  beforeAll(() => {
    ({ stack } = buildApp({ context: SKIP_BUNDLING }));
    template = Template.fromStack(stack);
    json = template.toJSON() as typeof json;
    machineId = stack.getLogicalId(stack.lifecycle.stateMachine.node.defaultChild as CfnStateMachine);
    lifecycleFnId = stack.getLogicalId(stack.lifecycle.lifecycleFunction.node.defaultChild as CfnFunction);
    changesFnId = stack.getLogicalId(stack.api.handlers.changes.node.defaultChild as CfnFunction);
  });

  it('has one STANDARD state machine, logging ALL to its log group, with tracing', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const machine = json.Resources[machineId]?.Properties as {
      StateMachineType: string;
      TracingConfiguration: { Enabled: boolean };
      LoggingConfiguration: {
        Level: string;
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
      };
    };

    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.LoggingConfiguration.Level).toBe('ALL');
    expect(machine.LoggingConfiguration.Destinations).toHaveLength(1);
    const [logGroupId, attribute] =
      machine.LoggingConfiguration.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'] ?? [];
    expect(attribute).toBe('Arn');
    expect(json.Resources[logGroupId as string]?.Type).toBe('AWS::Logs::LogGroup');
  });

  it('its role may invoke only the lifecycle function (its ARN and ARN:*)', () => {
    const roleId = roleOf(machineId, 'RoleArn');
    const invoke = statementsWith(roleId, 'lambda:');

    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0] as Statement)).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOf(invoke[0] as Statement)).toEqual([
      { 'Fn::GetAtt': [lifecycleFnId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lifecycleFnId, 'Arn'] }, ':*']] },
    ]);
    // Everything else it holds is log delivery and X-Ray, which have no resource-level permissions.
    for (const s of statementsOf(roleId).filter((x) => x !== invoke[0])) {
      expect(actionsOf(s).every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
    }
  });

  it('the lifecycle function sends mail only as the sender identity (the address and its domain)', () => {
    const roleId = roleOf(lifecycleFnId, 'Role');
    const ses = statementsWith(roleId, 'ses:');

    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0] as Statement)).toEqual(['ses:SendRawEmail']);
    const resources = resourcesOf(ses[0] as Statement).map(
      (r) => (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1],
    );
    const identities = resources.map((parts) => parts.at(-1)).filter((last) => typeof last === 'string');
    expect(identities.sort()).toEqual([':identity/calling.example', ':identity/maintenance@calling.example']);
    // Besides the identity, only the stack's SES configuration set, which its sends name (the bounce and
    // complaint alarms count through it): it grants no other sender.
    const configurationSetId = stack.getLogicalId(
      stack.alarms.mailConfigurationSet.node.defaultChild as never,
    );
    expect(
      resources.filter((parts) => typeof parts.at(-1) !== 'string').map((parts) => parts.slice(-2)),
    ).toEqual([[':configuration-set/', { Ref: configurationSetId }]]);
    const env = environmentOf(lifecycleFnId);
    expect(env.NOTICE_SENDER).toBe('maintenance@calling.example');
  });

  it('the lifecycle function puts events only on the change-management bus', () => {
    const roleId = roleOf(lifecycleFnId, 'Role');
    const events = statementsWith(roleId, 'events:');
    const busId = stack.getLogicalId(stack.lifecycle.eventBus.node.defaultChild as never);

    expect(events).toHaveLength(1);
    expect(actionsOf(events[0] as Statement)).toEqual(['events:PutEvents']);
    expect(resourcesOf(events[0] as Statement)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
    expect(json.Resources[busId]?.Properties.Name).toBe('change-management');
  });

  it('the lifecycle function publishes only on the alert topic', () => {
    const roleId = roleOf(lifecycleFnId, 'Role');
    const sns = statementsWith(roleId, 'sns:');
    const topicId = stack.getLogicalId(stack.lifecycle.alertTopic.node.defaultChild as never);

    expect(sns).toHaveLength(1);
    expect(actionsOf(sns[0] as Statement)).toEqual(['sns:Publish']);
    expect(resourcesOf(sns[0] as Statement)).toEqual([{ Ref: topicId }]);
  });

  it('the lifecycle function holds no wildcard resource except for X-Ray', () => {
    const roleId = roleOf(lifecycleFnId, 'Role');

    for (const s of statementsOf(roleId).filter((x) => resourcesOf(x).includes('*'))) {
      expect(actionsOf(s).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('the changes API handler may start executions and answer task tokens on this machine only', () => {
    const roleId = roleOf(changesFnId, 'Role');
    const states = statementsWith(roleId, 'states:');

    expect(states).toHaveLength(1);
    expect(actionsOf(states[0] as Statement).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
    expect(resourcesOf(states[0] as Statement)).toEqual([{ Ref: machineId }]);
    for (const s of statementsOf(roleId)) {
      expect(actionsOf(s)).not.toContain('states:*');
      expect(actionsOf(s)).not.toContain('*');
      if (resourcesOf(s).includes('*')) expect(actionsOf(s).some((a) => a.startsWith('states:'))).toBe(false);
    }
  });

  it('only the changes handler may resume the lifecycle; only it and the nightly jobs may start one', () => {
    const changesRole = roleOf(changesFnId, 'Role');
    const jobRoles = new Set(
      Object.entries(json.Resources)
        .filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('NightlyJobs'))
        .map(([id]) => id),
    );
    expect(jobRoles.size).toBe(4);
    for (const [id, resource] of Object.entries(json.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const p = resource.Properties as {
        Roles: { Ref: string }[];
        PolicyDocument: { Statement: Statement[] };
      };
      const actions = p.PolicyDocument.Statement.flatMap((s) => actionsOf(s));
      if (actions.some((a) => a.startsWith('states:SendTask'))) {
        expect(
          p.Roles.every((r) => r.Ref === changesRole),
          id,
        ).toBe(true);
      }
      if (actions.some((a) => a.startsWith('states:Start'))) {
        expect(
          p.Roles.every((r) => r.Ref === changesRole || jobRoles.has(r.Ref)),
          id,
        ).toBe(true);
      }
    }
  });

  it("the changes API handler's environment names the state machine", () => {
    const env = environmentOf(changesFnId);

    expect(env.STATE_MACHINE_ARN).toEqual({ Ref: machineId });
  });
});
