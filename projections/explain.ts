import { normaliseReply, parseReplyCodes } from '../src/domain/reply.js';
import { byRuleOrder } from '../src/domain/ruleOrder.js';
import { foldedCodeOf } from './literalIndex.js';
import {
  compileSource,
  fallback,
  parentDomain,
  recipientDomain,
  type Classification,
  type ClassifyRequest,
  type CompiledMatcher,
  type CompiledSource,
  type MatcherIsp,
  type MatcherRule,
} from './matcher.js';

/*
 * `classify` retraced step by step for an operator: the same normalisation, ISP resolution, rule order,
 * compiled regexes and fallback as the compiled matcher (its exported parts), with every decision named.
 * The literal index is replaced by a plain scan for each rule's literals, which finds the same rules.
 */

export const TRIAL_OUTCOMES = ['WON', 'NO_MATCH', 'LOST_TO_EARLIER', 'DISABLED', 'OTHER_ISP'] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

export interface RuleTrial {
  readonly rule: MatcherRule;
  /** Whether the rule is the ISP's own (tried first) or an All-ISPs rule. */
  readonly ispSpecific: boolean;
  /** false: the pattern has no literal text, so the rule is tried on every reply. */
  readonly indexed: boolean;
  /** Whether its regex matches the reply. */
  readonly matched: boolean;
  /**
   * WON: the first match, it decided; NO_MATCH: tried, did not match; LOST_TO_EARLIER: matches, but a
   * rule tried before it won; DISABLED / OTHER_ISP: would match, but is disabled / scoped to another ISP.
   */
  readonly outcome: TrialOutcome;
}

export const ISP_FOUND_BY = ['ISP_ID', 'DOMAIN', 'NONE'] as const;
export type IspFoundBy = (typeof ISP_FOUND_BY)[number];

export interface IspResolution {
  readonly foundBy: IspFoundBy;
  /** The recipient's domain and its parents, in the order looked up. */
  readonly domainsTried: readonly string[];
  /** The domain that named the ISP. */
  readonly domain: string | null;
  readonly isp: MatcherIsp | null;
}

export interface Explanation {
  readonly normalisedReply: string;
  readonly ispResolution: IspResolution;
  /** In the order classify considers them: the rules tried, then those that would match but could not. */
  readonly trials: readonly RuleTrial[];
  /** Rules classify never tried on this reply: their indexed text is absent from it. */
  readonly rulesWithTextAbsent: number;
  /** Rules whose text is present but that come after the winner and do not match either. */
  readonly rulesNotReached: number;
  /** What classify answers. */
  readonly verdict: Classification;
  /** Why the fallback decided, when no rule matched. */
  readonly fallbackReason: string | null;
}

/**
 * Explains `matcher.classify(request)`. `allRules` adds the rules the matcher leaves out (disabled),
 * to show the ones that would have matched.
 */
export function explainClassification(
  matcher: CompiledMatcher,
  allRules: Iterable<MatcherRule>,
  request: ClassifyRequest,
): Explanation {
  const parts = matcher.explainParts();
  const reply = normaliseReply(request.reply);
  const folded = foldForIndex(reply);
  const codes = parseReplyCodes(reply);
  const isp = parts.resolveIsp(request);
  const ispResolution = resolution(request, isp);
  const textPresent = (source: CompiledSource) =>
    source.literalSets.every((set) => set.some((literal) => folded.includes(literal)));

  const own = parts.rules.filter((rule) => isp !== null && rule.ispId === isp.id);
  const general = parts.rules.filter((rule) => rule.ispId === null);
  const trials: RuleTrial[] = [];
  let winner: MatcherRule | null = null;
  let absent = 0;
  let notReached = 0;
  for (const rule of [...own, ...general]) {
    const source = parts.sourceOf(rule.pattern);
    if (!textPresent(source)) {
      absent++;
      continue;
    }
    const matched = source.regex!.test(reply);
    const base = { rule, ispSpecific: rule.ispId !== null, indexed: source.literalSets.length > 0, matched };
    if (winner === null) {
      if (matched) winner = rule;
      trials.push({ ...base, outcome: matched ? 'WON' : 'NO_MATCH' });
    } else if (matched) trials.push({ ...base, outcome: 'LOST_TO_EARLIER' });
    else notReached++;
  }

  // Rules classify does not hold for this request, shown when they would have matched.
  const held = new Set(parts.rules.map((rule) => rule.id));
  const others = [...allRules].filter((rule) => !held.has(rule.id) || rule.ispId !== null).sort(byRuleOrder);
  for (const rule of others) {
    const outcome = !rule.enabled ? 'DISABLED' : rule.ispId !== null && rule.ispId !== isp?.id ? 'OTHER_ISP' : null;
    if (outcome === null) continue;
    const source = (rule.enabled && parts.sourceOf(rule.pattern)) || compileSource(rule.pattern);
    if (source.regex?.test(reply))
      trials.push({
        rule,
        ispSpecific: rule.ispId !== null,
        indexed: source.literalSets.length > 0,
        matched: true,
        outcome,
      });
  }

  const verdict: Classification =
    winner === null
      ? fallback(codes, isp, matcher.rulesetVersion)
      : {
          type: winner.type,
          matchedBy: 'PATTERN',
          rule: winner,
          message: winner.message,
          isp,
          ...codes,
          rulesetVersion: matcher.rulesetVersion,
        };
  return {
    normalisedReply: reply,
    ispResolution,
    trials,
    rulesWithTextAbsent: absent,
    rulesNotReached: notReached,
    verdict,
    fallbackReason: winner === null ? verdict.message : null,
  };
}

function resolution(request: ClassifyRequest, isp: MatcherIsp | null): IspResolution {
  if (request.ispId !== undefined && request.ispId !== null)
    return { foundBy: isp === null ? 'NONE' : 'ISP_ID', domainsTried: [], domain: null, isp };
  const domainsTried: string[] = [];
  for (let domain = recipientDomain(request.recipient); domain !== null; domain = parentDomain(domain)) {
    domainsTried.push(domain);
    if (isp?.domains.some((own) => own.toLowerCase() === domain))
      return { foundBy: 'DOMAIN', domainsTried, domain, isp };
  }
  return { foundBy: 'NONE', domainsTried, domain: null, isp: null };
}

/** The text as the literal index scans it: ASCII lower-cased, other letters folded as RE2 folds them. */
function foldForIndex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out +=
      code < 128
        ? String.fromCharCode(code >= 65 && code <= 90 ? code + 32 : code)
        : code === 0x17f
          ? 's'
          : code === 0x212a
            ? 'k'
            : String.fromCharCode(foldedCodeOf(code));
  }
  return out;
}
