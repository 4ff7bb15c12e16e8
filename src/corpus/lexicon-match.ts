import { escapeRegExp } from "../util/text.ts";
import { GAP, KIND_ORDER, type Lexicon, type LexiconEntry, type LexiconKind } from "./lexicon.ts";

/*
 * Finding the lexicon's words in a normalised text: leftmost-longest matching of every form of the
 * asked kinds, and the small lookups built on it. The lexicon itself (kinds, schema, loading,
 * validation) is lexicon.ts.
 */

/** One occurrence of a lexicon form in a text. */
export interface LexiconMatch {
  entry: LexiconEntry;
  /** The form as it occurs (normalised). */
  form: string;
  start: number;
  end: number;
}

interface Matcher {
  /** Forms of two or more characters by their first two, longest first. */
  byFirstTwo: Map<string, { form: string; entry: LexiconEntry }[]>;
  /** One-character forms. */
  single: Map<string, { form: string; entry: LexiconEntry }>;
  gapped: { re: RegExp; entry: LexiconEntry; form: string; parts: string[] }[];
}

const matcherCache = new WeakMap<Lexicon, Map<string, Matcher>>();

function matcherFor(lexicon: Lexicon, kinds: readonly LexiconKind[]): Matcher {
  const key = kinds.join(",");
  let perLexicon = matcherCache.get(lexicon);
  if (!perLexicon) matcherCache.set(lexicon, (perLexicon = new Map()));
  let m = perLexicon.get(key);
  if (!m) {
    const byFirstTwo = new Map<string, { form: string; entry: LexiconEntry }[]>();
    const single = new Map<string, { form: string; entry: LexiconEntry }>();
    const gapped: Matcher["gapped"] = [];
    for (const entry of lexicon.entries) {
      if (!kinds.includes(entry.kind)) continue;
      for (const form of entry.forms) {
        if (form.includes("…")) {
          // Each literal part is a group, so a match can tell where its own words are.
          const source = form
            .split("…")
            .map((p) => `(${escapeRegExp(p)})`)
            .join(`[^，。！？,.!?]{0,${GAP}}?`);
          gapped.push({ re: new RegExp(source, "dg"), entry, form, parts: form.split("…").filter(Boolean) });
          continue;
        }
        if (form.length === 1) {
          if (!single.has(form)) single.set(form, { form, entry });
          continue;
        }
        const firstTwo = form.slice(0, 2);
        byFirstTwo.set(firstTwo, [...(byFirstTwo.get(firstTwo) ?? []), { form, entry }]);
      }
    }
    // Longest first; among equal lengths, entry order (as a stable sort keeps it).
    for (const list of byFirstTwo.values()) list.sort((a, b) => b.form.length - a.form.length);
    m = { byFirstTwo, single, gapped };
    perLexicon.set(key, m);
  }
  return m;
}

/**
 * Occurrences of the given kinds' forms in a normalised text: leftmost-longest, never overlapping,
 * so a standard term is never rewritten from inside ("低保边缘" is not "低保"). Forms with a gap
 * ("符合…条件") match where no plain form did.
 *
 * @example
 * matchLexicon(lexicon, "打零工的能交公积金吗", ["services", "facts"])
 * // [{ form: "打零工", entry: facts employment=灵活就业 }, { form: "公积金", entry: services 住房公积金 }]
 */
export function matchLexicon(lexicon: Lexicon, norm: string, kinds: readonly LexiconKind[]): LexiconMatch[] {
  const { byFirstTwo, single, gapped } = matcherFor(lexicon, kinds);
  const out: LexiconMatch[] = [];
  // Which kind holds each character (0: none), so a gap form yields only to its own kind.
  const taken = new Uint8Array(norm.length);
  const kindCode = (k: LexiconKind) => KIND_ORDER.indexOf(k) + 1;
  for (let i = 0; i < norm.length; ) {
    const hit = byFirstTwo.get(norm.slice(i, i + 2))?.find((c) => norm.startsWith(c.form, i)) ?? single.get(norm[i] as string);
    if (hit) {
      out.push({ entry: hit.entry, form: hit.form, start: i, end: i + hit.form.length });
      taken.fill(kindCode(hit.entry.kind), i, i + hit.form.length);
      i += hit.form.length;
    } else i++;
  }
  for (const g of gapped) {
    // The regex runs only where every literal part occurs (most texts have none of them).
    if (!g.parts.every((p) => norm.includes(p))) continue;
    g.re.lastIndex = 0;
    for (const m of norm.matchAll(g.re)) {
      const start = m.index;
      const end = start + m[0].length;
      // Only the form's own words must be free of its own kind: the gap, and other kinds, may hold
      // other matches ("照顾瘫痪的老爸" is a carer, and 瘫痪 and 老爸 are words of their own).
      const code = kindCode(g.entry.kind);
      const parts = (m.indices ?? []).slice(1).filter((p): p is [number, number] => p !== undefined && p[1] > p[0]);
      if (parts.some(([a, b]) => taken.subarray(a, b).some((x) => x === code))) continue;
      out.push({ entry: g.entry, form: m[0], start, end });
      for (const [a, b] of parts) taken.fill(code, a, b);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** True when any form of the given intent (or ask) occurs in the text. */
export function hasWord(lexicon: Lexicon, norm: string, kind: "intents" | "asks", term: string): boolean {
  return matchLexicon(lexicon, norm, [kind]).some((m) => m.entry.term === term);
}

/** The terms of one kind found in a text, in order of first occurrence, each once. */
export function termsIn(lexicon: Lexicon, norm: string, kind: LexiconKind): string[] {
  return [...new Set(matchLexicon(lexicon, norm, [kind]).map((m) => m.entry.term))];
}

/** The entries of a kind (e.g. every area with its office). */
export function entriesOf(lexicon: Lexicon, kind: LexiconKind): LexiconEntry[] {
  return lexicon.entries.filter((e) => e.kind === kind);
}
