import { createHash } from 'node:crypto';
import { fold, type Decider } from '../domain/decider.js';
import { ConflictError, IdempotencyKeyReusedError, NotFoundError, ValidationError } from '../domain/errors.js';
import { EVENT_SCHEMA_VERSION, type EventMetadata } from '../domain/events.js';
import { LIMITS } from '../domain/limits.js';
import type { Actor } from '../domain/types.js';
import { requireOptionalReason } from '../domain/validation.js';
import { StoreUnavailable, WrongExpectedVersion, recorded, type EventStore } from '../eventstore/port.js';
import { eventIdFor, newId } from './ids.js';
import type { ProjectionRunner } from './projectionRunner.js';
import type { ReadModel } from './readModel.js';
import { AUDITED } from './timeTravel.js';

/** Who asks and why: becomes the metadata of every event the command produces. */
export interface CommandContext {
  readonly actor: Actor;
  /** Retries with the same command id are applied once; fixed by system commands, else per request. */
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly reason?: string | null;
}

/** What a client sends along with a mutation. */
export interface CommandRequest {
  readonly actor: Actor;
  readonly correlationId?: string;
  readonly reason?: string | null;
  /** The client's idempotency key: a retried request with the same key is applied once. */
  readonly clientMutationId?: string | null;
}

/** The command metadata of a client's request; its idempotency key is scoped to the actor. */
export function commandContextOf(request: CommandRequest): CommandContext {
  const key = request.clientMutationId;
  if (key != null && (key.length === 0 || key.length > LIMITS.idLength))
    throw new ValidationError('clientMutationId', `must be 1 to ${LIMITS.idLength} characters`);
  return {
    actor: request.actor,
    correlationId: request.correlationId,
    reason: requireOptionalReason(request.reason),
    // Scoped to the actor, so two clients cannot collide on the same key.
    commandId: key == null ? undefined : `${request.actor.id}:${key}`,
  };
}

export type Clock = () => Date;

/** What every command handler is bound to. */
export interface CommandDeps {
  readonly store: EventStore;
  readonly runner: ProjectionRunner;
  readonly clock: Clock;
}

/** How one aggregate is handled: its decider, its stream, and its row in the read model. */
export interface AggregateOptions<C, E extends { type: string; data: unknown }, S extends { version: number }, Row> {
  readonly entity: string;
  readonly decider: Decider<C, E, S>;
  readonly streamOf: (id: string) => string;
  /** The aggregate's row, deleted ones included. */
  readonly rowOf: (model: ReadModel, id: string) => Row | undefined;
  /** What an idempotency key is bound to: the command less what the service generated (default: all of it). */
  readonly requestOf?: (command: C) => unknown;
  /** Claims on reservation streams the decision needs (rules spanning aggregates), made before its events are appended. */
  readonly guard?: Guard<S>;
}

/** Given the state before and after a decision, appends the claims it needs or refuses it (see reservations.ts). */
export type Guard<S> = (before: S, after: S, metadata: EventMetadata) => Promise<void>;

export interface CommandOutcome<Row> {
  /** The aggregate's version after the command. */
  readonly version: number;
  /** Log position of the last event written, null when the command changed nothing. */
  readonly position: bigint | null;
  /** The aggregate's row once the read model (lists and classify) includes the command. */
  readonly row: Row;
  /** Whether the command had been applied already (a retry): nothing was written now. */
  readonly retried: boolean;
}

export type CommandHandler<C, Row> = (id: string, command: C, context: CommandContext) => Promise<CommandOutcome<Row>>;

/**
 * Binds an aggregate's command handling once: load → decide → append with the version the
 * decision was made on (a concurrent writer makes the command fail with CONFLICT instead of
 * interleaving) → wait until the read model holds the result, so the caller reads its own write.
 * A retried command (same command id and same command) returns the first outcome; the same id
 * with another command or on another aggregate is refused.
 */
export function CommandHandler<C, E extends { type: string; data: unknown }, S extends { version: number }, Row>(
  deps: CommandDeps,
  options: AggregateOptions<C, E, S, Row>,
): CommandHandler<C, Row> {
  return async (id, command, context) => {
    // A write the read model would never show is refused before it is appended: a retry would repeat it.
    if (!deps.runner.healthy) throw new ProjectionsStopped();
    const streamId = options.streamOf(id);
    // Stores recognise a retried event id within its stream only: a key is kept to one object here.
    const keyedStream = context.commandId && (await streamOfCommand(deps.store, context.commandId));
    if (keyedStream && keyedStream !== streamId)
      throw new IdempotencyKeyReusedError('this idempotency key was already used on another object');
    const request = options.requestOf?.(command) ?? command;
    const result = await handleCommand(deps.store, options.decider, streamId, command, context, deps.clock, {
      request,
      guard: options.guard,
    });
    await readBack(deps, result.position);
    const row = options.rowOf(deps.runner.model, id);
    if (!row) throw new NotFoundError(options.entity, id);
    return { ...result, row };
  };
}

/** How often a write waiting for the read model checks that the store can still be reached. */
const REACHABILITY_CHECK_MS = 100;

/**
 * Waits until the read model holds `position`. A store that went down right after the append would keep
 * the caller waiting until it returns: the write is then answered STORE_UNAVAILABLE instead, and a retry
 * with the same command id, once the store is back, gets the first outcome.
 */
async function readBack(deps: CommandDeps, position: bigint | null): Promise<void> {
  const { store } = deps;
  if (!store.isReachable) return deps.runner.waitFor(position);
  let timer: NodeJS.Timeout | undefined;
  const unreachable = new Promise<never>((_, reject) => {
    const check = () => {
      if (store.isReachable!()) timer = setTimeout(check, REACHABILITY_CHECK_MS);
      else
        reject(new StoreUnavailable('the change was written, but the event store cannot be reached to read it back'));
    };
    timer = setTimeout(check, REACHABILITY_CHECK_MS);
  });
  try {
    await Promise.race([deps.runner.waitFor(position), unreachable]);
  } finally {
    clearTimeout(timer);
  }
}

/** The aggregate's stream a command id wrote to first (its claims on reservation streams aside), if any. */
async function streamOfCommand(store: EventStore, commandId: string): Promise<string | undefined> {
  const [first] = await store.readLog({ ...AUDITED, commandId }, { limit: 1 });
  return first?.streamId;
}

/** The projections stopped following the log: the service takes no writes until it is restarted. */
export class ProjectionsStopped extends Error {
  constructor() {
    super('the projections stopped following the event log; nothing was written');
    this.name = 'ProjectionsStopped';
  }
}

/** Load → decide → append, without waiting for the read model: what a handler runs, and what tools that fill a log use. */
export async function handleCommand<C, E extends { type: string; data: unknown }, S extends { version: number }>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  context: CommandContext,
  clock: Clock,
  { request = command, guard }: { request?: unknown; guard?: Guard<S> } = {},
): Promise<{ version: number; position: bigint | null; retried: boolean }> {
  const commandId = context.commandId ?? newId();
  const commandHash = digest(request);
  const history = (await store.readStream(streamId)).map(recorded);
  const retried = history.filter((event) => event.metadata.commandId === commandId);
  if (retried.length > 0) {
    const last = retried[retried.length - 1]!;
    if (last.metadata.commandHash !== null && last.metadata.commandHash !== commandHash)
      throw new IdempotencyKeyReusedError('this idempotency key was already used for a different request');
    return { version: last.version, position: last.position, retried: true };
  }
  const state = fold(decider, history as unknown as E[]);
  const events = decider.decide(command, state);
  if (events.length === 0) return { version: state.version, position: null, retried: false };

  const metadata: EventMetadata = {
    actor: context.actor,
    occurredAt: clock().toISOString(),
    commandId,
    commandHash,
    correlationId: context.correlationId ?? commandId,
    causationId: context.causationId ?? null,
    reason: context.reason ?? null,
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  const toAppend = events.map((event, index) => ({
    eventId: eventIdFor(commandId, index),
    type: event.type,
    data: event.data,
    metadata,
  }));
  await guard?.(state, events.reduce(decider.evolve, state), metadata);
  let result: Awaited<ReturnType<EventStore['append']>>;
  try {
    result = await store.append(streamId, toAppend, state.version);
  } catch (error) {
    if (error instanceof WrongExpectedVersion)
      throw new ConflictError(
        `${streamId} was changed concurrently; it is now at version ${error.actual}`,
        error.actual,
      );
    throw error;
  }
  return { version: result.nextVersion, position: result.position, retried: false };
}

/** A digest of the command: what the same idempotency key must carry again to count as a retry. */
function digest(command: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(command)))
    .digest('hex');
}

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
};

/** Runs a command that a concurrent start may already have run; null when it lost that race. */
export async function unlessConcurrentlyDone<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
}
