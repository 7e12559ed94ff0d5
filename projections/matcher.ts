import type RE2 from 're2';
import { LIMITS } from '../src/domain/limits.js';
import { compilePattern, parsePattern } from '../src/domain/regex.js';
import { normaliseReply, parseReplyCodes, type ReplyCodes } from '../src/domain/reply.js';
import type { BounceType, BouncePatternFields } from '../src/domain/types.js';
import { BitStateProgram } from './bitState.js';
import { indexedLiteral, LiteralIndex } from './literalIndex.js';
import { byRuleOrder } from '../src/domain/ruleOrder.js';
import { analyseParsed } from './patternLiterals.js';

export { analysePattern, type PatternAnalysis } from './patternLiterals.js';

/*
 * The compiled matcher `classify` reads. Rules are matched on RE2 (linear time), and indexed by the
 * literal text each pattern's matches must contain: one Aho-Corasick pass over the reply yields the
 * few rules worth running, which are then tried in rule order. Rules without such text are tried on
 * every reply.
 */

/** What the matcher needs of a bounce pattern (a row of the pattern list satisfies it). */
export interface MatcherRule extends BouncePatternFields {
  readonly id: string;
  /** Log position of the pattern's creation: breaks priority ties (earlier first). */
  readonly createdPosition: bigint;
}

export interface MatcherIsp {
  readonly id: string;
  readonly name: string;
  readonly domains: readonly string[];
}

export const MATCHED_BY = ['PATTERN', 'REPLY_CODE', 'NONE'] as const;
export type MatchedBy = (typeof MATCHED_BY)[number];

export interface ClassifyRequest {
  readonly reply: string;
  /** A recipient address (user@example.com) or a bare domain. */
  readonly recipient?: string | null;
  /** Explicit ISP; wins over the recipient's domain. */
  readonly ispId?: string | null;
}

export interface Classification {
  readonly type: BounceType;
  readonly matchedBy: MatchedBy;
  /** The rule that matched, null when the verdict comes from a fallback. */
  readonly rule: MatcherRule | null;
  readonly message: string;
  readonly isp: MatcherIsp | null;
  readonly replyCode: string | null;
  readonly enhancedStatusCode: string | null;
  /** Position of the last event the matcher was built from (null: empty log). */
  readonly rulesetVersion: bigint | null;
}

export interface Matcher {
  readonly rulesetVersion: bigint | null;
  classify(request: ClassifyRequest): Classification;
}

/** Sizes of a compiled matcher, for logs and the benchmark. */
export interface MatcherStats {
  /** Enabled rules whose pattern compiled and whose ISP is known. */
  readonly rules: number;
  /** Of those, the rules tried on every reply (no literal). */
  readonly unindexedRules: number;
  readonly literals: number;
  readonly indexStates: number;
}

/** A compiled matcher's inner parts, read only. */
export interface MatcherParts {
  /** The rules classify may try (enabled, compiled, ISP known), in rule order. */
  readonly rules: readonly MatcherRule[];
  sourceOf(pattern: string): CompiledSource;
  resolveIsp(request: ClassifyRequest): MatcherIsp | null;
}

/** A pattern source compiled once; a rebuild reuses it from the previous matcher. */
export interface CompiledSource {
  /** null: the pattern does not compile, and its rules are skipped. */
  readonly regex: RE2 | null;
  /** The pattern as a program for ASCII replies (bitState.ts); null: RE2 only (and for rules without literals). */
  readonly program: BitStateProgram | null;
  /** The pattern's necessary literal sets as the index holds them (cut to MAX_INDEXED_LITERAL_LENGTH). */
  readonly literalSets: readonly (readonly string[])[];
}

/**
 * Literals are cut to this length in the index: a prefix of a literal every match contains is one too.
 * Measured on the shipped rules and both reply corpora, 12 characters instead of 32 try 1.26 instead of
 * 1.18 patterns per reply, with the same verdicts, and at 10,000 rules halve the automaton (31,809
 * states instead of 61,693), whose table is what `classify` waits on when it misses the CPU caches.
 */
const MAX_INDEXED_LITERAL_LENGTH = 12;
const ALL_ISPS = -1;
const NON_ASCII = /[\u0080-\uffff]/;
/** The group of a request without ISP: only All-ISPs rules apply. */
const NO_ISP = -2;

export interface MatcherOptions {
  /** false: every rule runs on RE2, none as a program (bitState.ts); the benchmark compares both. */
  readonly programs?: boolean;
}

export function compileMatcher(
  rules: Iterable<MatcherRule>,
  isps: Iterable<MatcherIsp>,
  rulesetVersion: bigint | null,
  previous?: Matcher,
  options: MatcherOptions = {},
): CompiledMatcher {
  return runToEnd(CompiledMatcher.build(rules, isps, rulesetVersion, previous, options));
}

/**
 * The same build as a generator that yields every few hundred units of work, so that the projection
 * runner can spread a rebuild over several turns of the event loop while the previous matcher keeps
 * answering `classify`.
 */
export function compileMatcherInSteps(
  rules: Iterable<MatcherRule>,
  isps: Iterable<MatcherIsp>,
  rulesetVersion: bigint | null,
  previous?: Matcher,
): Generator<void, CompiledMatcher, void> {
  return CompiledMatcher.build(rules, isps, rulesetVersion, previous);
}

export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Rules (or literals) handled between two points where a build may pause. */
const STEP = 512;

/** Immutable once built; the projection runner swaps whole matchers. */
export class CompiledMatcher implements Matcher {
  readonly #ispsById = new Map<string, MatcherIsp>();
  readonly #ispsByDomain = new Map<string, MatcherIsp>();
  readonly #groupOfIsp = new Map<string, number>();
  readonly #sources: ReadonlyMap<string, CompiledSource>;
  /** Rules in rule order (priority, then creation), with their regex and group (ISP index or ALL_ISPS). */
  readonly #rules: readonly MatcherRule[];
  /** Distinct compiled patterns, and the one of each rule: rules sharing a pattern run it once per reply. */
  readonly #regexes: readonly RE2[];
  readonly #programs: readonly (BitStateProgram | null)[];
  readonly #regexOfRank: Int32Array;
  readonly #groups: Int32Array;
  readonly #index: LiteralIndex;
  /** Literal id → ranks of the rules indexed under it: `#ranks[#rankStart[id] .. #rankStart[id + 1]]`. */
  readonly #rankStart: Int32Array;
  readonly #ranks: Int32Array;
  readonly #unindexedRanks: Int32Array;
  // Scratch for one classify call. Calls are synchronous, so they never interleave on one matcher.
  readonly #foundLiterals: Int32Array;
  readonly #candidateKeys: Int32Array;
  readonly #seen: Uint32Array;
  /** Per distinct pattern: the epoch it was last run in, and whether it matched then. */
  readonly #ranAt: Uint32Array;
  readonly #matched: Uint8Array;
  #epoch = 0;

  private constructor(
    readonly rulesetVersion: bigint | null,
    parts: {
      isps: readonly MatcherIsp[];
      sources: ReadonlyMap<string, CompiledSource>;
      rules: readonly MatcherRule[];
      groupOfIsp: ReadonlyMap<string, number>;
      index: LiteralIndex;
      rankStart: Int32Array;
      ranks: Int32Array;
      unindexedRanks: Int32Array;
      programs: boolean;
    },
  ) {
    for (const isp of parts.isps) {
      this.#ispsById.set(isp.id, isp);
      this.#groupOfIsp.set(isp.id, parts.groupOfIsp.get(isp.id)!);
      for (const domain of isp.domains) this.#ispsByDomain.set(domain.toLowerCase(), isp);
    }
    this.#sources = parts.sources;
    this.#rules = parts.rules;
    const regexIds = new Map<string, number>();
    this.#regexOfRank = Int32Array.from(parts.rules, (rule) => {
      const id = regexIds.get(rule.pattern);
      if (id !== undefined) return id;
      regexIds.set(rule.pattern, regexIds.size);
      return regexIds.size - 1;
    });
    this.#regexes = [...regexIds.keys()].map((pattern) => parts.sources.get(pattern)!.regex!);
    this.#programs = [...regexIds.keys()].map((pattern) =>
      parts.programs ? parts.sources.get(pattern)!.program : null,
    );
    this.#groups = Int32Array.from(parts.rules, (rule) =>
      rule.ispId === null ? ALL_ISPS : parts.groupOfIsp.get(rule.ispId)!,
    );
    this.#index = parts.index;
    this.#rankStart = parts.rankStart;
    this.#ranks = parts.ranks;
    this.#unindexedRanks = parts.unindexedRanks;
    this.#foundLiterals = new Int32Array(parts.index.literalCount);
    this.#candidateKeys = new Int32Array(parts.rules.length);
    this.#seen = new Uint32Array(parts.rules.length);
    this.#ranAt = new Uint32Array(this.#regexes.length);
    this.#matched = new Uint8Array(this.#regexes.length);
  }

  static *build(
    rules: Iterable<MatcherRule>,
    isps: Iterable<MatcherIsp>,
    rulesetVersion: bigint | null,
    previous?: Matcher,
    options: MatcherOptions = {},
  ): Generator<void, CompiledMatcher, void> {
    const reusable = previous instanceof CompiledMatcher ? previous.#sources : undefined;
    const sources = new Map<string, CompiledSource>();
    const usable: MatcherRule[] = [];
    let work = 0;
    for (const rule of rules) {
      if (++work % STEP === 0) yield;
      if (!rule.enabled) continue;
      let source = sources.get(rule.pattern);
      if (source === undefined) {
        source = reusable?.get(rule.pattern) ?? compileSource(rule.pattern);
        sources.set(rule.pattern, source);
      }
      if (source.regex !== null) usable.push(rule);
    }
    usable.sort(byRuleOrder);
    yield;

    const directory = [...isps];
    const groupOfIsp = new Map(directory.map((isp, group) => [isp.id, group]));
    // A rule of an ISP missing from the directory can never be a candidate.
    const applicable = usable.filter((rule) => rule.ispId === null || groupOfIsp.has(rule.ispId));
    const literalSets = applicable.map((rule) => sources.get(rule.pattern)!.literalSets);
    yield;
    const sharing = yield* countSharing(literalSets);
    const ranksByLiteral = new Map<string, number[]>();
    const unindexed: number[] = [];
    for (let rank = 0; rank < literalSets.length; rank++) {
      const sets = literalSets[rank]!;
      if (sets.length === 0) unindexed.push(rank);
      for (const literal of leastShared(sets, sharing)) {
        // Keyed as the index tells literals apart: literals it cannot tell apart share their rules.
        const key = indexedLiteral(literal);
        const ranks = ranksByLiteral.get(key);
        if (ranks === undefined) ranksByLiteral.set(key, [rank]);
        else if (ranks[ranks.length - 1] !== rank) ranks.push(rank);
      }
      if (rank % STEP === STEP - 1) yield;
    }
    const index = yield* LiteralIndex.build([...ranksByLiteral.keys()]);
    yield;
    const rankStart = new Int32Array(ranksByLiteral.size + 1);
    const ranks = new Int32Array([...ranksByLiteral.values()].reduce((total, list) => total + list.length, 0));
    let at = 0;
    let id = 0;
    for (const list of ranksByLiteral.values()) {
      rankStart[id++] = at;
      ranks.set(list, at);
      at += list.length;
    }
    rankStart[id] = at;
    return new CompiledMatcher(rulesetVersion, {
      isps: directory,
      sources,
      rules: applicable,
      groupOfIsp,
      index,
      rankStart,
      ranks,
      unindexedRanks: Int32Array.from(unindexed),
      programs: options.programs ?? true,
    });
  }

  get stats(): MatcherStats {
    return {
      rules: this.#rules.length,
      unindexedRules: this.#unindexedRanks.length,
      literals: this.#index.literalCount,
      indexStates: this.#index.stateCount,
    };
  }

  /** What `explainClassification` (explain.ts) reads to retrace `classify` step by step. */
  explainParts(): MatcherParts {
    return {
      rules: this.#rules,
      sourceOf: (pattern) => this.#sources.get(pattern)!,
      resolveIsp: (request) => this.#resolveIsp(request),
    };
  }

  classify(request: ClassifyRequest): Classification {
    const reply = normaliseReply(request.reply);
    const codes = parseReplyCodes(reply);
    const isp = this.#resolveIsp(request);
    const rank = this.#firstMatch(reply, isp === null ? NO_ISP : this.#groupOfIsp.get(isp.id)!);
    if (rank < 0) return fallback(codes, isp, this.rulesetVersion);
    const rule = this.#rules[rank]!;
    // Literals with every field, not spreads: this object is made for every reply.
    return {
      type: rule.type,
      matchedBy: 'PATTERN',
      rule,
      message: rule.message,
      isp,
      replyCode: codes.replyCode,
      enhancedStatusCode: codes.enhancedStatusCode,
      rulesetVersion: this.rulesetVersion,
    };
  }

  #resolveIsp(request: ClassifyRequest): MatcherIsp | null {
    if (request.ispId !== undefined && request.ispId !== null) return this.#ispsById.get(request.ispId) ?? null;
    let domain = recipientDomain(request.recipient);
    while (domain !== null) {
      const isp = this.#ispsByDomain.get(domain);
      if (isp !== undefined) return isp;
      domain = parentDomain(domain);
    }
    return null;
  }

  /**
   * The rank of the first rule, in the request's order, that matches; -1 if none.
   * Candidates are keyed so that one numeric sort gives that order: the ISP's own rules (key = rank)
   * before the All-ISPs rules (key = rule count + rank).
   */
  #firstMatch(reply: string, group: number): number {
    const ruleCount = this.#rules.length;
    if (ruleCount === 0) return -1;
    const epoch = this.#nextEpoch();
    const keys = this.#candidateKeys;
    let candidates = 0;
    const found = this.#index.search(reply, this.#foundLiterals);
    for (let i = 0; i < found; i++) {
      const id = this.#foundLiterals[i]!;
      for (let at = this.#rankStart[id]!, end = this.#rankStart[id + 1]!; at < end; at++) {
        const key = this.#candidateKey(this.#ranks[at]!, group, epoch);
        if (key >= 0) keys[candidates++] = key;
      }
    }
    for (let i = 0; i < this.#unindexedRanks.length; i++) {
      const key = this.#candidateKey(this.#unindexedRanks[i]!, group, epoch);
      if (key >= 0) keys[candidates++] = key;
    }
    if (candidates === 0) return -1;
    sortPrefix(keys, candidates);
    const ascii = !NON_ASCII.test(reply);
    // RE2 matches UTF-8: given a string, every regex would convert the reply again; a Buffer is read as is.
    let input: Buffer | null = null;
    for (let i = 0; i < candidates; i++) {
      const key = keys[i]!;
      const rank = key >= ruleCount ? key - ruleCount : key;
      const regex = this.#regexOfRank[rank]!;
      if (this.#ranAt[regex] !== epoch) {
        this.#ranAt[regex] = epoch;
        // A rarely hit rule's RE2 automaton is cold in the CPU caches; its small program is not (bitState.ts).
        const program = ascii ? this.#programs[regex]! : null;
        let matched = program?.usable(reply.length) ? program.test(reply) : null;
        if (matched === null) {
          input ??= Buffer.from(reply, 'utf8');
          matched = this.#regexes[regex]!.test(input);
        }
        this.#matched[regex] = matched ? 1 : 0;
      }
      if (this.#matched[regex] === 1) return rank;
    }
    return -1;
  }

  /** The rule's sort key if it applies to the group and is not a candidate yet, else -1. */
  #candidateKey(rank: number, group: number, epoch: number): number {
    const ruleGroup = this.#groups[rank]!;
    if ((ruleGroup !== ALL_ISPS && ruleGroup !== group) || this.#seen[rank] === epoch) return -1;
    this.#seen[rank] = epoch;
    return ruleGroup === ALL_ISPS ? this.#rules.length + rank : rank;
  }

  #nextEpoch(): number {
    if (this.#epoch === 0xffffffff) {
      this.#seen.fill(0);
      this.#ranAt.fill(0);
      this.#epoch = 0;
    }
    return ++this.#epoch;
  }
}

/** Sorts `keys[0 .. count)` in place: a few candidates are the rule, and a view plus a native sort cost more. */
function sortPrefix(keys: Int32Array, count: number): void {
  if (count > 16) {
    keys.subarray(0, count).sort();
    return;
  }
  for (let i = 1; i < count; i++) {
    const key = keys[i]!;
    let at = i;
    for (; at > 0 && keys[at - 1]! > key; at--) keys[at] = keys[at - 1]!;
    keys[at] = key;
  }
}

export function compileSource(pattern: string): CompiledSource {
  let regex: RE2 | null;
  try {
    regex = compilePattern(pattern);
  } catch {
    // Validation refuses such patterns at write time; one that slipped through is skipped, never thrown.
    regex = null;
  }
  if (regex === null) return { regex, program: null, literalSets: [] };
  const parsed = parsePattern(pattern);
  const literalSets = analyseParsed(parsed).literalSets.map((set) => [
    ...new Set(set.map((literal) => literal.slice(0, MAX_INDEXED_LITERAL_LENGTH))),
  ]);
  // A rule without literals runs on every reply, so its RE2 automaton stays warm and scans faster than a
  // program would, unless the pattern is anchored at the start: then the program makes one attempt.
  const compiled = BitStateProgram.compile(parsed);
  const program = literalSets.length > 0 || compiled?.anchored === true ? compiled : null;
  return { regex, program, literalSets };
}

/** How many rules each literal could index. */
function* countSharing(
  literalSetsByRule: readonly (readonly (readonly string[])[])[],
): Generator<void, Map<string, number>, void> {
  const sharing = new Map<string, number>();
  const ofRule = new Set<string>();
  for (let rank = 0; rank < literalSetsByRule.length; rank++) {
    ofRule.clear();
    for (const set of literalSetsByRule[rank]!) for (const literal of set) ofRule.add(literal);
    for (const literal of ofRule) sharing.set(literal, (sharing.get(literal) ?? 0) + 1);
    if (rank % STEP === STEP - 1) yield;
  }
  return sharing;
}

/**
 * Of a rule's necessary literal sets, the one fewest other rules share: a phrase that a thousand rules
 * contain would make all of them candidates whenever it appears, while a reference code like `[ts04]`
 * makes only its own rule one. Ties go to the longer literals, which occur in fewer replies.
 */
function leastShared(sets: readonly (readonly string[])[], sharing: ReadonlyMap<string, number>): readonly string[] {
  let chosen: readonly string[] = [];
  let chosenShared = Infinity;
  let chosenShortest = 0;
  for (const set of sets) {
    const shared = set.reduce((total, literal) => total + sharing.get(literal)!, 0);
    const shortest = Math.min(...set.map((literal) => literal.length));
    if (shared < chosenShared || (shared === chosenShared && shortest > chosenShortest)) {
      chosen = set;
      chosenShared = shared;
      chosenShortest = shortest;
    }
  }
  return chosen;
}

/** `user@Mail.Example.com`, `<user@mail.example.com>` or `mail.example.com.` → `mail.example.com`. */
export function recipientDomain(recipient: string | null | undefined): string | null {
  if (recipient === undefined || recipient === null) return null;
  const address = recipient.trim();
  let end = address.endsWith('>') ? address.length - 1 : address.length;
  if (address.charCodeAt(end - 1) === 0x2e) end--;
  const start = Math.max(address.lastIndexOf('@') + 1, address.startsWith('<') ? 1 : 0);
  const domain = end > start ? address.slice(start, end).toLowerCase() : '';
  return domain.length === 0 || domain.length > LIMITS.domainLength ? null : domain;
}

/** `mx1.mail.example.com` → `mail.example.com` → `example.com` → null: a bare TLD is never an ISP's. */
export function parentDomain(domain: string): string | null {
  const parent = domain.slice(domain.indexOf('.') + 1);
  return domain.includes('.') && parent.includes('.') ? parent : null;
}

/** No rule matched: the reply code class decides, and a guess is never a hard bounce. */
export function fallback(codes: ReplyCodes, isp: MatcherIsp | null, rulesetVersion: bigint | null): Classification {
  const code = codes.replyCode ?? codes.enhancedStatusCode;
  const temporary = code?.startsWith('4') === true;
  return {
    type: temporary ? 'SOFT_BOUNCE' : 'BOUNCE',
    matchedBy: code === null ? 'NONE' : 'REPLY_CODE',
    rule: null,
    message:
      code === null
        ? 'No pattern matched and the reply carries no reply code: failed, not retried.'
        : temporary
          ? `No pattern matched; reply code ${code} is a temporary failure: retry.`
          : `No pattern matched; reply code ${code} is not a temporary failure: not retried.`,
    isp,
    replyCode: codes.replyCode,
    enhancedStatusCode: codes.enhancedStatusCode,
    rulesetVersion,
  };
}
