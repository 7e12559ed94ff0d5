import { fold } from '../domain/decider.js';
import { IspInUseError, ValidationError } from '../domain/errors.js';
import type { EventMetadata } from '../domain/events.js';
import { ispDecider, type IspState } from '../domain/isp.js';
import { bouncePatternDecider, type BouncePatternState } from '../domain/bouncePattern.js';
import {
  domainClaim,
  isPending,
  ispUsage,
  type ClaimStamp,
  type IspDomainReserved,
  type IspRetired,
  type IspUseClaimed,
} from '../domain/reservations.js';
import { bouncePatternStream, ispDomainStream, ispStream, ispUsageStream } from '../domain/streams.js';
import { WrongExpectedVersion, recorded, type EventStore, type StoredEvent } from '../eventstore/port.js';
import type { Guard } from './commandHandler.js';
import { eventIdFor } from './ids.js';

/** A stream the decision lost to another writer is read again this many times before the command gives up. */
const ATTEMPTS = 5;

/** What a claim needs: the store, and the metadata of the command that makes it. */
export interface ClaimContext {
  readonly store: EventStore;
  readonly metadata: EventMetadata;
}

type Claim = IspDomainReserved | IspUseClaimed | IspRetired;

/**
 * Reads a reservation stream, lets `decide` refuse (by throwing) or name the claim, and appends it with
 * the version read: a concurrent claim makes the append fail, and the stream is read again.
 */
async function claim(
  { store, metadata }: ClaimContext,
  streamId: string,
  decide: (events: readonly StoredEvent[]) => Promise<Claim>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const events = await store.readStream(streamId);
    const event = await decide(events);
    // Named after the command and the stream's version: a retried command claims again (the claim
    // may have been given back since), and only one of two appends at the same version lands.
    const eventId = eventIdFor(`${metadata.commandId}@${streamId}`, events.length);
    try {
      return (await store.append(streamId, [{ eventId, ...event, metadata }], events.length)).nextVersion;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** An aggregate's state from its stream, and whether the command that made `claim` appended to it. */
async function stateAfter<S>(
  store: EventStore,
  decider: { evolve: (state: S, event: never) => S; initialState: () => S },
  streamId: string,
  claim: ClaimStamp,
): Promise<{ state: S; completed: boolean }> {
  const events = (await store.readStream(streamId)).map(recorded);
  return {
    state: fold(decider, events as never[]),
    completed: events.some((event) => event.metadata.commandId === claim.commandId),
  };
}

/** Reserves each domain for the ISP; refused while another ISP holds it (or has just claimed it). */
export async function reserveDomains(context: ClaimContext, ispId: string, domains: readonly string[]) {
  const now = new Date(context.metadata.occurredAt);
  const reserved: { domain: string; version: number }[] = [];
  try {
    // One order for every writer, so two commands never hold halves of each other's domains.
    for (const domain of [...domains].sort())
      reserved.push({ domain, version: await reserveDomain(context, ispId, domain, now) });
  } catch (error) {
    // Give back what this command took; one taken over since is someone else's now.
    const { commandId } = context.metadata;
    for (const { domain, version } of reserved) {
      const streamId = ispDomainStream(domain);
      const release = { type: 'IspDomainReleased', data: { domain, ispId }, metadata: context.metadata };
      await context.store
        .append(streamId, [{ eventId: eventIdFor(`${commandId}@${streamId}`, version), ...release }], version)
        .catch(() => undefined);
    }
    throw error;
  }
}

function reserveDomain(context: ClaimContext, ispId: string, domain: string, now: Date): Promise<number> {
  return claim(context, ispDomainStream(domain), async (events) => {
    const holder = domainClaim(events);
    if (holder && holder.ispId !== ispId) {
      const isp = await stateAfter<IspState>(context.store, ispDecider, ispStream(holder.ispId), holder);
      const owner = isp.state;
      if (owner.status === 'active' && owner.fields.domains.includes(domain))
        throw new ValidationError('domains', `${domain} already belongs to ISP ${owner.fields.name} (${holder.ispId})`);
      if (isPending(holder, isp.completed, now))
        throw new ValidationError('domains', `${domain} is being given to ISP ${holder.ispId}; try again later`);
    }
    return { type: 'IspDomainReserved', data: { domain, ispId } };
  });
}

/** Records that a pattern now uses the ISP; refused once the ISP is retired (being deleted or deleted). */
export async function claimIspUse(context: ClaimContext, ispId: string, patternId: string) {
  const now = new Date(context.metadata.occurredAt);
  await claim(context, ispUsageStream(ispId), async (events) => {
    const { retired } = ispUsage(events);
    if (retired !== null) {
      const isp = await stateAfter<IspState>(context.store, ispDecider, ispStream(ispId), retired);
      if (isp.state.status !== 'active') throw new ValidationError('ispId', `no ISP with id ${ispId}`);
      if (isPending(retired, isp.completed, now)) throw new ValidationError('ispId', `ISP ${ispId} is being deleted`);
    }
    return { type: 'IspUseClaimed', data: { ispId, patternId } };
  });
}

/** Retires the ISP before it is deleted; refused while a pattern uses it (or has just claimed it). */
export async function retireIsp(context: ClaimContext, ispId: string) {
  const now = new Date(context.metadata.occurredAt);
  await claim(context, ispUsageStream(ispId), async (events) => {
    let users = 0;
    for (const [patternId, claimed] of ispUsage(events).claims) {
      const { state, completed } = await stateAfter<BouncePatternState>(
        context.store,
        bouncePatternDecider,
        bouncePatternStream(patternId),
        claimed,
      );
      if ((state.status === 'active' && state.fields.ispId === ispId) || isPending(claimed, completed, now)) users += 1;
    }
    if (users > 0)
      throw new IspInUseError(
        `ISP ${ispId} is still used by ${users} bounce pattern(s); move or delete them first`,
        users,
      );
    return { type: 'IspRetired', data: { ispId } };
  });
}

/** An ISP's claims: the domains it gains, and its retirement when it is deleted. */
export const ispGuard =
  (store: EventStore): Guard<IspState> =>
  async (before, after, metadata) => {
    const context = { store, metadata };
    if (after.status === 'active') {
      const had = before.status === 'active' ? before.fields.domains : [];
      const gained = after.fields.domains.filter((domain) => !had.includes(domain));
      if (gained.length > 0) await reserveDomains(context, after.ispId, gained);
    } else if (after.status === 'deleted' && before.status === 'active') await retireIsp(context, after.ispId);
  };

/** A pattern's claim on the ISP it comes to point at (created, moved, restored or reverted to it). */
export const patternGuard =
  (store: EventStore): Guard<BouncePatternState> =>
  async (before, after, metadata) => {
    const ispOf = (state: BouncePatternState) => (state.status === 'active' ? state.fields.ispId : null);
    const ispId = ispOf(after);
    if (ispId !== null && ispId !== ispOf(before) && after.status === 'active')
      await claimIspUse({ store, metadata }, ispId, after.patternId);
  };
