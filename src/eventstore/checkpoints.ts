import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { type ChainMismatch, type ChainVerification, verifyChain } from './chain.js';
import type { EventStore, StoredEvent } from './port.js';
import { hasValidSignature } from './signing.js';

/**
 * Signed checkpoints of the chain head, kept outside the log (a file of JSON lines) and signed with an
 * Ed25519 key the log never holds: whoever can rewrite the log cannot make checkpoints that agree with
 * a truncated, renumbered or re-hashed one.
 */
export interface SignedCheckpoint {
  readonly position: string;
  readonly hash: string;
  readonly signedAt: string;
  /** Ed25519 over `payloadOf`, base64. */
  readonly signature: string;
}

const payloadOf = (checkpoint: Omit<SignedCheckpoint, 'signature'>): Buffer =>
  Buffer.from(`bounce-patterns checkpoint ${checkpoint.position} ${checkpoint.hash} ${checkpoint.signedAt}`);

/** The private key (PEM, PKCS#8) that signs; its public half verifies. */
export const loadSigningKey = (path: string): KeyObject => createPrivateKey(readFileSync(path));

/** A public key, or the public half of a private one (PEM). */
export const loadVerifyingKey = (path: string): KeyObject => createPublicKey(readFileSync(path));

export function signCheckpoint(key: KeyObject, position: bigint, hash: string, at = new Date()): SignedCheckpoint {
  const unsigned = { position: String(position), hash, signedAt: at.toISOString() };
  return { ...unsigned, signature: sign(null, payloadOf(unsigned), key).toString('base64') };
}

/** The checkpoints of a file, oldest first; null when there is no such file. */
export function readCheckpoints(path: string): SignedCheckpoint[] | null {
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SignedCheckpoint);
}

/** Appends a checkpoint and syncs it to disk before returning. */
export function appendCheckpoint(path: string, checkpoint: SignedCheckpoint): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function eventAt(store: EventStore, position: bigint): Promise<StoredEvent | undefined> {
  for await (const event of store.readAll({ after: position - 1n, maxCount: 1 })) return event;
  return undefined;
}

const mismatch = (position: bigint, reason: string, event?: StoredEvent): ChainMismatch => ({
  position,
  eventId: event?.eventId ?? '',
  streamId: event?.streamId ?? '',
  reason,
});

/**
 * Checks every checkpoint's signature and that the log still holds, at its position, the event with
 * its hash; then recomputes the chain from the last checkpoint on (`incremental`) or from the start.
 */
export async function verifyWithCheckpoints(
  store: EventStore,
  checkpoints: readonly SignedCheckpoint[],
  key: KeyObject,
  incremental: boolean,
): Promise<ChainVerification> {
  const failed = (found: ChainMismatch): ChainVerification => ({
    ok: false,
    chainKept: true,
    eventsChecked: 0,
    mismatches: 1,
    firstMismatch: found,
    headPosition: null,
    headHash: null,
  });
  for (const checkpoint of checkpoints) {
    const position = BigInt(checkpoint.position);
    if (!verify(null, payloadOf(checkpoint), key, Buffer.from(checkpoint.signature, 'base64')))
      return failed(
        mismatch(position, 'a checkpoint does not carry a valid signature: the checkpoint file was altered'),
      );
    const event = await eventAt(store, position);
    if (event?.position !== position)
      return failed(
        mismatch(position, 'the log no longer holds the event of a signed checkpoint: it was truncated or renumbered'),
      );
    if (event.hash !== checkpoint.hash)
      return failed(
        mismatch(
          position,
          'the event differs from the signed checkpoint: the log was rewritten, re-hashed or renumbered',
          event,
        ),
      );
  }
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  // Every event after the first checkpoint was appended by a holder of the key, so carries its signature;
  // those before it may predate the key (a log sealed with AUDIT_CHECKPOINT_INIT).
  const signedAfter = first ? BigInt(first.position) : null;
  let unsigned: StoredEvent | undefined;
  async function* checkingSignatures(events: AsyncIterable<StoredEvent>) {
    for await (const event of events) {
      if (!unsigned && signedAfter !== null && event.position > signedAfter && !hasValidSignature(event, key))
        unsigned = event;
      yield event;
    }
  }
  const chain =
    incremental && last
      ? await verifyChain(checkingSignatures(store.readAll({ after: BigInt(last.position) })), last.hash)
      : await verifyChain(checkingSignatures(store.readAll()));
  if (!chain.ok || !unsigned) return chain;
  return failed(
    mismatch(
      unsigned.position,
      "the event carries no valid signature by the service's key: it was written behind its back",
      unsigned,
    ),
  );
}
