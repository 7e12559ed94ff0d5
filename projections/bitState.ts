import type { AST } from '@eslint-community/regexpp';
import RE2 from 're2';

/*
 * A rule's pattern as a small program run in JavaScript on ASCII replies: backtracking that marks each
 * (instruction, position) pair it visits and never visits one twice, as RE2's own BitState engine does,
 * so a run takes at most instructions × (reply length + 1) steps whatever the pattern.
 *
 * Why: at thousands of rules, the rule a reply needs has not run for a while, and its RE2 automaton has
 * left the CPU caches; walking it costs about one cache miss per automaton state, some 4 µs on a
 * 100-character reply. This program is a few hundred bytes.
 *
 * RE2 stays the reference. What each character-consuming part of the pattern (`a`, `[45]`, `\d`, `.`)
 * matches among the 128 ASCII characters is asked of RE2 itself, with the matcher's flags, when the
 * program is compiled; on an ASCII reply the program then answers what RE2 answers. Other replies,
 * patterns this parser does not read (RE2-only syntax) and programs too large for the reply go to RE2.
 *
 * Backtracking tries the branches of an alternation one after another, where RE2's automaton follows
 * them all at once: a pattern where more than MAX_BRANCHES characters may come next at some point (a
 * broad rule like `full mail ?box|quota|…`, which is hit often and so warm in RE2 anyway) gets no
 * program. A literal run (`mailbox full`) and a repetition of one character set (`.*`, `\d+`) take one
 * step a character, so the others take under one step per reply character on the shipped rules and the
 * bench's (at most 0.22, over both corpora). Backtracking is linear only in instructions × positions,
 * though, so a pattern written to backtrack (`(a|a)*(a|a)*b`) could take far more: a run that takes
 * more than STEPS_PER_CHARACTER gives up, the caller asks RE2, and the program is retired for good.
 * With replies of at most MAX_LENGTH characters a run is thus at most about 2,000 steps: patterns
 * written to backtrack took 7–15 µs at 512 characters (where RE2 takes about 1 µs), once each when they
 * give up, on every such reply when they stay just under the bound.
 */

/** Bound on (instruction, position) pairs, the size of the visited bitmap: 2 KiB. */
const MAX_PAIRS = 16_384;
/** Longer replies go to RE2, which scans them at a few ns a character once warm. */
const MAX_LENGTH = 512;
/** Steps per reply character (plus one pass over the program) after which a run gives up. */
const STEPS_PER_CHARACTER = 4;
const MAX_INSTRUCTIONS = 1_024;
const MAX_BRANCHES = 4;

/** a: the character set; b: how many CHARs from here on match one after another (a literal run). */
const CHAR = 0;
/** Try a, then b. */
const SPLIT = 1;
const JMP = 2;
/** a: BEGIN, END, WORD_BOUNDARY or NOT_WORD_BOUNDARY. */
const ASSERT = 3;
const MATCH = 4;
/** `x*` for one character set a: the next instruction may start after any number of them; b: its first characters. */
const STAR = 5;
/** STAR's b when what follows may match without a character: it is tried at every position. */
const ANY_NEXT = 0xffff;

const BEGIN = 0;
const END = 1;
const WORD_BOUNDARY = 2;
const NOT_WORD_BOUNDARY = 3;

/** RE2's `\b`: between an ASCII word character and anything else. */
const WORD = Uint8Array.from({ length: 128 }, (_, code) => (/\w/.test(String.fromCharCode(code)) ? 1 : 0));
const ASCII = String.fromCharCode(...Array.from({ length: 128 }, (_, code) => code));

// Scratch for one run; runs are synchronous, so programs share it.
const visited = new Uint32Array(MAX_PAIRS / 32 + 1);
const stack = new Int32Array(2 * MAX_PAIRS + 2);

export class BitStateProgram {
  /** Instructions as (opcode, a, b) triples. */
  readonly #code: Uint16Array;
  /** Four 32-bit words per character set: which ASCII codes it matches. */
  readonly #sets: Uint32Array;
  readonly #size: number;
  /** Starts only at 0: the program begins with `^`. */
  readonly anchored: boolean;
  /** The set of the ASCII codes a match can start with; -1 when a match may start with no character. */
  readonly #first: number;
  /** A run gave up: from then on the pattern runs on RE2 only. */
  #retired = false;

  private constructor(code: Uint16Array, sets: readonly number[], first: Uint32Array | null) {
    // Instructions and sets in one buffer: a program out of the CPU caches is a few adjacent lines.
    const codeBytes = Math.ceil(code.length / 2) * 4;
    const buffer = new ArrayBuffer(codeBytes + (sets.length + 4) * 4);
    this.#code = new Uint16Array(buffer, 0, code.length);
    this.#code.set(code);
    this.#sets = new Uint32Array(buffer, codeBytes, sets.length + 4);
    this.#sets.set(sets);
    if (first !== null) this.#sets.set(first, sets.length);
    this.#first = first === null ? -1 : sets.length / 4;
    this.#size = code.length / 3;
    this.anchored = code[0] === ASSERT && code[1] === BEGIN;
  }

  /**
   * The program for a pattern (as parsePattern reads it), or null when it must run on RE2: RE2-only
   * syntax (not read: null), too large, too broad.
   */
  static compile(pattern: AST.Pattern | null): BitStateProgram | null {
    if (pattern === null) return null;
    const builder = new Builder();
    if (!builder.alternation(pattern.alternatives)) return null;
    if (builder.emit(MATCH) < 0) return null;
    const code = Uint16Array.from(builder.code);
    if (branching(code) > MAX_BRANCHES) return null;
    const characterSets = Uint32Array.from(builder.sets);
    const sets = [...builder.sets];
    for (let pc = 0; pc < code.length / 3; pc++) {
      if (code[pc * 3] !== STAR) continue;
      const next = firstCharacters(code, characterSets, pc + 1);
      if (next === null) code[pc * 3 + 2] = ANY_NEXT;
      else {
        code[pc * 3 + 2] = sets.length / 4;
        sets.push(...next);
      }
    }
    markLiteralRuns(code);
    return new BitStateProgram(code, sets, firstCharacters(code, characterSets));
  }

  #giveUp(): null {
    this.#retired = true;
    return null;
  }

  /** Whether `test` may run on a reply of this length. */
  usable(length: number): boolean {
    return !this.#retired && length <= MAX_LENGTH && this.#size * (length + 1) <= MAX_PAIRS;
  }

  /**
   * Whether the pattern matches somewhere in `text`, which must be ASCII and `usable`; null when the run
   * gave up (the program is then retired).
   */
  test(text: string): boolean | null {
    const code = this.#code;
    const sets = this.#sets;
    const first = this.#first;
    const length = text.length;
    const width = length + 1;
    visited.fill(0, 0, ((this.#size * width) >>> 5) + 1);
    const lastStart = this.anchored ? 0 : length;
    const maxSteps = STEPS_PER_CHARACTER * width + this.#size;
    let steps = 0;
    for (let start = 0; start <= lastStart; start++) {
      if (first >= 0) {
        if (start === length) break;
        if (!holdsCharacter(sets, first, text.charCodeAt(start))) continue;
      }
      let top = 0;
      stack[top++] = 0;
      stack[top++] = start;
      while (top > 0) {
        let at = stack[--top]!;
        let pc = stack[--top]!;
        for (;;) {
          if (!firstVisit(pc * width + at)) break;
          if (++steps > maxSteps) return this.#giveUp();
          const op = code[pc * 3]!;
          if (op === CHAR) {
            // A literal run is matched in one go: nothing jumps into it, so its inner pairs need no marks.
            const run = code[pc * 3 + 2]!;
            if (at + run > length) break;
            let matched = 0;
            while (matched < run && holdsCharacter(sets, code[(pc + matched) * 3 + 1]!, text.charCodeAt(at + matched)))
              matched++;
            if (matched < run) break;
            steps += run - 1;
            pc += run;
            at += run;
          } else if (op === STAR) {
            // Every position the repetition can reach is one where what follows may start; each is
            // marked, so a later entry stops where an earlier one went on, and the scans stay linear.
            const set = code[pc * 3 + 1]!;
            const next = code[pc * 3 + 2]!;
            for (let from = at; ; ) {
              const char = from < length ? text.charCodeAt(from) : -1;
              if (next === ANY_NEXT || (char >= 0 && holdsCharacter(sets, next, char))) {
                stack[top++] = pc + 1;
                stack[top++] = from;
              }
              if (char < 0 || !holdsCharacter(sets, set, char)) break;
              from++;
              if (!firstVisit(pc * width + from)) break;
              if (++steps > maxSteps) return this.#giveUp();
            }
            break;
          } else if (op === SPLIT) {
            stack[top++] = code[pc * 3 + 2]!;
            stack[top++] = at;
            pc = code[pc * 3 + 1]!;
          } else if (op === JMP) {
            pc = code[pc * 3 + 1]!;
          } else if (op === ASSERT) {
            if (!holds(code[pc * 3 + 1]!, text, at)) break;
            pc++;
          } else return true;
        }
      }
    }
    return false;
  }
}

/** Marks an (instruction, position) pair visited; false when it already was. */
function firstVisit(bit: number): boolean {
  const word = bit >>> 5;
  const mask = 1 << (bit & 31);
  if ((visited[word]! & mask) !== 0) return false;
  visited[word]! |= mask;
  return true;
}

function holdsCharacter(sets: Uint32Array, set: number, char: number): boolean {
  return (sets[set * 4 + (char >>> 5)]! & (1 << (char & 31))) !== 0;
}

function holds(assertion: number, text: string, at: number): boolean {
  if (assertion === BEGIN) return at === 0;
  if (assertion === END) return at === text.length;
  const before = at > 0 && WORD[text.charCodeAt(at - 1)] === 1;
  const after = at < text.length && WORD[text.charCodeAt(at)] === 1;
  return (before !== after) === (assertion === WORD_BOUNDARY);
}

/** Union of the character sets that may come first from `start`; null if a match may consume nothing. */
function firstCharacters(code: Uint16Array, sets: Uint32Array, start = 0): Uint32Array | null {
  const first = new Uint32Array(4);
  for (let i = 0, count = reachable(code, start); i < count; i++) {
    const pc = closure[i]!;
    const op = code[pc * 3];
    if (op === MATCH) return null;
    if (op === CHAR || op === STAR)
      for (let word = 0; word < 4; word++) first[word]! |= sets[code[pc * 3 + 1]! * 4 + word]!;
  }
  return first;
}

/** Sets each CHAR's b: the CHARs from it on that follow one another with nothing jumping between them. */
function markLiteralRuns(code: Uint16Array): void {
  const size = code.length / 3;
  const entered = new Uint8Array(size + 1);
  for (let pc = 0; pc < size; pc++) {
    const op = code[pc * 3];
    if (op === SPLIT) entered[code[pc * 3 + 1]!] = entered[code[pc * 3 + 2]!] = 1;
    else if (op === JMP) entered[code[pc * 3 + 1]!] = 1;
    else if (op === STAR) entered[pc + 1] = 1;
  }
  for (let pc = size - 1; pc >= 0; pc--) {
    if (code[pc * 3] !== CHAR) continue;
    const continues = pc + 1 < size && code[(pc + 1) * 3] === CHAR && entered[pc + 1] === 0;
    code[pc * 3 + 2] = continues ? code[(pc + 1) * 3 + 2]! + 1 : 1;
  }
}

/** The most character instructions that may come next at any point of a match. */
function branching(code: Uint16Array): number {
  let most = 0;
  for (let pc = 0; pc < code.length / 3; pc++) {
    const after = pc > 0 ? code[(pc - 1) * 3] : CHAR;
    if (after !== CHAR && after !== STAR) continue;
    let next = 0;
    for (let i = 0, count = reachable(code, pc); i < count; i++) {
      const op = code[closure[i]! * 3];
      if (op === CHAR || op === STAR) next++;
    }
    most = Math.max(most, next);
  }
  return most;
}

// Scratch for `reachable` while compiling.
const closure = new Uint16Array(MAX_INSTRUCTIONS);
const pending = new Uint16Array(2 * MAX_INSTRUCTIONS + 1);
const reachedAt = new Uint32Array(MAX_INSTRUCTIONS);
let reachEpoch = 0;

/**
 * Writes into `closure` the instructions reachable from `start` without consuming a character (character
 * and MATCH instructions, and those passed on the way); returns how many.
 */
function reachable(code: Uint16Array, start: number): number {
  if (reachEpoch === 0xffffffff) {
    reachedAt.fill(0);
    reachEpoch = 0;
  }
  const epoch = ++reachEpoch;
  let count = 0;
  let top = 0;
  pending[top++] = start;
  while (top > 0) {
    const pc = pending[--top]!;
    if (reachedAt[pc] === epoch) continue;
    reachedAt[pc] = epoch;
    closure[count++] = pc;
    const op = code[pc * 3]!;
    if (op === SPLIT) {
      pending[top++] = code[pc * 3 + 2]!;
      pending[top++] = code[pc * 3 + 1]!;
    } else if (op === JMP) pending[top++] = code[pc * 3 + 1]!;
    // An assertion consumes nothing, and a repetition may repeat nothing: what follows may come next.
    else if (op === ASSERT || op === STAR) pending[top++] = pc + 1;
  }
  return count;
}

/** Emits instructions for the AST; each method returns false on a part it cannot compile. */
class Builder {
  readonly code: number[] = [];
  readonly sets: number[] = [];
  readonly #setIds = new Map<string, number>();

  /** The new instruction's index; -1 past MAX_INSTRUCTIONS. */
  emit(op: number, a = 0, b = 0): number {
    const at = this.code.length / 3;
    if (at >= MAX_INSTRUCTIONS) return -1;
    this.code.push(op, a, b);
    return at;
  }

  get next(): number {
    return this.code.length / 3;
  }

  patch(at: number, slot: 1 | 2, target: number): void {
    this.code[at * 3 + slot] = target;
  }

  alternation(alternatives: readonly AST.Alternative[]): boolean {
    const exits: number[] = [];
    for (let i = 0; i < alternatives.length - 1; i++) {
      const split = this.emit(SPLIT, this.next + 1);
      if (split < 0 || !this.sequence(alternatives[i]!)) return false;
      const exit = this.emit(JMP);
      if (exit < 0) return false;
      exits.push(exit);
      this.patch(split, 2, this.next);
    }
    if (!this.sequence(alternatives[alternatives.length - 1]!)) return false;
    for (const exit of exits) this.patch(exit, 1, this.next);
    return true;
  }

  sequence(alternative: AST.Alternative): boolean {
    return alternative.elements.every((element) => this.element(element));
  }

  element(element: AST.Element): boolean {
    switch (element.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet': {
        const set = this.#setOf(element.raw);
        return set >= 0 && this.emit(CHAR, set) >= 0;
      }
      case 'Group':
      case 'CapturingGroup':
        return this.alternation(element.alternatives);
      case 'Quantifier':
        return this.#quantifier(element);
      case 'Assertion': {
        const kind =
          element.kind === 'start'
            ? BEGIN
            : element.kind === 'end'
              ? END
              : element.kind === 'word'
                ? element.negate
                  ? NOT_WORD_BOUNDARY
                  : WORD_BOUNDARY
                : -1;
        return kind >= 0 && this.emit(ASSERT, kind) >= 0;
      }
      default:
        // Back-references and v-flag classes: RE2 refuses the first, and the second is not read here.
        return false;
    }
  }

  /** `x{2,4}` as x x (x (x)?)?, `x{2,}` as x x x*, greedy or not: `test` only asks whether a match exists. */
  #quantifier(quantifier: AST.Quantifier): boolean {
    for (let i = 0; i < quantifier.min; i++) if (!this.element(quantifier.element)) return false;
    const { element } = quantifier;
    if (
      quantifier.max === Number.POSITIVE_INFINITY &&
      (element.type === 'Character' || element.type === 'CharacterClass' || element.type === 'CharacterSet')
    ) {
      const set = this.#setOf(element.raw);
      return set >= 0 && this.emit(STAR, set) >= 0;
    }
    if (quantifier.max === Number.POSITIVE_INFINITY) {
      const loop = this.emit(SPLIT, this.next + 1);
      if (loop < 0 || !this.element(quantifier.element) || this.emit(JMP, loop) < 0) return false;
      this.patch(loop, 2, this.next);
      return true;
    }
    const skips: number[] = [];
    for (let i = quantifier.min; i < quantifier.max; i++) {
      const skip = this.emit(SPLIT, this.next + 1);
      if (skip < 0 || !this.element(quantifier.element)) return false;
      skips.push(skip);
    }
    for (const skip of skips) this.patch(skip, 2, this.next);
    return true;
  }

  /** The set's index in `sets`; -1 when RE2 does not compile the part on its own. */
  #setOf(raw: string): number {
    let id = this.#setIds.get(raw);
    if (id === undefined) {
      const set = asciiSet(raw);
      if (set === null) return -1;
      id = this.#setIds.size;
      this.#setIds.set(raw, id);
      this.sets.push(set[0]!, set[1]!, set[2]!, set[3]!);
    }
    return id;
  }
}

const asciiSets = new Map<string, Uint32Array>();
/** Distinct character sets are few (letters, digits, a handful of classes); past this, they are not kept. */
const MAX_CACHED_SETS = 4_096;

/** The ASCII codes one character-consuming part matches, asked of RE2 with the matcher's flags (`iu`). */
function asciiSet(raw: string): Uint32Array | null {
  let set = asciiSets.get(raw);
  if (set !== undefined) return set;
  set = new Uint32Array(4);
  let regex: RE2;
  try {
    regex = new RE2(raw, 'giu');
  } catch {
    return null;
  }
  for (let match = regex.exec(ASCII); match !== null; match = regex.exec(ASCII)) {
    const code = match.index;
    set[code >>> 5]! |= 1 << (code & 31);
  }
  if (asciiSets.size < MAX_CACHED_SETS) asciiSets.set(raw, set);
  return set;
}
