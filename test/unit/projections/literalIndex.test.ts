import { describe, expect, it } from 'vitest';
import { LiteralIndex } from '../../../projections/literalIndex.js';
import { runToEnd } from '../../../projections/matcher.js';
import { seededRandom } from '../../support/random.js';

/** What the automaton must report: every literal the (lower-cased) text contains, each once. */
function containedLiterals(literals: readonly string[], text: string): number[] {
  const lower = text.toLowerCase();
  return literals.flatMap((literal, id) => (lower.includes(literal) ? [id] : []));
}

function search(index: LiteralIndex, text: string): number[] {
  const found = new Int32Array(index.literalCount);
  return [...found.subarray(0, index.search(text, found))].sort((a, b) => a - b);
}

describe('literal index', () => {
  // 16-bit transitions while the states fit, 32-bit beyond: both tables must find the same literals.
  it.each([
    { literalCount: 200, wide: false },
    { literalCount: 12_000, wide: true },
  ])('finds exactly the literals a text contains ($literalCount literals)', ({ literalCount, wide }) => {
    const random = seededRandom(literalCount);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 .:[]';
    const word = (length: number) =>
      Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const literals = [...new Set(Array.from({ length: literalCount }, () => word(3 + Math.floor(random() * 10))))];
    const index = runToEnd(LiteralIndex.build(literals));
    expect(index.stateCount > 0x10000).toBe(wide);

    for (let i = 0; i < 300; i++) {
      // Texts built around some of the literals, in either case, so that most contain one or more.
      const parts = Array.from({ length: 4 }, () =>
        random() < 0.5 ? literals[Math.floor(random() * literals.length)]!.toUpperCase() : word(8),
      );
      const text = parts.join(word(2));
      expect(search(index, text)).toEqual(containedLiterals(literals, text));
    }
  });
});
