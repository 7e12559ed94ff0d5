import { compileMatcher, type ClassifyRequest, type MatcherIsp, type MatcherRule } from '../projections/matcher.js';
import { compilePattern, type CompiledPattern } from '../src/domain/regex.js';
import { normaliseReply } from '../src/domain/reply.js';
import type { BounceType } from '../src/domain/types.js';
import { seededRandom } from '../test/support/random.js';

/**
 * In-process `classify` figures: the indexed matcher side by side with a naive first-match loop over
 * the same rules in the same order, on the same RE2 patterns, for several rule-set sizes.
 */

/** Phrases real receiving servers send, by the verdict a rule on them would give. */
const PHRASES: Record<BounceType, readonly string[]> = {
  HARD_BOUNCE: [
    'user unknown',
    'no such user',
    'mailbox unavailable',
    'recipient address rejected',
    'does not exist',
    'account disabled',
    'mailbox not found',
    'invalid recipient',
    'unknown recipient',
    'no mailbox here by that name',
    'user not found',
    'account has been disabled',
    'recipient not found',
    'address does not exist',
    'mailbox is disabled',
    'no such recipient',
    'unrouteable address',
    'bad destination mailbox address',
    'the email account that you tried to reach does not exist',
    'recipient rejected',
    "user doesn't have a yahoo.com account",
  ],
  SOFT_BOUNCE: [
    'mailbox full',
    'over quota',
    'quota exceeded',
    'try again later',
    'greylisted',
    'rate limited',
    'too many connections',
    'temporarily deferred',
    'insufficient system storage',
    'service unavailable',
    'mailbox is full',
    'exceeded storage allocation',
    'too many messages',
    'please retry later',
    'temporary failure',
    'resources temporarily unavailable',
    'connection rate limit exceeded',
  ],
  BOUNCE: [
    'spam detected',
    'message rejected',
    'blocked',
    'listed at spamhaus',
    'dmarc policy',
    'spf check failed',
    'message too big',
    'content rejected',
    'poor reputation',
    'policy violation',
    'relay access denied',
    'message size exceeds fixed limit',
    'suspected spam',
    'blocked using barracuda reputation',
    'unauthenticated email is not accepted',
    'access denied',
    'rejected due to dkim failure',
    'sender address rejected',
    'ip address is on a block list',
  ],
};
const TYPES: readonly BounceType[] = ['HARD_BOUNCE', 'SOFT_BOUNCE', 'BOUNCE'];
/** Text around the phrase that no rule looks for. */
const FILLER = [
  'please contact your administrator',
  'for more information see the help page',
  'id=3f2a9c',
  'in reply to RCPT TO command',
  'from host mx.example.net',
  'learn more at https://postmaster.example.com',
  'queue id 4XyZ12',
  'ok',
];
/** Unmatched replies: failures no rule knows about. */
const UNKNOWN_FAILURES = [
  'transaction failed',
  'requested action aborted',
  'local error in processing',
  'syntax error in parameters',
  'command not implemented',
  'bad sequence of commands',
  'error: timeout exceeded',
  'connection dropped',
];

const ISP_COUNT = 20;
const ALL_ISPS_SHARE = 0.6;
const NO_LITERAL_SHARE = 0.003;

export interface BenchCorpus {
  readonly isps: readonly MatcherIsp[];
  readonly rules: readonly MatcherRule[];
  readonly requests: readonly ClassifyRequest[];
}

/**
 * `ruleCount` rules (mixed ISP scopes, varied priorities, a few without literal text) and `replyCount`
 * requests, about 70% of which some rule matches.
 */
export function generateCorpus(ruleCount: number, replyCount: number, seed = 1): BenchCorpus {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const isps: MatcherIsp[] = Array.from({ length: ISP_COUNT }, (_, i) => ({
    id: `isp-${i}`,
    name: `ISP ${i}`,
    domains: [`isp${i}.example`, `mail${i}.example`],
  }));
  // A rule's reference code (like Yahoo's [TSS04] or Outlook's S3150) is what tells rules on one phrase apart.
  const renders: string[] = [];
  const rules: MatcherRule[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const type = pick(TYPES);
    const phrase = pick(PHRASES[type]);
    const reference = `${pick(['TS', 'CS', 'RL', 'BL', 'AUP#', 'S'])}${1000 + i}`;
    const escaped = phrase.replace(/[.?]/g, '\\$&');
    let pattern: string;
    let render: string;
    const shape = random();
    if (random() < NO_LITERAL_SHARE) {
      // A bare code, nothing else: no literal text to index by, so tried on every reply.
      pattern = `^[45]\\d\\d\\s[45]\\.\\d+\\.\\d+$`;
      render = '550 5.1.1';
    } else if (shape < 0.4) {
      pattern = `${escaped}.*\\[${reference}\\]`;
      render = `${phrase} (${pick(FILLER)}) [${reference}]`;
    } else if (shape < 0.7) {
      pattern = `(${reference}|ref:? ?${reference.toLowerCase()})\\b.*${escaped}`;
      render = `${reference} ${phrase}`;
    } else if (shape < 0.9) {
      const other = pick(PHRASES[type]).replace(/[.?]/g, '\\$&');
      pattern = `(${escaped}|${other}) \\(#?[45]\\.\\d\\.\\d+\\) ${reference}`;
      render = `${phrase} (#5.1.1) ${reference}`;
    } else {
      pattern = `${reference}: (?:the )?${escaped}s?`;
      render = `${reference}: the ${phrase}`;
    }
    renders.push(render);
    rules.push({
      id: `rule-${i}`,
      name: `${type} ${reference}`,
      type,
      ispId: random() < ALL_ISPS_SHARE ? null : pick(isps).id,
      pattern,
      message: `${type}: ${phrase}`,
      priority: Math.floor(random() * 10) * 10,
      enabled: random() < 0.97,
      createdPosition: BigInt(i + 1),
    });
  }
  const requests: ClassifyRequest[] = Array.from({ length: replyCount }, () => {
    const code = pick(['550 5.1.1', '554 5.7.1', '452 4.2.2', '421 4.7.0', '550']);
    const ruleIndex = Math.floor(random() * ruleCount);
    const rule = rules[ruleIndex]!;
    const matching = random() < 0.78;
    const body = matching ? renders[ruleIndex]! : `${pick(UNKNOWN_FAILURES)} ${pick(FILLER)}`;
    const text = `${code} ${random() < 0.5 ? body.toUpperCase() : body} ${pick(FILLER)}`;
    // Mostly the rule's own ISP, so that the rule applies; sometimes a domain no ISP serves.
    const isp =
      rule.ispId !== null && random() < 0.9 ? isps.find((candidate) => candidate.id === rule.ispId)! : pick(isps);
    const recipient = random() < 0.1 ? 'someone@unlisted.example' : `someone@mx.${isp.domains[0]}`;
    return { reply: random() < 0.2 ? text.replace(/ (?=\S+$)/, '\r\n550-') : text, recipient };
  });
  return { isps, rules, requests };
}

/** The loop the index replaces: every applicable rule, in rule order, until one matches. */
class NaiveMatcher {
  readonly #orderByIsp = new Map<string | null, { rule: MatcherRule; regex: CompiledPattern }[]>();
  readonly #ispByDomain = new Map<string, MatcherIsp>();

  constructor(rules: readonly MatcherRule[], isps: readonly MatcherIsp[]) {
    const compiled = rules
      .filter((rule) => rule.enabled)
      .map((rule) => ({ rule, regex: compilePattern(rule.pattern) }))
      .sort((a, b) => a.rule.priority - b.rule.priority || Number(a.rule.createdPosition - b.rule.createdPosition));
    const general = compiled.filter((entry) => entry.rule.ispId === null);
    this.#orderByIsp.set(null, general);
    for (const isp of isps) {
      this.#orderByIsp.set(isp.id, [...compiled.filter((entry) => entry.rule.ispId === isp.id), ...general]);
      for (const domain of isp.domains) this.#ispByDomain.set(domain, isp);
    }
  }

  classify(request: ClassifyRequest): MatcherRule | null {
    const reply = normaliseReply(request.reply);
    let domain = request.recipient!.slice(request.recipient!.indexOf('@') + 1);
    let isp: MatcherIsp | undefined;
    while (isp === undefined && domain.includes('.')) {
      isp = this.#ispByDomain.get(domain);
      domain = domain.slice(domain.indexOf('.') + 1);
    }
    for (const { rule, regex } of this.#orderByIsp.get(isp?.id ?? null)!) if (regex.test(reply)) return rule;
    return null;
  }
}

export interface Timing {
  readonly calls: number;
  readonly perSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
}

/** Steady-state timings, measured in rounds: the spread of their p99 is the machine's noise. */
export interface RoundTimings {
  readonly rounds: readonly Timing[];
  /** The round with the median p99. */
  readonly median: Timing;
}

export interface ClassifyBenchResult {
  readonly rules: number;
  readonly buildMillis: number;
  /** Rebuild after editing one rule, reusing the previous matcher's compiled patterns. */
  readonly rebuildMillis: number;
  readonly literals: number;
  readonly indexStates: number;
  readonly unindexedRules: number;
  readonly matchedShare: number;
  /** Requests on which the indexed matcher and the naive loop disagreed (must be 0). */
  readonly disagreements: number;
  /**
   * The first pass over the requests on a new matcher: RE2 builds each pattern's automaton lazily, the
   * first time the pattern runs, so a rule's first hit after a start costs more than its later ones.
   */
  readonly firstPass: Timing;
  readonly indexed: RoundTimings;
  /** The same index with every rule on RE2 (no programs: bitState.ts), timed in alternate rounds. */
  readonly re2Only: RoundTimings;
  readonly naive: Timing;
  readonly speedup: number;
  /**
   * The machine's noise floor: a loop of constant work, calibrated to the matcher's p50 and timed the same
   * way in the same run. Whatever makes its p99 exceed its p50 is not the matcher.
   */
  readonly control: RoundTimings;
}

/** Times `call` on `calls` requests in turn from `offset`, one hrtime reading per call. */
function time(
  requests: readonly ClassifyRequest[],
  calls: number,
  call: (request: ClassifyRequest) => unknown,
  offset = 0,
): Timing {
  const samples = new Float64Array(calls);
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const before = process.hrtime.bigint();
    call(requests[(offset + i) % requests.length]!);
    samples[i] = Number(process.hrtime.bigint() - before) / 1_000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  samples.sort();
  return {
    calls,
    perSecond: calls / seconds,
    p50Micros: samples[Math.floor(calls * 0.5)]!,
    p99Micros: samples[Math.floor(calls * 0.99)]!,
  };
}

/**
 * `rounds` timings of `calls` calls each for every caller, continuing through the requests; callers
 * take turns round by round, so that a change in the machine's speed falls on all of them.
 */
function timeRounds(
  requests: readonly ClassifyRequest[],
  rounds: number,
  calls: number,
  ...callers: ((request: ClassifyRequest) => unknown)[]
): RoundTimings[] {
  const timings = callers.map((): Timing[] => []);
  for (let round = 0; round < rounds; round++)
    for (const [i, call] of callers.entries()) timings[i]!.push(time(requests, calls, call, round * calls));
  return timings.map((ofCaller) => {
    const byP99 = [...ofCaller].sort((a, b) => a.p99Micros - b.p99Micros);
    return { rounds: ofCaller, median: byP99[Math.floor(rounds / 2)]! };
  });
}

/** Sums a fixed array `repeats` times: the same work on every call. */
function constantWork(repeats: number): () => number {
  const values = Float64Array.from({ length: 1_000 }, (_, i) => i);
  return () => {
    let sum = 0;
    for (let r = 0; r < repeats; r++) for (let i = 0; i < values.length; i++) sum += values[i]!;
    return sum;
  };
}

/** Constant work timed like the matcher, its repeats chosen so that its p50 is about `p50Micros`. */
function noiseFloor(requests: readonly ClassifyRequest[], rounds: number, calls: number, p50Micros: number) {
  const probe = time(requests, 2_000, constantWork(10));
  const work = constantWork(Math.max(1, Math.round((10 * p50Micros) / probe.p50Micros)));
  return timeRounds(requests, rounds, calls, work)[0]!;
}

export interface ClassifyBenchOptions {
  readonly ruleCounts?: readonly number[];
  /** Timed calls of the indexed matcher per round, and rounds per rule count. */
  readonly calls?: number;
  readonly rounds?: number;
  /** Rough time budget of the naive loop per rule count; it gets fewer calls when it is slow. */
  readonly naiveMillis?: number;
}

export function benchClassify(options: ClassifyBenchOptions = {}): ClassifyBenchResult[] {
  const { ruleCounts = [100, 1_000, 10_000], calls = 20_000, rounds = 5, naiveMillis = 3_000 } = options;
  return ruleCounts.map((ruleCount) => {
    const { isps, rules, requests } = generateCorpus(ruleCount, 5_000, ruleCount);
    let started = process.hrtime.bigint();
    const matcher = compileMatcher(rules, isps, 1n);
    const buildMillis = Number(process.hrtime.bigint() - started) / 1e6;
    const edited = rules.map((rule, i) =>
      i === Math.floor(ruleCount / 2) ? { ...rule, pattern: `${rule.pattern}|edited rule` } : rule,
    );
    started = process.hrtime.bigint();
    compileMatcher(edited, isps, 2n, matcher);
    const rebuildMillis = Number(process.hrtime.bigint() - started) / 1e6;

    const firstPass = time(requests, requests.length, (request) => matcher.classify(request));
    // The same matcher with every rule on RE2, built apart so that RE2's automata are its own.
    const re2Matcher = compileMatcher(rules, isps, 1n, undefined, { programs: false });
    for (const request of requests) re2Matcher.classify(request);
    const [indexed, re2Only] = timeRounds(
      requests,
      rounds,
      calls,
      (request) => matcher.classify(request),
      (request) => re2Matcher.classify(request),
    ) as [RoundTimings, RoundTimings];
    const control = noiseFloor(requests, rounds, calls, indexed.median.p50Micros);
    // The naive loop last: its thousands of regexes, each run on every reply, would weigh on the timings above.
    const naive = new NaiveMatcher(rules, isps);
    let disagreements = 0;
    let matched = 0;
    for (const request of requests) {
      const expected = naive.classify(request);
      if (expected !== null) matched++;
      if (matcher.classify(request).rule !== expected) disagreements++;
    }
    const probe = time(requests, 200, (request) => naive.classify(request));
    const naiveCalls = Math.max(500, Math.min(calls, Math.floor((naiveMillis * 1_000) / (1e6 / probe.perSecond))));
    const naiveTiming = time(requests, naiveCalls, (request) => naive.classify(request));
    const { stats } = matcher;
    return {
      rules: ruleCount,
      buildMillis,
      rebuildMillis,
      literals: stats.literals,
      indexStates: stats.indexStates,
      unindexedRules: stats.unindexedRules,
      matchedShare: matched / requests.length,
      disagreements,
      firstPass,
      indexed,
      re2Only,
      naive: naiveTiming,
      speedup: indexed.median.perSecond / naiveTiming.perSecond,
      control,
    };
  });
}

export function printClassifyBench(results: readonly ClassifyBenchResult[]): void {
  const range = (values: readonly number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  const rows = results.map((result) => ({
    rules: result.rules,
    'build ms': result.buildMillis.toFixed(1),
    'rebuild ms': result.rebuildMillis.toFixed(1),
    'literals/states': `${result.literals}/${result.indexStates}`,
    'no literal': result.unindexedRules,
    matched: `${(result.matchedShare * 100).toFixed(0)}%`,
    'indexed /s': Math.round(result.indexed.median.perSecond),
    'p50 µs': result.indexed.median.p50Micros.toFixed(1),
    'p99 µs': result.indexed.median.p99Micros.toFixed(1),
    'p99 µs, rounds': range(result.indexed.rounds.map((round) => round.p99Micros)),
    'RE2 only p50/p99 µs': `${result.re2Only.median.p50Micros.toFixed(1)}/${result.re2Only.median.p99Micros.toFixed(1)}`,
    'control p50/p99 µs': `${result.control.median.p50Micros.toFixed(1)}/${result.control.median.p99Micros.toFixed(1)}`,
    'first pass p50/p99 µs': `${result.firstPass.p50Micros.toFixed(1)}/${result.firstPass.p99Micros.toFixed(1)}`,
    'naive /s': Math.round(result.naive.perSecond),
    'naive p99 µs': result.naive.p99Micros.toFixed(1),
    speedup: `${result.speedup.toFixed(0)}×`,
    disagree: result.disagreements,
  }));
  console.log(
    'classify, in process (indexed matcher vs naive first-match loop, same RE2 patterns). p50/p99: the round with ' +
      'the median p99 of the rounds after a first pass over the requests; the spread of the rounds is the noise of ' +
      "the machine. First pass: each request once on a new matcher (RE2 builds a pattern's automaton on its first run). " +
      'RE2 only: the same index with every rule on RE2, timed in alternate rounds. ' +
      'Control: constant work calibrated to the p50, timed the same way: its p99 is the p99 the machine adds.',
  );
  console.table(rows);
}
