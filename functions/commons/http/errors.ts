/**
 * The edge's answer to an error: a refusal the rules decided (DomainError) or an adapter error with a
 * meaning for the caller becomes the contract's status, code and message; anything else is a 500 whose
 * detail stays in the log.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '#commons/logger.ts';
import { InvalidPageToken } from '#commons/paging.ts';
import { RETRY_AFTER_SECONDS } from '#contract/routes.ts';
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

/** Node's and undici's codes for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The AWS SDK's names for a service that is there but cannot serve now (after its own retries). */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * Why a dependency (the table, in practice) could not be reached, when that is what `error` says:
 * a connection refused, reset or timed out (the SDK passes Node's error on, sometimes inside an
 * AggregateError or as a `cause`), or the service answering that it cannot serve now. Undefined for any
 * other error. A caller can do nothing about these but retry later: 503, not 500.
 */
export function unreachableCause(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return `${code}: ${error.message}`;
  if (UNAVAILABLE_NAMES.has(error.name)) return `${error.name}: ${error.message}`;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 503) return `${error.name} (HTTP 503): ${error.message}`;
  const inner = [error.cause, ...(error instanceof AggregateError ? error.errors : [])];
  for (const cause of inner) {
    const found = unreachableCause(cause, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function toErrorResponse(error: unknown): APIGatewayProxyResult {
  const refusal = refusalOf(error);
  if (refusal) return errorResponse(refusal.status, refusal.code, refusal.message, refusal.details);
  const unreachable = unreachableCause(error);
  if (unreachable) {
    logger.error('a dependency cannot be reached: answered 503', {
      cause: unreachable,
      error: error as Error,
    });
    const response = errorResponse(
      503,
      'SERVICE_UNAVAILABLE',
      `the service cannot reach its data store right now; retry in ${RETRY_AFTER_SECONDS} seconds`,
    );
    return { ...response, headers: { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
  }
  logger.error('unhandled error', { error: error as Error });
  return errorResponse(500, 'INTERNAL_ERROR', 'something went wrong on our side; it has been logged');
}
