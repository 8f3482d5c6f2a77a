/**
 * The edge's answer to an error: a refusal the rules decided (DomainError) or an adapter error with a
 * meaning for the caller becomes the contract's status, code and message; anything else is a 500 whose
 * detail stays in the log.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '#commons/logger.ts';
import { InvalidPageToken } from '#commons/paging.ts';
import { DomainError, type FieldProblem } from '#core/errors.ts';
import { errorResponse } from './responses.ts';

/** zod issues as the contract's `details`: one entry per bad field, unknown fields named. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'is not a known field' }))
      : [{ path: issue.path.join('.') || '(body)', message: issue.message }],
  );
}

export function validationFailed(details: FieldProblem[]): DomainError {
  const fields = [...new Set(details.map((d) => d.path))].join(', ');
  return new DomainError('VALIDATION_FAILED', 400, `the request is not valid: check ${fields}`, details);
}

/** The contract's refusal for an error, if the caller is owed one (a 4xx); undefined for a fault of ours. */
export function refusalOf(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof InvalidPageToken) {
    return new DomainError('VALIDATION_FAILED', 400, error.message, [
      { path: 'nextToken', message: 'is not valid for this listing' },
    ]);
  }
  return undefined;
}

export function toErrorResponse(error: unknown): APIGatewayProxyResult {
  const refusal = refusalOf(error);
  if (refusal) return errorResponse(refusal.status, refusal.code, refusal.message, refusal.details);
  logger.error('unhandled error', { error: error as Error });
  return errorResponse(500, 'INTERNAL_ERROR', 'something went wrong on our side; it has been logged');
}
