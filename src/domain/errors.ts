/**
 * Refusals a command can meet. They carry what a client needs to act on them;
 * the GraphQL layer maps each kind to its `extensions.code`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | MessageLimitCode;
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

export type MessageLimitCode = 'MESSAGE_TOO_LARGE' | 'MESSAGE_TOO_COMPLEX';

/** A bounce message over a bound (size, header bytes, nesting, parts): refused before or while parsing. */
export class MessageLimitError extends DomainError {
  constructor(
    readonly code: MessageLimitCode,
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}
