import { createPublicKey } from 'node:crypto';
import {
  appendCheckpoint,
  eventAt,
  loadSigningKey,
  readCheckpoints,
  signCheckpoint,
  verifyWithCheckpoints,
  type SignedCheckpoint,
} from '../eventstore/checkpoints.js';
import type { EventStore } from '../eventstore/port.js';

export interface AuditSealOptions {
  /** Ed25519 private key (PEM), kept outside the log. */
  readonly keyFile: string;
  /** Where signed checkpoints of the head go (JSON lines), outside the log. */
  readonly checkpointFile: string;
  readonly everyMs: number;
  /** Start a checkpoint file for a log that already holds events (once, after a `verify`). */
  readonly initialise: boolean;
}

/**
 * Verifies the log against its signed checkpoints before the service serves it (refusing a tampered log:
 * the error says where), then signs the head every `everyMs` once the events since the last checkpoint
 * chain onto it. Returns the function that writes a last checkpoint and stops.
 */
export async function startAuditSeal(store: EventStore, options: AuditSealOptions): Promise<() => Promise<void>> {
  const key = loadSigningKey(options.keyFile);
  const publicKey = createPublicKey(key);
  const head = await store.headPosition();
  let checkpoints = readCheckpoints(options.checkpointFile);
  if (checkpoints === null && head !== null && !options.initialise)
    throw new Error(
      `the log holds events but ${options.checkpointFile} holds no signed checkpoints (removed?): verify the log, then start once with AUDIT_CHECKPOINT_INIT=true`,
    );
  checkpoints ??= [];
  const started = performance.now();
  const checked = await verifyWithCheckpoints(store, checkpoints, publicKey, true);
  if (!checked.ok && checked.firstMismatch) {
    const { position, reason } = checked.firstMismatch;
    throw new Error(`audit trail broken at position ${position}: ${reason}`);
  }
  console.log(
    `audit trail verified against ${checkpoints.length} signed checkpoints (${checked.eventsChecked} events since the last) in ${(performance.now() - started).toFixed(0)} ms`,
  );
  let last: SignedCheckpoint | undefined = checkpoints.at(-1);
  let broken = false;

  const seal = async () => {
    if (broken) return;
    const position = await store.headPosition();
    if (position === null || (last && BigInt(last.position) === position)) return;
    // Only a head whose events chain onto the last signed one is signed: a rewrite since is not blessed.
    const since = await verifyWithCheckpoints(store, last ? [last] : [], publicKey, true);
    const event = await eventAt(store, position);
    if (!since.ok || !event?.hash) {
      broken = true;
      console.error(
        `ALARM: the audit trail no longer chains onto the last signed checkpoint (${since.firstMismatch?.reason ?? 'no hash'}); no further checkpoints are signed`,
      );
      return;
    }
    last = signCheckpoint(key, position, event.hash);
    appendCheckpoint(options.checkpointFile, last);
  };
  await seal();
  let sealing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sealing = sealing.then(seal).catch((error: unknown) => console.error('signing a checkpoint failed:', error));
  }, options.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sealing;
    await seal().catch((error: unknown) => console.error('signing a checkpoint failed:', error));
  };
}
