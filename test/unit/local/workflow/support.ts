/**
 * What the LocalWorkflow tests share: definitions written as CDK synthesizes them, and a setup that runs
 * each on a frozen LocalClock and stops every workflow and clock after each test.
 */
import { afterEach } from 'vitest';
import { LocalClock } from '#local/clock.ts';
import {
  type LocalTaskHandler,
  LocalWorkflow,
  type LocalWorkflowEvent,
  type LocalWorkflowOptions,
} from '#local/workflow/index.ts';

export const START = '2026-03-01T09:00:00.000Z';
export const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:lifecycle';
const INVOKE = 'arn:aws:states:::lambda:invoke';
const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A Task as CDK's LambdaInvoke writes it (payloadResponseOnly false). */
export function lambdaTask(fields: Record<string, unknown>, payload: unknown = { 'input.$': '$' }) {
  return { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: payload }, ...fields };
}

export function callbackTask(fields: Record<string, unknown>, payload: Record<string, unknown> = {}) {
  return {
    Type: 'Task',
    Resource: CALLBACK,
    Parameters: { FunctionName: FN, Payload: { 'taskToken.$': '$$.Task.Token', ...payload } },
    ...fields,
  };
}

/** Call inside a describe: registers the clean-up and returns the helpers. */
export function useLocalWorkflows() {
  const clocks: LocalClock[] = [];
  const workflows: LocalWorkflow[] = [];
  afterEach(() => {
    for (const workflow of workflows.splice(0)) workflow.stopAll();
    for (const clock of clocks.splice(0)) clock.stop();
  });

  /** A LocalClock frozen at START, stopped after the test. */
  function frozenClock(): LocalClock {
    const clock = new LocalClock({ start: START, speed: 0 });
    clocks.push(clock);
    return clock;
  }

  function setup(
    definition: Record<string, unknown>,
    handler: LocalTaskHandler,
    options: Partial<LocalWorkflowOptions> = {},
  ) {
    const clock = frozenClock();
    const events: LocalWorkflowEvent[] = [];
    const workflow = new LocalWorkflow({
      definition,
      lambdaHandlers: { [FN]: handler },
      clock,
      onEvent: (event) => events.push(event),
      ...options,
    });
    workflows.push(workflow);
    return { clock, workflow, events };
  }

  return { setup, frozenClock };
}
