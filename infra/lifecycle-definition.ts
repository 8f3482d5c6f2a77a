/**
 * The lifecycle state machine's definition as plain ASL, extracted from the synthesized CDK app:
 * the local runtime runs exactly what CloudFormation would deploy (one source of truth), and the
 * definition tests check the same JSON. CloudFormation references are resolved to stable local
 * placeholders: `Ref AWS::Partition` -> `aws`, `Fn::GetAtt [Id, Arn]` -> a Lambda ARN naming `Id`.
 */
import { buildApp, STACK_NAME } from './app.ts';

export interface ExtractedDefinition {
  /** The ASL object. */
  definition: Record<string, unknown>;
  /** Logical id of each Lambda the definition invokes -> the placeholder ARN it carries. */
  lambdaArns: Record<string, string>;
}

export const localLambdaArn = (logicalId: string) =>
  `arn:aws:lambda:local:000000000000:function:${logicalId}`;

type CfnValue = string | { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, CfnValue[]] };

function resolve(value: CfnValue, lambdaArns: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (value.Ref === 'AWS::Region') return 'local';
  if (value.Ref === 'AWS::AccountId') return '000000000000';
  if (value['Fn::GetAtt']) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
    lambdaArns[logicalId] = localLambdaArn(logicalId);
    return localLambdaArn(logicalId);
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map((part) => resolve(part, lambdaArns)).join(separator);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
}

let cached: ExtractedDefinition | undefined;

/** Synthesizes the app (no bundling) and returns the lifecycle definition; cached per process. */
export function extractLifecycleDefinition(): ExtractedDefinition {
  if (cached) return cached;
  const { app } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = app.synth().getStackByName(STACK_NAME).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString: CfnValue } }>;
  };
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const lambdaArns: Record<string, string> = {};
  const definition = JSON.parse(
    resolve((machines[0] as (typeof machines)[number]).Properties.DefinitionString, lambdaArns),
  );
  cached = { definition, lambdaArns };
  return cached;
}
