import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The AwsSolutions findings under `scope` that no `Validations.of(...).acknowledge()` covers, as
 * `severity rule at construct-path` lines (empty when clean). Warnings count: cdk-nag v3 reports a
 * plugin failure for any violation, so a warning fails `cdk synth` just like an error.
 */
export function unacknowledgedNagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
    ),
  );
}

interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
}

interface PolicyDocumentJson {
  Statement: PolicyStatementJson[];
}

interface ResourceJson {
  Type: string;
  Properties?: { PolicyDocument?: PolicyDocumentJson; Policies?: { PolicyDocument: PolicyDocumentJson }[] };
}

/** Every Allow statement with `Resource: "*"` in the template's roles and policies, as its action lists. */
export function wildcardResourceActions(template: { Resources?: Record<string, ResourceJson> }): string[][] {
  const documents = Object.values(template.Resources ?? {}).flatMap((resource) => {
    if (resource.Type === 'AWS::IAM::Policy') return [resource.Properties?.PolicyDocument];
    if (resource.Type === 'AWS::IAM::Role')
      return (resource.Properties?.Policies ?? []).map((p) => p.PolicyDocument);
    return [];
  });
  return documents
    .flatMap((document) => document?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'))
    .map((s) => [s.Action].flat());
}
