/**
 * Errors a service may throw when a caller asked for something that cannot be done. The global
 * filter maps each kind to its HTTP status; anything else is an unexpected fault (500).
 */
export type ErrorKind =
  'validation' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'gone' | 'unprocessable' | 'payload_too_large' | 'too_many_requests' | 'unavailable';

/** One bad field: its dotted path and what is wrong with it. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly kind = 'validation';

  static fields(problems: FieldProblem[]): ValidationError {
    const shown = problems.map(withShownName);
    const names = shown.map((p) => p.field).join(', ');
    return new ValidationError(`Invalid input: ${names}`, shown);
  }
}

/** What a field's name looks like: the DTOs' names, dotted paths and array indexes. */
const FIELD_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;

/**
 * The problem with its field named, if the name is one; else with a stand-in. A name that is no name
 * holds whatever the client sent (a JSON body sent as a form is one field named by the whole JSON,
 * password included), and an error never echoes it, in its fields or its problems.
 */
function withShownName(problem: FieldProblem): FieldProblem {
  if (FIELD_NAME.test(problem.field)) return problem;
  const field = problem.field === '' ? '(a field with an empty name)' : `(a field whose name of ${problem.field.length} characters is not shown)`;
  return { field, problems: problem.problems.map((text) => (problem.field === '' ? text : text.split(problem.field).join(field))) };
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

export class GoneError extends DomainError {
  readonly kind = 'gone';
}

/** Well-formed, but cannot be done as sent (an Idempotency-Key reused with another request). */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}

export class PayloadTooLargeError extends DomainError {
  readonly kind = 'payload_too_large';
}

export class TooManyRequestsError extends DomainError {
  readonly kind = 'too_many_requests';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}
