/**
 * Refusals a command can meet. They carry what a client needs to act on them;
 * the GraphQL layer maps each kind to its `extensions.code`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'TIME_BUDGET_EXCEEDED';
  override get name(): string {
    return this.constructor.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** A request that would hold the server longer than its time budget; the part done is dropped. */
export class TimeBudgetError extends DomainError {
  readonly code = 'TIME_BUDGET_EXCEEDED';
}

/** A configuration the service refuses to start with; main.ts prints its message as one line. */
export class ConfigurationError extends Error {}
