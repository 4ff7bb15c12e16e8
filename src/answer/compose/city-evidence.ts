import type { Hit } from "../../search/retrieve.ts";
import { coverage } from "../evidence.ts";
import { citiesToSearch, hasEvidence, retrieveFor, type ComposeDeps, type Question } from "./common.ts";

/* The passages each city's plan has for a question, retrieved once and shared by the composers. */

export interface CityHits {
  city: string;
  hits: Hit[];
}

const evidenceCache = new WeakMap<Question, Promise<{ found: CityHits[]; missing: string[] }>>();

/**
 * Retrieve per city in scope and keep the cities whose plan speaks to the question (once per
 * question: composers that fall back to one another share the retrieval).
 */
export function evidenceByCity(deps: ComposeDeps, q: Question): Promise<{ found: CityHits[]; missing: string[] }> {
  let pending = evidenceCache.get(q);
  if (!pending) evidenceCache.set(q, (pending = retrieveEvidence(deps, q)));
  return pending;
}

async function retrieveEvidence(deps: ComposeDeps, q: Question): Promise<{ found: CityHits[]; missing: string[] }> {
  const found: CityHits[] = [];
  const missing: string[] = [];
  for (const city of await citiesToSearch(deps, q)) {
    const hits = rerankByEvidence(q, await retrieveFor(deps, q, city, 12)).slice(0, 8);
    if (hasEvidence(q, hits)) found.push({ city, hits });
    else missing.push(city);
  }
  return { found, missing };
}

/** Share of evidence (concept coverage) in the final ranking; measured flat between 0.3 and 0.5. */
const EVIDENCE_WEIGHT = 0.4;

/**
 * Re-rank retrieved hits by how much of the question each states (coverage of its concepts),
 * blended with the fused retrieval score.
 */
export function rerankByEvidence(q: Question, hits: readonly Hit[]): Hit[] {
  const top = Math.max(...hits.map((h) => h.score), 1e-9);
  return hits
    .map((h) => ({
      h,
      s: (1 - EVIDENCE_WEIGHT) * (h.score / top) + EVIDENCE_WEIGHT * coverage(q.concepts, `${h.chunk.context} ${h.chunk.text}`),
    }))
    .sort((a, b) => b.s - a.s)
    .map(({ h, s }) => ({ ...h, score: s }));
}

/**
 * Interleave per-city hits into one best-first list, `total` long, giving each city a fair share.
 */
export function mergeCityHits(groups: readonly CityHits[], total: number): Hit[] {
  const share = Math.max(2, Math.ceil(total / Math.max(groups.length, 1)));
  return groups
    .flatMap((g) => g.hits.slice(0, share))
    .sort((a, b) => b.score - a.score)
    .slice(0, total);
}

