import { chunkAt } from "../anchors.ts";
import type { Chunk, ServiceArea } from "../../corpus/types.ts";
import { fill } from "../../prompts.ts";
import { areasOf } from "../areas.ts";
import type { Citation } from "../../contract/answer.ts";
import { citiesFor, makeCitation, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";

/** Items joined for reading: "、" unless an item contains "、" itself. */
export function joinItems(messages: ComposeDeps["messages"], items: readonly string[]): string {
  const m = messages.list;
  return items.join(items.some((i) => i.includes(m.item_separator)) ? m.item_separator_alt : m.item_separator);
}

export function areaChunk(deps: ComposeDeps, area: ServiceArea): Chunk | undefined {
  return chunkAt(deps.index, area.docId, area.start, "service-area");
}

/** The service-list areas a question is about, per city in scope (all areas when none is named). */
export function selectAreas(deps: ComposeDeps, q: Question): ServiceArea[] {
  const wanted = areasOf(q.norm, deps.index.corpus.lexicon);
  const cities = new Set(citiesFor(deps, q));
  return deps.index.corpus.serviceAreas.filter(
    (a) => cities.has(a.city) && (wanted.length === 0 || wanted.includes(a.area)),
  );
}

/**
 * A list answer from the 基本公共服务项目清单: every item of the areas asked about, with the count
 * the plan declares, per city. Undefined when the plans have no service list for the scope.
 */
export async function composeList(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const areas = selectAreas(deps, q);
  if (areas.length === 0) return undefined;
  const citations: Citation[] = [];
  const lines: string[] = [];
  const m = deps.messages.list;
  const cities = [...new Set(areas.map((a) => a.city))];
  // Answer first: per area, its count and every item, with the citation.
  for (const area of areas) {
    const chunk = areaChunk(deps, area);
    if (!chunk) continue;
    citations.push(makeCitation(deps, chunk, chunk.text, 1));
    lines.push(
      fill(m.area, {
        city: area.city,
        area: area.area,
        count: area.declaredCount,
        items: joinItems(deps.messages, area.items),
        refs: refs([citations.length]),
      }),
    );
  }
  if (citations.length === 0) return undefined;
  return { kind: "list", text: lines.join("\n"), citations, city: cities.length === 1 ? (cities[0] as string) : null };
}
