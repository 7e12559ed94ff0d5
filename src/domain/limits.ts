/** Bounds on what a rule or a reply may hold; they keep every request's cost predictable. */
export const LIMITS = {
  nameLength: 200,
  /** Ids, idempotency keys, token secrets and search text. */
  idLength: 200,
  searchLength: 200,
  patternLength: 1_000,
  /** Estimated compiled size of a pattern (regex.ts): what bounds its time on a maximal reply. */
  patternSize: 2_000,
  messageLength: 2_000,
  reasonLength: 1_000,
  ispNameLength: 200,
  domainsPerIsp: 500,
  domainLength: 253,
  /** Longer replies are cut to this many characters before matching (SMTP lines are at most 512). */
  replyLength: 4_096,
  classifyBatchSize: 1_000,
  priority: { min: -1_000_000, max: 1_000_000 },
} as const;
