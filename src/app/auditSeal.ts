import { createPublicKey, type KeyObject } from 'node:crypto';
import { type ChainMismatch, verifyChain } from '../eventstore/chain.js';
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

export interface AuditTrailCheck {
  /** Where the trail first fails verification; null: intact, or a store that keeps no chain. */
  readonly broken: ChainMismatch | null;
  /** Writes a last checkpoint and stops signing (nothing to do without a key or on a broken trail). */
  readonly stop: () => Promise<void>;
}

const NOTHING_TO_STOP = async () => {};

/**
 * Verifies the log before the service serves it: against its signed checkpoints (then from the last one on)
 * when a signing key is given, else its whole hash chain. An intact log under a key then has its head signed
 * every `everyMs` once the events since the last checkpoint chain onto it; a broken one is left unsigned.
 */
export async function checkAuditTrail(store: EventStore, seal: AuditSealOptions | null): Promise<AuditTrailCheck> {
  const started = performance.now();
  const took = () => `${(performance.now() - started).toFixed(0)} ms`;
  if (!seal) {
    const checked = await verifyChain(store.readAll());
    if (checked.chainKept && checked.firstMismatch === null)
      console.log(`audit trail verified: hash chain of ${checked.eventsChecked} events in ${took()}`);
    return { broken: checked.firstMismatch, stop: NOTHING_TO_STOP };
  }
  const key = loadSigningKey(seal.keyFile);
  const publicKey = createPublicKey(key);
  const head = await store.headPosition();
  let checkpoints = readCheckpoints(seal.checkpointFile);
  if (checkpoints === null && head !== null && !seal.initialise)
    throw new Error(
      `the log holds events but ${seal.checkpointFile} holds no signed checkpoints (removed?): verify the log, then start once with AUDIT_CHECKPOINT_INIT=true`,
    );
  checkpoints ??= [];
  const checked = await verifyWithCheckpoints(store, checkpoints, publicKey, true);
  if (!checked.ok && checked.firstMismatch) return { broken: checked.firstMismatch, stop: NOTHING_TO_STOP };
  console.log(
    `audit trail verified against ${checkpoints.length} signed checkpoints (${checked.eventsChecked} events since the last) in ${took()}`,
  );
  return { broken: null, stop: await startSealing(store, seal, key, checkpoints.at(-1)) };
}

/** Signs the head every `everyMs`; returns the function that writes a last checkpoint and stops. */
async function startSealing(
  store: EventStore,
  options: AuditSealOptions,
  key: KeyObject,
  lastVerified: SignedCheckpoint | undefined,
): Promise<() => Promise<void>> {
  const publicKey = createPublicKey(key);
  let last = lastVerified;
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
