import { type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";
import { normalizeText } from "../util/normalize.ts";

/*
 * Query expansion from the lexicon: a question in everyday words ("打零工的能交公积金吗") is also
 * searched by the plans' standard terms those words stand for (灵活就业人员, 住房公积金). The
 * question itself is never rewritten: the resident's own words keep their weight.
 */

export interface Expansion {
  /** Standard terms added because a variant occurs in the text (and the term itself does not). */
  added: string[];
  /** The variants that matched, with the standard term each stands for and all its forms (normalised). */
  matched: { variant: string; official: string; forms: string[] }[];
}

/**
 * Everyday → standard expansion over the lexicon's services and groups, leftmost-longest, so a
 * standard term in the question is never rewritten from inside.
 *
 * @example
 * expandQuery("打零工的能交公积金吗", lexicon).added // ["灵活就业人员", "住房公积金"]
 */
export function expandQuery(text: string, lexicon: Lexicon): Expansion {
  const norm = normalizeText(text);
  const added = new Set<string>();
  const matched: Expansion["matched"] = [];
  for (const m of matchLexicon(lexicon, norm, ["services", "groups"])) {
    const official = normalizeText(m.entry.term);
    if (m.form === official) continue;
    matched.push({ variant: m.form, official: m.entry.term, forms: m.entry.forms.filter((f) => !f.includes("…")) });
    if (!norm.includes(official)) added.add(m.entry.term);
  }
  return { added: [...added], matched };
}
