/**
 * Refusals a command can meet. They carry what a client needs to act on them;
 * the GraphQL layer maps each kind to its `extensions.code`.
 */
export abstract class DomainError extends Error {
  abstract readonly code:
    | 'BAD_USER_INPUT'
    | 'NOT_FOUND'
    | 'CONFLICT'
    | 'FORBIDDEN'
    | 'IDEMPOTENCY_KEY_REUSED'
    | 'PROTECTED_DEFAULT'
    | 'ISP_IN_USE'
    | 'NOT_DELETED'
    | 'TIME_BUDGET_EXCEEDED'
    | MessageLimitCode;
  override get name(): string {
    return this.constructor.name;
  }
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Bad input; carries every bad field of the input at once, so a form can show them together. */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  readonly fieldErrors: readonly FieldError[];

  constructor(field: string, message: string);
  constructor(fieldErrors: readonly FieldError[]);
  constructor(fieldOrErrors: string | readonly FieldError[], message = '') {
    const fieldErrors = typeof fieldOrErrors === 'string' ? [{ field: fieldOrErrors, message }] : fieldOrErrors;
    super(fieldErrors.map((error) => `${error.field}: ${error.message}`).join('; '));
    this.fieldErrors = fieldErrors;
  }

  /** The first bad field. */
  get field(): string {
    return this.fieldErrors[0]!.field;
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

/** An idempotency key sent again with another operation, input or object than the first time. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
}

/** A shipped default cannot be deleted (it can be disabled, or edited). */
export class ProtectedDefaultError extends DomainError {
  readonly code = 'PROTECTED_DEFAULT';
}

/** An ISP that patterns still point to cannot be deleted: move or delete them first. */
export class IspInUseError extends DomainError {
  readonly code = 'ISP_IN_USE';
  constructor(
    message: string,
    readonly patternCount: number,
  ) {
    super(message);
  }
}

/** Only a deleted pattern can be restored. */
export class NotDeletedError extends DomainError {
  readonly code = 'NOT_DELETED';
}

/** A request that would hold the server longer than its time budget; the part done is dropped. */
export class TimeBudgetError extends DomainError {
  readonly code = 'TIME_BUDGET_EXCEEDED';
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
