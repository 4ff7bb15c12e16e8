import * as OpenCC from "opencc-js";

let toSimplified: ((s: string) => string) | undefined;

/**
 * Normalise text for matching (never for display or quoting): full-width → half-width (NFKC),
 * traditional → simplified Chinese, lower case, whitespace collapsed.
 *
 * @example
 * normalizeText("住房公積金 ＡＢＣ　１２３") // "住房公积金 abc 123"
 */
export function normalizeText(text: string): string {
  const cached = memo.get(text);
  if (cached !== undefined) return cached;
  const convert = (toSimplified ??= OpenCC.Converter({ from: "t", to: "cn" }));
  const out = convert(text.normalize("NFKC")).toLowerCase().replace(/\s+/g, " ").trim();
  // Passages and their sentences recur on every question: remember them (bounded).
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, out);
  return out;
}

/** Whitespace removed: how quotes are compared with the source ("verbatim, whitespace aside"). */
export const squash = (s: string): string => s.replace(/\s+/g, "");

const MEMO_LIMIT = 50_000;
const memo = new Map<string, string>();

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
/** True for a CJK ideograph. */
export const isCjk = (ch: string): boolean => CJK.test(ch);
