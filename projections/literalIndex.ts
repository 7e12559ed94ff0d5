/**
 * Aho-Corasick automaton over the rules' literals: one pass over a reply finds every literal it
 * contains, whatever the number of literals. Literals are lower case (see patternLiterals.ts); the
 * reply is folded the way RE2's case-insensitive matching folds it while it is scanned, so the
 * caller passes the reply as is.
 *
 * The automaton is a dense DFA (no failure-link walks while scanning: one table read per character)
 * over a compressed alphabet: only ASCII characters that occur in some literal get their own column,
 * and non-ASCII characters share NON_ASCII_BUCKETS columns by code point. A shared column can only
 * report a literal the reply does not hold (the rule's regex then says no), never miss one, and it
 * keeps the table small whatever the scripts the rules are written in.
 *
 * The table is what `classify` waits on: megabytes at thousands of rules, read at one place per
 * character, mostly missing the CPU caches. States are numbered breadth first, so the shallow states
 * most characters lead to share cache lines, and entries are 16-bit when the states fit.
 */
const NON_ASCII_BUCKETS = 64;
const bucketOf = (lowerCode: number): number => 128 + (lowerCode % NON_ASCII_BUCKETS);

/** Lower-case code of each BMP code unit, filled as replies meet them (0: not computed yet). */
const LOWER = new Uint16Array(0x10000);
/** Old Cyrillic glyph variants RE2 folds into в д о с т т ъ ѣ ꙋ, which `toLowerCase` keeps apart. */
const CYRILLIC_VARIANTS = [0x432, 0x434, 0x43e, 0x441, 0x442, 0x442, 0x44a, 0x463, 0xa64b];

/**
 * A literal as the index tells literals apart: ſ (U+017F) and the Kelvin sign (U+212A) as the s and k
 * RE2 folds them into (as `search` reads them), and each other non-ASCII character as the first
 * character of its shared column. Literals with one key end on one automaton state, so callers key
 * their literals by it: two that collide are one literal for the index (at worst an extra regex run).
 */
export function indexedLiteral(literal: string): string {
  let key = '';
  for (let i = 0; i < literal.length; i++) {
    const code = literal.charCodeAt(i);
    key +=
      code < 128
        ? literal[i]
        : code === 0x17f
          ? 's'
          : code === 0x212a
            ? 'k'
            : String.fromCharCode(0x100 + (code % NON_ASCII_BUCKETS));
  }
  return key;
}

/** The character a reply's non-ASCII code unit is indexed as: its lower case, as RE2 folds it. */
export function foldedCodeOf(code: number): number {
  let lower = LOWER[code]!;
  if (lower === 0) {
    const folded = String.fromCharCode(code).toLowerCase();
    lower =
      code >= 0x1c80 && code <= 0x1c88
        ? CYRILLIC_VARIANTS[code - 0x1c80]!
        : folded.length === 1
          ? folded.charCodeAt(0)
          : code;
    LOWER[code] = lower;
  }
  return lower;
}

export class LiteralIndex {
  readonly literalCount: number;
  readonly #columns: number;
  /** ASCII code (both cases), then 128 + bucket of a lower-case non-ASCII code → column; 0: no literal. */
  readonly #columnOf: Uint8Array;
  /** Columns of `s` and `k`, which RE2 also matches as ſ (U+017F) and K (U+212A, Kelvin). */
  readonly #longSColumn: number;
  readonly #kelvinColumn: number;
  readonly #next: Uint16Array | Int32Array;
  /** Per state: the literal that ends there, or -1. */
  readonly #literalAt: Int32Array;
  /** Per state: the first state of its failure chain (itself included) where a literal ends, or -1. */
  readonly #firstOutput: Int32Array;
  /** Per state: the next state on its failure chain (itself excluded) where a literal ends, or -1. */
  readonly #nextOutput: Int32Array;
  /** Scratch for de-duplicating literals within one search; `search` is synchronous, so never shared. */
  readonly #seen: Uint32Array;
  #epoch = 0;

  private constructor(tables: {
    literalCount: number;
    columns: number;
    columnOf: Uint8Array;
    next: Uint16Array | Int32Array;
    literalAt: Int32Array;
    firstOutput: Int32Array;
    nextOutput: Int32Array;
  }) {
    this.literalCount = tables.literalCount;
    this.#columns = tables.columns;
    this.#columnOf = tables.columnOf;
    this.#longSColumn = tables.columnOf[0x73]!;
    this.#kelvinColumn = tables.columnOf[0x6b]!;
    this.#next = tables.next;
    this.#literalAt = tables.literalAt;
    this.#firstOutput = tables.firstOutput;
    this.#nextOutput = tables.nextOutput;
    this.#seen = new Uint32Array(tables.literalCount);
  }

  /**
   * Builds the automaton; `literals[i]` is reported as `i`. They must be distinct, non-empty and
   * lower case (BMP characters). A generator that yields every `step` states, so that a caller can spread a
   * large build over several turns of the event loop (see compileMatcherInSteps).
   */
  static *build(literals: readonly string[], step = 1_024): Generator<void, LiteralIndex, void> {
    const columnOf = new Uint8Array(128 + NON_ASCII_BUCKETS);
    let columns = 1;
    let stateBound = 1;
    for (let id = 0; id < literals.length; id++) {
      const literal = literals[id]!;
      stateBound += literal.length;
      for (let i = 0; i < literal.length; i++) {
        const code = literal.charCodeAt(i);
        const slot = code < 128 ? code : bucketOf(code);
        if (columnOf[slot] === 0) columnOf[slot] = columns++;
      }
      if (id % step === step - 1) yield;
    }
    for (let upper = 0x41; upper <= 0x5a; upper++) columnOf[upper] = columnOf[upper + 0x20]!;
    yield;

    // Trie; 0 means "no child" while building, as the root is nobody's child.
    const next = new Int32Array(stateBound * columns);
    const literalAt = new Int32Array(stateBound).fill(-1);
    yield;
    let states = 1;
    for (let id = 0; id < literals.length; id++) {
      const literal = literals[id]!;
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const code = literal.charCodeAt(i);
        const slot = state * columns + columnOf[code < 128 ? code : bucketOf(code)]!;
        if (next[slot] === 0) next[slot] = states++;
        state = next[slot]!;
      }
      literalAt[state] = id;
      if (id % step === step - 1) yield;
    }

    // Breadth first: failure links, outputs, and missing transitions filled from the failure state.
    const fail = new Int32Array(states);
    const firstOutput = new Int32Array(states).fill(-1);
    const nextOutput = new Int32Array(states).fill(-1);
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    for (let column = 0; column < columns; column++) if (next[column] !== 0) queue[tail++] = next[column]!;
    while (head < tail) {
      const state = queue[head++]!;
      nextOutput[state] = firstOutput[fail[state]!]!;
      firstOutput[state] = literalAt[state]! >= 0 ? state : nextOutput[state]!;
      const failRow = fail[state]! * columns;
      for (let column = 0; column < columns; column++) {
        const slot = state * columns + column;
        const child = next[slot]!;
        if (child === 0) next[slot] = next[failRow + column]!;
        else {
          fail[child] = next[failRow + column]!;
          queue[tail++] = child;
        }
      }
      if (head % step === 0) yield;
    }

    // Renumbered in the order the queue visited them: breadth first, the root first.
    const renumbered = new Int32Array(states);
    for (let at = 0; at < tail; at++) renumbered[queue[at]!] = at + 1;
    const compactNext = states <= 0x10000 ? new Uint16Array(states * columns) : new Int32Array(states * columns);
    const compactLiteralAt = new Int32Array(states);
    const compactFirstOutput = new Int32Array(states);
    const compactNextOutput = new Int32Array(states);
    const ofState = (state: number) => (state < 0 ? state : renumbered[state]!);
    for (let state = 0; state < states; state++) {
      const to = renumbered[state]!;
      for (let column = 0; column < columns; column++)
        compactNext[to * columns + column] = renumbered[next[state * columns + column]!]!;
      compactLiteralAt[to] = literalAt[state]!;
      compactFirstOutput[to] = ofState(firstOutput[state]!);
      compactNextOutput[to] = ofState(nextOutput[state]!);
      if (state % step === step - 1) yield;
    }
    return new LiteralIndex({
      literalCount: literals.length,
      columns,
      columnOf,
      next: compactNext,
      literalAt: compactLiteralAt,
      firstOutput: compactFirstOutput,
      nextOutput: compactNextOutput,
    });
  }

  /** Writes the ids of the distinct literals found in `text` into `found`; returns how many. */
  search(text: string, found: Int32Array): number {
    const epoch = this.#nextEpoch();
    const seen = this.#seen;
    const next = this.#next;
    const columnOf = this.#columnOf;
    const columns = this.#columns;
    let state = 0;
    let count = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const column =
        code < 128
          ? columnOf[code]!
          : code === 0x17f
            ? this.#longSColumn
            : code === 0x212a
              ? this.#kelvinColumn
              : columnOf[bucketOf(foldedCodeOf(code))]!;
      state = next[state * columns + column]!;
      for (let output = this.#firstOutput[state]!; output >= 0; output = this.#nextOutput[output]!) {
        const id = this.#literalAt[output]!;
        if (seen[id] === epoch) continue;
        seen[id] = epoch;
        found[count++] = id;
      }
    }
    return count;
  }

  /** Number of automaton states (the table holds states × alphabet entries). */
  get stateCount(): number {
    return this.#literalAt.length;
  }

  #nextEpoch(): number {
    if (this.#epoch === 0xffffffff) {
      this.#seen.fill(0);
      this.#epoch = 0;
    }
    return ++this.#epoch;
  }
}
