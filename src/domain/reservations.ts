/**
 * Claims on reservation streams, as events: what makes "a domain in one ISP only" and "an ISP in use
 * cannot be deleted" hold between replicas. Every command that gives an ISP a domain, points a pattern
 * at an ISP or deletes an ISP first appends a claim with the version of the reservation stream it read;
 * of two replicas racing, the store lets one append and refuses the other, which reads again and sees
 * the winner's claim.
 */
export type IspDomainReserved = { type: 'IspDomainReserved'; data: { domain: string; ispId: string } };
/** Withdraws a reservation its command could not complete (another of its domains was taken). */
export type IspDomainReleased = { type: 'IspDomainReleased'; data: { domain: string; ispId: string } };
export type IspUseClaimed = { type: 'IspUseClaimed'; data: { ispId: string; patternId: string } };
/** Appended before `IspDeleted`: from then on no pattern may claim the ISP. */
export type IspRetired = { type: 'IspRetired'; data: { ispId: string } };
export type ReservationEvent = IspDomainReserved | IspDomainReleased | IspUseClaimed | IspRetired;

/**
 * How long a claim counts although the aggregate it was made for does not show it (yet): the command
 * appends its aggregate's events right after the claim, so an older such claim was left by a command
 * that failed or died in between, and may be taken over. Generous for clock skew between replicas.
 */
export const RESERVATION_GRACE_MS = 120_000;

interface Stamped {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly occurredAt: string; readonly commandId: string };
}

/** Who made a claim and when: its command shows in the aggregate's stream once that command completed. */
export interface ClaimStamp {
  readonly commandId: string;
  readonly occurredAt: string;
}

const stampOf = (event: Stamped): ClaimStamp => ({
  commandId: event.metadata.commandId,
  occurredAt: event.metadata.occurredAt,
});

/**
 * Whether a claim still counts although its aggregate does not show it: its command has not appended
 * (`completed`: false) and it is younger than the grace period.
 */
export const isPending = (claim: ClaimStamp, completed: boolean, now: Date): boolean =>
  !completed && now.getTime() - Date.parse(claim.occurredAt) < RESERVATION_GRACE_MS;

/** The ISP that last reserved a domain (null once released). */
export function domainClaim(events: readonly Stamped[]): (ClaimStamp & { ispId: string }) | null {
  const last = events.at(-1);
  return last?.type === 'IspDomainReserved'
    ? { ispId: (last.data as IspDomainReserved['data']).ispId, ...stampOf(last) }
    : null;
}

export interface IspUsage {
  /** Each pattern that claimed the ISP, with its last claim. */
  readonly claims: ReadonlyMap<string, ClaimStamp>;
  /** The ISP's retirement, unless a claim came after (the deletion was abandoned). */
  readonly retired: ClaimStamp | null;
}

export function ispUsage(events: readonly Stamped[]): IspUsage {
  const claims = new Map<string, ClaimStamp>();
  let retired: ClaimStamp | null = null;
  for (const event of events) {
    if (event.type === 'IspUseClaimed') {
      claims.set((event.data as IspUseClaimed['data']).patternId, stampOf(event));
      retired = null;
    } else if (event.type === 'IspRetired') retired = stampOf(event);
  }
  return { claims, retired };
}
