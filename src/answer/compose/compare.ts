import type { ServiceArea } from "../../corpus/types.ts";
import { fill } from "../../prompts.ts";
import { namedAreas } from "../areas.ts";
import type { Citation } from "../../contract/answer.ts";
import { FIGURE_ASKS, hasIntentWord } from "../intent.ts";
import { makeCitation, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { composeFigure } from "./figure.ts";
import { areaChunk, joinItems, selectAreas } from "./list.ts";
import { composePassage } from "./passage.ts";

const QUOTES_PER_CITY = 2;

/** A comparison of numbers ("各规划多少，哪个多"). */
function figureQuestion(q: Question): boolean {
  return q.asks.some((a) => FIGURE_ASKS.includes(a));
}

/** Items of `a` not in `b`, in `a`'s order. */
export function itemsOnlyIn(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((i) => !other.has(i));
}

function compareServiceLists(deps: ComposeDeps, q: Question, cities: readonly string[]): Draft | undefined {
  const [cityA, cityB] = cities as [string, string];
  const areas = selectAreas(deps, { ...q, scope: [cityA, cityB] });
  const byArea = new Map<string, { a?: ServiceArea; b?: ServiceArea }>();
  for (const area of areas) {
    const slot = byArea.get(area.area) ?? {};
    if (area.city === cityA) slot.a = area;
    if (area.city === cityB) slot.b = area;
    byArea.set(area.area, slot);
  }
  if (byArea.size === 0) return undefined;
  const m = deps.messages.compare;
  const citations: Citation[] = [];
  // Differences first, then the areas both lists share unchanged, in one line.
  const lines: string[] = [];
  const same: string[] = [];
  const sameRefs: number[] = [];
  const cite = (area: ServiceArea | undefined): number[] => {
    const chunk = area && areaChunk(deps, area);
    if (!chunk) return [];
    citations.push(makeCitation(deps, chunk, chunk.text, 1));
    return [citations.length];
  };
  for (const [name, { a, b }] of byArea) {
    const numbers = [...cite(a), ...cite(b)];
    const onlyA = itemsOnlyIn(a?.items ?? [], b?.items ?? []);
    const onlyB = itemsOnlyIn(b?.items ?? [], a?.items ?? []);
    const join = (items: string[]) => joinItems(deps.messages, items);
    if (a && b && onlyA.length === 0 && onlyB.length === 0) {
      same.push(fill(m.same_item, { area: name, count: a.items.length }));
      sameRefs.push(...numbers);
    } else if (onlyA.length > 0 && onlyB.length > 0) {
      lines.push(
        fill(m.list_diff, { area: name, cityA, cityB, onlyA: join(onlyA), onlyB: join(onlyB), refs: refs(numbers) }),
      );
    } else {
      const [city, only] = onlyA.length > 0 ? [cityA, onlyA] : [cityB, onlyB];
      lines.push(fill(m.list_diff_one_side, { area: name, city, only: join(only), refs: refs(numbers) }));
    }
  }
  if (same.length > 0) lines.push(fill(m.list_same, { areas: same.join("、"), refs: refs(sameRefs) }));
  return { kind: "compare", text: lines.join("\n"), citations, city: null };
}

/**
 * 六安 vs 淮南 side by side: service lists area by area (items only one city lists), or for any
 * other topic each city's best passages or figures. Undefined when neither plan speaks to it.
 */
export async function composeCompare(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const cities = q.scope.length >= 2 ? q.scope : deps.catalog.map((c) => c.city);
  if (cities.length < 2) return undefined;
  if (hasIntentWord(deps.index.corpus.lexicon, q.norm, "list_topic") || /清单/.test(q.norm) || namedAreas(q.norm).length > 0) {
    const draft = compareServiceLists(deps, q, cities);
    if (draft) return draft;
  }
  // Each city's answer in one line (its lead, renumbered), side by side.
  const citations: Citation[] = [];
  const lines: string[] = [];
  for (const city of cities) {
    const single: Question = { ...q, scope: [city] };
    const draft = figureQuestion(q) ? ((await composeFigure(deps, single)) ?? (await composePassage(deps, single))) : await composePassage(deps, single);
    if (!draft || draft.citations.length === 0) {
      lines.push(fill(deps.messages.answer.city_missing, { city }));
      continue;
    }
    const offset = citations.length;
    citations.push(...draft.citations.slice(0, QUOTES_PER_CITY));
    const lead = (draft.text.split("\n")[0] ?? "").replace(/\[(\d+)\]/g, (_, n: string) => (Number(n) <= QUOTES_PER_CITY ? `[${Number(n) + offset}]` : ""));
    lines.push(lead);
  }
  if (citations.length === 0) return undefined;
  return { kind: "compare", text: lines.join("\n"), citations, city: null };
}
