/*
 * Screening of raw questions before any analysis: empty, too long, unreadable (binary, broken
 * encoding), without any words (emoji only) or punctuation only ("？？？") each get their own clear answer.
 */

export type Screened =
  | { ok: true; text: string }
  | { ok: false; reason: "empty" | "too_long" | "unreadable" | "no_text" | "punctuation"; length: number };

// Control characters other than tab/newline, lone surrogates, U+FFFD and private-use characters.
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd\ue000-\uf8ff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const WORDISH = /[\p{L}\p{N}]/u;

/**
 * Screen a raw question. `maxChars` counts characters (code points), not bytes.
 *
 * @example
 * screenQuestion("  ", 500) // { ok: false, reason: "empty", length: 0 }
 */
export function screenQuestion(raw: unknown, maxChars: number): Screened {
  const text = typeof raw === "string" ? raw : "";
  const trimmed = text.trim();
  const length = [...trimmed].length;
  if (length === 0) return { ok: false, reason: "empty", length };
  const garbage = trimmed.match(GARBAGE)?.length ?? 0;
  if (garbage > 0 && garbage / length > 0.1) return { ok: false, reason: "unreadable", length };
  if (length > maxChars) return { ok: false, reason: "too_long", length };
  const cleaned = trimmed.replace(GARBAGE, "").replace(/\s+/g, " ");
  // "？？？" is text (someone is puzzled); emoji alone is not.
  if (!WORDISH.test(cleaned)) return { ok: false, reason: /^[\p{P}\s]+$/u.test(cleaned) ? "punctuation" : "no_text", length };
  return { ok: true, text: cleaned };
}
