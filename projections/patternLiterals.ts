import type { AST } from '@eslint-community/regexpp';
import { parsePattern } from '../src/domain/regex.js';

/**
 * The literal text a pattern's every match must contain, so the matcher can index rules by it and
 * run a rule's regex only on replies that hold one of its literals.
 * Literals are case-folded to lower case, the form the index scans (see literalIndex.ts).
 */
export interface PatternAnalysis {
  /**
   * The longest such text: every match contains at least one of these (one per branch of an
   * alternation). Empty when the pattern has none.
   */
  readonly literals: readonly string[];
  /** false: no usable literal, so the rule is tried on every reply. */
  readonly indexed: boolean;
  /**
   * Every literal set found, each one necessary (`literals` is one of them): `spam.*\[TS04\]` gives
   * [["spam"], ["[ts04]"]]. The matcher indexes a rule under the set the fewest other rules share.
   */
  readonly literalSets: readonly (readonly string[])[];
}

/** Shorter literals are found in nearly every reply: they would cost an index hit and save nothing. */
export const MIN_LITERAL_LENGTH = 3;
/** Bound on the finite sets of strings tracked through a pattern (`colou?r` → color, colour). */
const MAX_EXACT_STRINGS = 64;
/** Longest repetition expanded into exact strings (`x{2,3}`). */
const MAX_EXPANDED_REPEAT = 8;

const NOT_INDEXED: PatternAnalysis = { literals: [], indexed: false, literalSets: [] };

type LiteralSet = readonly string[];

/**
 * What a sub-pattern tells about its matches, over case-folded text:
 * `exact`: every string it can match, when that is a small finite set (`''` for zero-width parts);
 * `required`: sets of which every match contains a member of each (an AND of ORs; no set holds `''`).
 * Unknown (`null`, `[]`) is always safe: a missing literal only costs speed, a wrong one loses matches.
 */
interface Knowledge {
  readonly exact: LiteralSet | null;
  readonly required: readonly LiteralSet[];
}

const UNKNOWN: Knowledge = { exact: null, required: [] };
const ZERO_WIDTH: Knowledge = { exact: [''], required: [] };

/** A pattern the JavaScript parser does not read (RE2-only syntax: see parsePattern) is simply not indexed. */
export function analysePattern(source: string): PatternAnalysis {
  return analyseParsed(parsePattern(source));
}

/** The same, for a pattern already parsed (null: not read by the JavaScript parser). */
export function analyseParsed(pattern: AST.Pattern | null): PatternAnalysis {
  if (!pattern) return NOT_INDEXED;
  const literalSets = usableSets(alternation(pattern.alternatives)).map(withoutSuperstrings);
  const literals = longest(literalSets);
  return literals === null ? NOT_INDEXED : { literals, indexed: true, literalSets };
}

function alternation(alternatives: readonly AST.Alternative[]): Knowledge {
  const branches = alternatives.map(sequence);
  if (branches.length === 1) return branches[0]!;
  let exact: LiteralSet | null = [];
  for (const branch of branches) exact = exact === null || branch.exact === null ? null : union(exact, branch.exact);
  // Each match goes through one branch, so the union of one necessary set per branch is necessary.
  const required = new Set<string>();
  for (const branch of branches) {
    const literals = longest(usableSets(branch));
    if (literals === null) return { exact, required: [] };
    for (const literal of literals) required.add(literal);
  }
  return { exact, required: [[...required]] };
}

/** A concatenation: adjacent exact parts join into longer strings; every part's knowledge holds. */
function sequence(alternative: AST.Alternative): Knowledge {
  const required: LiteralSet[] = [];
  let run: LiteralSet = [''];
  let allExact = true;
  for (const element of alternative.elements) {
    const part = describe(element);
    if (part.exact !== null) {
      const joined = product(run, part.exact);
      if (joined !== null) {
        run = joined;
        continue;
      }
      allExact = false;
      required.push(run);
      run = part.exact;
      continue;
    }
    allExact = false;
    required.push(run, ...part.required);
    run = [''];
  }
  if (allExact) return { exact: run, required: [] };
  required.push(run);
  return { exact: null, required };
}

function describe(element: AST.Element): Knowledge {
  switch (element.type) {
    case 'Character':
      return characters([element.value]);
    case 'CharacterClass':
      return characterClass(element);
    case 'CharacterSet':
      return element.kind === 'digit' && !element.negate ? characters(DIGITS) : UNKNOWN;
    case 'Group':
    case 'CapturingGroup':
      return alternation(element.alternatives);
    case 'Quantifier':
      return quantifier(element);
    case 'Assertion':
      // ^ $ \b consume nothing, so the text on both sides is adjacent in the match. Look-arounds are
      // not RE2 syntax (such a rule never compiles); treat them as unknown all the same.
      return element.kind === 'lookahead' || element.kind === 'lookbehind' ? UNKNOWN : ZERO_WIDTH;
    default:
      return UNKNOWN;
  }
}

function quantifier(node: AST.Quantifier): Knowledge {
  const inner = describe(node.element);
  let exact: LiteralSet | null = null;
  if (inner.exact !== null && node.max <= MAX_EXPANDED_REPEAT) {
    exact = [];
    let repeated: LiteralSet | null = [''];
    for (let count = 0; exact !== null && repeated !== null; count++) {
      if (count >= node.min) exact = union(exact, repeated);
      if (count === node.max) break;
      repeated = product(repeated, inner.exact);
    }
    if (repeated === null) exact = null;
  }
  // At least one repetition: whatever the element requires, the whole requires.
  const required = node.min >= 1 ? usableSets(inner) : [];
  return { exact, required };
}

function characterClass(node: AST.CharacterClass): Knowledge {
  if (node.negate || node.unicodeSets) return UNKNOWN;
  const codes: number[] = [];
  for (const element of node.elements) {
    if (element.type === 'Character') codes.push(element.value);
    else if (element.type === 'CharacterClassRange' && element.max.value - element.min.value < MAX_EXACT_STRINGS) {
      for (let code = element.min.value; code <= element.max.value; code++) codes.push(code);
    } else if (element.type === 'CharacterSet' && element.kind === 'digit' && !element.negate) codes.push(...DIGITS);
    else return UNKNOWN;
  }
  return characters(codes);
}

const DIGITS = Array.from({ length: 10 }, (_, digit) => 0x30 + digit);

/**
 * Non-ASCII characters a literal may hold: letters of Latin-1, Latin Extended-A and basic Cyrillic,
 * and caseless kana, CJK ideographs and Hangul. Every character RE2 folds into one of them lowers to
 * the same character as it does (literalIndex.ts maps the few that do not, U+1C80–U+1C88), so the
 * index finds every literal a case-insensitive match holds. İ is left out: it lowers to two characters.
 */
export function isFoldableLiteralCharacter(code: number): boolean {
  return (
    code < 0x80 ||
    (code >= 0xc0 && code <= 0x17f && code !== 0x130) ||
    (code >= 0x400 && code <= 0x45f) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7a3)
  );
}

/** A character's case-folded form when a literal may hold it; any other character ends the literal. */
function characters(codes: readonly number[]): Knowledge {
  const folded = new Set<string>();
  for (const code of codes) {
    if (!isFoldableLiteralCharacter(code)) return UNKNOWN;
    folded.add(String.fromCharCode(code).toLowerCase());
  }
  if (folded.size === 0 || folded.size > MAX_EXACT_STRINGS) return UNKNOWN;
  return { exact: [...folded], required: [] };
}

function product(left: LiteralSet, right: LiteralSet): LiteralSet | null {
  if (left.length * right.length > MAX_EXACT_STRINGS) return null;
  const joined = new Set<string>();
  for (const head of left) for (const tail of right) joined.add(head + tail);
  return [...joined];
}

function union(left: LiteralSet, right: LiteralSet): LiteralSet | null {
  const all = [...new Set([...left, ...right])];
  return all.length > MAX_EXACT_STRINGS ? null : all;
}

/** The sets worth indexing by: none with a string shorter than MIN_LITERAL_LENGTH. */
function usableSets(known: Knowledge): LiteralSet[] {
  return [known.exact, ...known.required].filter(
    (set): set is LiteralSet =>
      set !== null && set.length > 0 && set.every((literal) => literal.length >= MIN_LITERAL_LENGTH),
  );
}

/** The set whose shortest string is longest (then the one with fewest strings), or null. */
function longest(sets: readonly LiteralSet[]): string[] | null {
  let chosen: LiteralSet | null = null;
  let chosenShortest = 0;
  for (const set of sets) {
    const shortest = Math.min(...set.map((literal) => literal.length));
    if (shortest > chosenShortest || (shortest === chosenShortest && set.length < chosen!.length)) {
      chosen = set;
      chosenShortest = shortest;
    }
  }
  return chosen === null ? null : [...chosen];
}

/** A literal that contains another one of the set adds nothing: the shorter is in every such match too. */
function withoutSuperstrings(literals: LiteralSet): string[] {
  return literals.filter((literal) => !literals.some((other) => other !== literal && literal.includes(other)));
}
