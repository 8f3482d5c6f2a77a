/** The contract's response shapes: JSON bodies, the error object, and raw (non-JSON) answers. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldProblem } from '#core/errors.ts';

const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  statusCode: number,
  error: string,
  message: string,
  details?: FieldProblem[],
): APIGatewayProxyResult {
  return json(statusCode, details && details.length > 0 ? { error, message, details } : { error, message });
}

/** A handler's answer that is not JSON (the iCalendar feed). */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly text: string,
    readonly headers: Record<string, string> = {},
  ) {}

  toResponse(statusCode: number): APIGatewayProxyResult {
    return {
      statusCode,
      headers: { ...BASE_HEADERS, 'content-type': this.contentType, ...this.headers },
      body: this.text,
    };
  }
}
