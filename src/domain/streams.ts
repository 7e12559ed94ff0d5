/**
 * The names of the streams the service writes: `<aggregate>-<id>`. Stores, projections, the audit
 * log and the EventStoreDB filter all read them from here.
 */
export const AGGREGATE_TYPES = ['bouncePattern', 'isp', 'apiToken'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];

export const streamPrefix = (aggregate: AggregateType): string => `${aggregate}-`;

/** The prefixes of every stream this service owns (a shared log may hold others). */
export const STREAM_PREFIXES: readonly string[] = AGGREGATE_TYPES.map(streamPrefix);

export const streamOf = (aggregate: AggregateType, id: string): string => `${streamPrefix(aggregate)}${id}`;
export const bouncePatternStream = (id: string): string => streamOf('bouncePattern', id);
export const ispStream = (id: string): string => streamOf('isp', id);
export const apiTokenStream = (id: string): string => streamOf('apiToken', id);

/**
 * Reservation streams: no aggregate of their own, they hold the claims that keep rules spanning
 * aggregates true between replicas (see reservations.ts). `ispDomain-<domain>`: which ISP owns the
 * domain; `ispUsage-<ispId>`: which patterns took the ISP, and its retirement when it is deleted.
 * They are in the log (and its hash chain) but not in the audit trail, which tells what happened to rules.
 */
export const RESERVATION_TYPES = ['ispDomain', 'ispUsage'] as const;
export type ReservationType = (typeof RESERVATION_TYPES)[number];
export const ispDomainStream = (domain: string): string => `ispDomain-${domain}`;
export const ispUsageStream = (ispId: string): string => `ispUsage-${ispId}`;
export const isReservationStream = (streamId: string): boolean =>
  RESERVATION_TYPES.some((type) => streamId.startsWith(`${type}-`));

/** Every stream the service writes to its log: the aggregates' and the reservations'. */
export const LOG_STREAM_PREFIXES: readonly string[] = [
  ...STREAM_PREFIXES,
  ...RESERVATION_TYPES.map((type) => `${type}-`),
];

export const isStreamOf = (aggregate: AggregateType, streamId: string): boolean =>
  streamId.startsWith(streamPrefix(aggregate));

/** The aggregate a stream belongs to; a stream without a dash is all type and no id. */
export function parseStream(streamId: string): { aggregateType: string; aggregateId: string } {
  const dash = streamId.indexOf('-');
  return dash < 0
    ? { aggregateType: streamId, aggregateId: '' }
    : { aggregateType: streamId.slice(0, dash), aggregateId: streamId.slice(dash + 1) };
}
