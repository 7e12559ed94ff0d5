import { ConflictError } from '../domain/errors.js';
import { EVENT_SCHEMA_VERSION, type EventMetadata } from '../domain/events.js';
import type { Actor } from '../domain/types.js';
import { fold, type Decider } from '../domain/decider.js';
import { WrongExpectedVersion, type EventStore } from '../eventstore/port.js';
import { eventIdFor, newId } from './ids.js';

/** Who asks and why: becomes the metadata of every event the command produces. */
export interface CommandContext {
  readonly actor: Actor;
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly reason?: string | null;
}

export interface CommandResult {
  /** The aggregate's version after the command. */
  readonly version: number;
  /** Log position of the last event written, null when the command changed nothing. */
  readonly position: bigint | null;
}

export type Clock = () => Date;

/**
 * Load → decide → append: the only way anything is written. The append expects the version the
 * decision was made on, so a concurrent writer makes this command fail with CONFLICT instead of
 * interleaving; a retried command (same command id) returns the first outcome.
 */
export async function handleCommand<C, E extends { type: string; data: unknown }, S extends { version: number }>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  context: CommandContext,
  clock: Clock,
): Promise<CommandResult> {
  const commandId = context.commandId ?? newId();
  const history = await store.readStream(streamId);
  const retried = history.filter((event) => event.metadata.commandId === commandId);
  if (retried.length > 0) {
    const last = retried[retried.length - 1]!;
    return { version: last.version, position: last.position };
  }
  const state = fold(decider, history as unknown as E[]);
  const events = decider.decide(command, state);
  if (events.length === 0) return { version: state.version, position: null };

  const metadata: EventMetadata = {
    actor: context.actor,
    occurredAt: clock().toISOString(),
    commandId,
    correlationId: context.correlationId ?? commandId,
    causationId: context.causationId ?? null,
    reason: context.reason ?? null,
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  try {
    const result = await store.append(
      streamId,
      events.map((event, index) => ({
        eventId: eventIdFor(commandId, index),
        type: event.type,
        data: event.data,
        metadata,
      })),
      state.version,
    );
    return { version: result.nextVersion, position: result.position };
  } catch (error) {
    if (error instanceof WrongExpectedVersion)
      throw new ConflictError(
        `${streamId} was changed concurrently; it is now at version ${error.actual}`,
        error.actual,
      );
    throw error;
  }
}
