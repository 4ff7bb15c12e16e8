import { charBigrams } from "../util/text.ts";
import { squash } from "../util/normalize.ts";

/*
 * Comparing two versions of a text: how alike two passages are (character bigrams), which entries
 * of two lists stay in order (longest common subsequence), and which figures of a passage moved.
 */

export interface FigureChange {
  label: string;
  old: string;
  new: string;
}

function bigramSet(s: string): Set<string> {
  return new Set(charBigrams(squash(s)));
}

/** Jaccard similarity of character bigrams (0–1). */
export function similarity(a: string, b: string): number {
  const x = bigramSet(a);
  const y = bigramSet(b);
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

/** Indexes of the longest common subsequence of two string lists (pairs [i, j]). */
export function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  // dp[i][j] in one flat table: the LCS length of a[i..] and b[j..].
  const width = b.length + 1;
  const dp = new Int32Array((a.length + 1) * width);
  const at = (i: number, j: number): number => dp[i * width + j] as number;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return pairs;
}

const NUMBER = /(\d+(?:\.\d+)?)\s*(%|‰|元\/人\/月|元\/人\/年|万人次|万人|万元|亿元|万套|万户|万张|平方米|公里|元|个|人|名|家|所|户|套|张|项|岁|次)?/g;

/**
 * Figures that differ between two versions of a passage, labelled by the words before them:
 * "城乡低保标准提高至630元/人/月" → "…700元/人/月" gives {label: "城乡低保标准提高至", old: "630元/人/月", new: "700元/人/月"}.
 */
export function figureChanges(oldText: string, newText: string): FigureChange[] {
  const figures = (t: string) =>
    [...t.matchAll(NUMBER)].map((m) => {
      const before = t.slice(0, m.index).split(/[，。；：、,;:（）()\s]/).pop() ?? "";
      return { value: m[0].trim(), label: before.slice(-12) };
    });
  const a = figures(oldText);
  const b = figures(newText);
  const out: FigureChange[] = [];
  if (a.length === b.length) {
    a.forEach((x, i) => {
      const y = b[i];
      if (y && x.value !== y.value) out.push({ label: y.label || x.label, old: x.value, new: y.value });
    });
    return out;
  }
  // Different counts: pair by label.
  for (const y of b) {
    const x = a.find((f) => f.label === y.label && f.label !== "");
    if (x && x.value !== y.value) out.push({ label: y.label, old: x.value, new: y.value });
  }
  return out;
}
