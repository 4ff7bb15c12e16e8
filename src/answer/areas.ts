import { AREA_NAMES } from "../contract/areas.ts";
import { type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";

/*
 * The nine areas of the national basic public service standard (国家基本公共服务标准), which both
 * plans' 基本公共服务项目清单 follow. The everyday words that point at each area live in the
 * lexicon (`areas`), with the kind of office that handles it.
 */

/** Areas named exactly (幼有所育 …). */
export function namedAreas(norm: string): string[] {
  return AREA_NAMES.filter((a) => norm.includes(a));
}

/** Areas named exactly, else the areas the lexicon's area words point at, in order of mention. */
export function areasOf(norm: string, lexicon: Lexicon): string[] {
  const exact = namedAreas(norm);
  if (exact.length > 0) return exact;
  return [...new Set(matchLexicon(lexicon, norm, ["areas"]).map((m) => m.entry.term))];
}

/** The kind of office the lexicon names for an area (undefined when none). */
export function areaOffice(area: string, lexicon: Lexicon): string | undefined {
  return lexicon.entries.find((e) => e.kind === "areas" && e.term === area)?.office;
}
