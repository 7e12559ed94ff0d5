import { isDeepStrictEqual } from 'node:util';
import type { EventStore, StoredEvent } from './port.js';

export interface MigrationProgress {
  /** Source events this run has looked at, including those the target already had. */
  readonly read: number;
  /** Events this run appended to the target. */
  readonly copied: number;
  /** Source position of the last event handled. */
  readonly position: bigint;
}

export interface MigrateOptions {
  /** Called after every appended event; throwing stops the copy, which a rerun resumes. */
  onProgress?: (progress: MigrationProgress) => void;
  /** Source events checked against the target as one block while looking for where to resume. */
  resumeBlockSize?: number;
}

/**
 * Copies the whole log of `source` into `target`, in log order, keeping event ids, streams, versions,
 * types, data and metadata. Each event is appended with expected version = its version - 1, so the
 * target ends up with the very same streams (a target that diverged fails with WrongExpectedVersion).
 *
 * Resumable: an interrupted copy left the target holding a prefix of the source log. A rerun skips
 * whole blocks of source events whose last event the target already has (one stream read per block,
 * instead of reading the whole target) and replays the block where the copy stopped: appends of events
 * already there are recognised by event id and write nothing.
 */
export async function migrateLog(
  source: EventStore,
  target: EventStore,
  options: MigrateOptions = {},
): Promise<MigrationProgress> {
  const blockSize = options.resumeBlockSize ?? 500;
  let progress: MigrationProgress = { read: 0, copied: 0, position: 0n };
  let resuming = (await target.headPosition()) !== null;
  let block: StoredEvent[] = [];

  const copy = async (event: StoredEvent) => {
    await target.append(event.streamId, [event], event.version - 1);
    progress = { ...progress, copied: progress.copied + 1, position: event.position };
    options.onProgress?.(progress);
  };
  const flush = async () => {
    if (block.length === 0) return;
    const last = block[block.length - 1]!;
    if (await targetHas(target, last)) {
      progress = { ...progress, position: last.position };
    } else {
      resuming = false;
      for (const event of block) await copy(event);
    }
    block = [];
  };

  for await (const event of source.readAll()) {
    progress = { ...progress, read: progress.read + 1 };
    if (!resuming) {
      await copy(event);
      continue;
    }
    block.push(event);
    if (block.length === blockSize) await flush();
  }
  await flush();
  return progress;
}

async function targetHas(target: EventStore, event: StoredEvent): Promise<boolean> {
  const stream = await target.readStream(event.streamId);
  const copied = stream[event.version - 1];
  if (copied && copied.eventId !== event.eventId) {
    throw new Error(
      `target is not a copy of the source: ${event.streamId} version ${event.version} holds ${copied.eventId}, not ${event.eventId}`,
    );
  }
  return copied !== undefined;
}

export interface CopyDifference {
  /** Index of the event in log order (0-based). */
  readonly index: number;
  readonly field:
    | 'missing in target'
    | 'extra in target'
    | 'eventId'
    | 'streamId'
    | 'version'
    | 'type'
    | 'data'
    | 'metadata';
  readonly source: unknown;
  readonly target: unknown;
}

const COMPARED = ['eventId', 'streamId', 'version', 'type', 'data', 'metadata'] as const;

/**
 * Compares both logs event by event, in order. Positions and hashes are the store's own and may differ.
 * Returns the first difference, or null when the target is an exact copy.
 */
export async function verifyCopy(source: EventStore, target: EventStore): Promise<CopyDifference | null> {
  const sourceEvents = source.readAll()[Symbol.asyncIterator]();
  const targetEvents = target.readAll()[Symbol.asyncIterator]();
  try {
    for (let index = 0; ; index++) {
      const [fromSource, fromTarget] = await Promise.all([sourceEvents.next(), targetEvents.next()]);
      if (fromSource.done && fromTarget.done) return null;
      if (fromSource.done) return { index, field: 'extra in target', source: undefined, target: fromTarget.value };
      if (fromTarget.done) return { index, field: 'missing in target', source: fromSource.value, target: undefined };
      const field = COMPARED.find((name) => !isDeepStrictEqual(fromSource.value[name], fromTarget.value[name]));
      if (field) return { index, field, source: fromSource.value[field], target: fromTarget.value[field] };
    }
  } finally {
    await Promise.all([sourceEvents.return?.(), targetEvents.return?.()]);
  }
}
