import { foldText } from '@kefu/shared';

/** Text reduced for comparison: width and traditional folded, lower-cased, punctuation, symbols and whitespace removed. */
export function comparableText(text: string): string {
  return foldText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

// Character bigrams with counts (a multiset), so '漏水漏水' and '漏水' are not the same text.
function bigrams(s: string): Map<string, number> {
  const chars = Array.from(s); // code points, so a rare character outside the BMP stays whole
  const out = new Map<string, number>();
  // A one-character text has no bigram; the character itself stands in for one.
  const grams = chars.length === 1 ? chars : chars.slice(1).map((c, i) => chars[i]! + c);
  for (const g of grams) out.set(g, (out.get(g) ?? 0) + 1);
  return out;
}

/** 0..1 similarity of two complaint texts (Chinese-friendly: character bigram Dice coefficient over normalised text — punctuation and whitespace removed, full-width folded, lower-cased). */
export function textSimilarity(a: string, b: string): number {
  const x = comparableText(a);
  const y = comparableText(b);
  // Two empty texts are not evidence of a duplicate.
  if (!x || !y) return 0;
  if (x === y) return 1;
  const ga = bigrams(x);
  const gb = bigrams(y);
  let shared = 0;
  let total = 0;
  for (const [g, n] of ga) {
    shared += Math.min(n, gb.get(g) ?? 0);
    total += n;
  }
  for (const n of gb.values()) total += n;
  return total === 0 ? 0 : (2 * shared) / total;
}
