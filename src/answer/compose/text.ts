import type { DocumentMeta } from "../../corpus/types.ts";
import { fill, type Messages } from "../../prompts.ts";
import { coverage, type Concept } from "../evidence.ts";
import type { Citation } from "../../contract/answer.ts";

/*
 * Answer-first wording shared by the composers: a quote shortened for a lead sentence (verbatim
 * clauses, "…" where cut) and the one disclaimer line an answer carries.
 */

/** A quote in a lead sentence is cut to about this many characters. */
export const LEAD_QUOTE_CHARS = 90;

const CLAUSE = /[^，；：,;:]*[，；：,;:]?/g;

/**
 * A quote shortened for reading at clause boundaries, verbatim, with "…" where text was left out:
 * the clauses around the one that states most of the question's concepts.
 *
 * @example
 * shortQuote("一、二，三、四，五、六", [], 5) // "一、二，…"
 */
export function shortQuote(
  quote: string,
  concepts: readonly Concept[],
  max = LEAD_QUOTE_CHARS,
  /** Clauses that state what is asked ("到2025年底" for "什么时候"): the cut centres on one of them. */
  stating?: (clause: string) => boolean,
): string {
  const text = quote.trim().replace(/[。；，,;]$/, "");
  if ([...text].length <= max) return text;
  const parts = (text.match(CLAUSE) ?? []).filter((p) => p.length > 0);
  if (parts.length <= 1) return [...text].slice(0, max).join("") + "…";
  let best = 0;
  let bestScore = -1;
  const preferred = stating ? parts.map(stating) : [];
  const anyPreferred = preferred.some(Boolean);
  parts.forEach((p, i) => {
    if (anyPreferred && !preferred[i]) return;
    // A stating clause is often only "到2025年底，": what it is about follows it.
    const s = coverage(concepts, anyPreferred ? p + (parts[i + 1] ?? "") : p);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  });
  let from = best;
  let to = best;
  const length = () => parts.slice(from, to + 1).join("").length;
  while (true) {
    if (to + 1 < parts.length && length() + (parts[to + 1] as string).length <= max) to++;
    else if (from > 0 && length() + (parts[from - 1] as string).length <= max) from--;
    else break;
  }
  let body = parts.slice(from, to + 1).join("").replace(/[，；：,;:]$/, "");
  if ([...body].length > max) body = [...body].slice(0, max).join("");
  return `${from > 0 ? "…" : ""}${body}${to < parts.length - 1 ? "…" : ""}`;
}

/**
 * The one line about the sources an answer carries: which plans it quotes, that one of them is a
 * draft for comment, that plans are not application guides and that their period is over.
 */
export function disclaimerLine(messages: Messages, docs: readonly DocumentMeta[], now: Date): string | undefined {
  if (docs.length === 0) return undefined;
  const m = messages.disclaimer;
  const title = (d: DocumentMeta) =>
    `《${d.title}》${d.status === "draft-for-comment" && !d.title.includes(messages.status["draft-for-comment"]) ? m.draft_mark : ""}`;
  const ended = docs.some((d) => {
    const end = Number(d.period.match(/\d{4}/g)?.pop());
    return end > 0 && now.getFullYear() > end;
  });
  return fill(m.line, { titles: docs.map(title).join(m.joiner), ended: ended ? m.ended : "" });
}

/** The documents cited, in manifest order (the order of their ids in `order`, else first citation). */
export function citedDocuments(citations: readonly Citation[], documentOf: (id: string) => DocumentMeta, order: readonly string[] = []): DocumentMeta[] {
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...new Set(citations.map((c) => c.docId))].sort((a, b) => rank(a) - rank(b)).map(documentOf);
}
