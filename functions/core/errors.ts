/**
 * A refusal decided by the rules: the code and HTTP status of the API contract, and a sentence
 * for the caller. The core returns refusals; handlers throw them as `DomainError` and one error
 * middleware answers with the contract's shape.
 */
export interface Refusal<Code extends string = string> {
  readonly ok: false;
  readonly code: Code;
  readonly status: 400 | 403 | 404 | 409 | 413 | 422;
  readonly message: string;
}

export function refuse<Code extends string>(
  code: Code,
  status: Refusal['status'],
  message: string,
): Refusal<Code> {
  return { ok: false, code, status, message };
}

export interface FieldProblem {
  path: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }

  static from(refusal: Refusal): DomainError {
    return new DomainError(refusal.code, refusal.status, refusal.message);
  }
}

export function hasCode(error: unknown, code: string): error is DomainError {
  return error instanceof DomainError && error.code === code;
}
