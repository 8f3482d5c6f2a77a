/**
 * The API's Lambda authorizer (REQUEST type, identity source: the x-api-key header). It resolves the
 * key (stored hashed) to a principal and hands `{ role, partnerId }` to the route groups as authorizer
 * context. An unknown key is "Unauthorized" (API Gateway answers 401). The policy allows every route
 * of the API because API Gateway caches it per key across routes; which routes a role may call is
 * decided by the route groups from the contract's route table.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorize } from '#app/authorize.ts';
import type { Ports } from '#app/ports.ts';
import { lambdaHandler } from '#commons/lambda.ts';
import { onFirstCall } from '#commons/lazy.ts';
import { awsPorts, dynamoDb } from '#wiring/aws.ts';

export const UNAUTHORIZED = 'Unauthorized';

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` -> the same API and stage, any route. */
export function wholeApiArn(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*/*`;
}

function apiKeyOf(event: APIGatewayRequestAuthorizerEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'x-api-key' && value) return value;
  }
  return undefined;
}

export function authorizer(ports: Pick<Ports, 'directory'>) {
  return lambdaHandler(
    async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
      const principal = await authorize(ports, apiKeyOf(event));
      if (!principal) throw new Error(UNAUTHORIZED);
      return {
        principalId: principal.role === 'ops' ? 'ops' : `partner:${principal.partnerId}`,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn(event.methodArn) },
          ],
        },
        context:
          principal.role === 'ops' ? { role: 'ops' } : { role: 'partner', partnerId: principal.partnerId },
      };
    },
  );
}

export const handler = onFirstCall(() => authorizer(awsPorts('authorizer', dynamoDb)));
