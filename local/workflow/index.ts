/**
 * The local Step Functions runtime: the state machines the CDK app deploys, run on this machine by
 * aws-local-stepfunctions 3.0.0 with documented fidelity transforms, on the LocalClock. One state machine
 * is a LocalWorkflow (local-workflow.ts); several share tokens, clock and idle() in a LocalStepFunctions
 * account (account.ts). The transforms are in definition.ts, the callback tasks in task-tokens.ts, the
 * Lambda bindings in lambda.ts, time in timers.ts, executions in executions.ts.
 */
export {
  type AccountExecutionSummary,
  LocalStepFunctions,
  type LocalStepFunctionsEvent,
  type LocalStepFunctionsOptions,
  type StateMachineOptions,
} from './account.ts';
export {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotSucceeded,
  InvalidName,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
} from './errors.ts';
export type { ExecutionDescription, ExecutionStatus, ExecutionSummary } from './executions.ts';
export type { LocalTaskHandler } from './lambda.ts';
export { LocalWorkflow, type LocalWorkflowEvent, type LocalWorkflowOptions } from './local-workflow.ts';
