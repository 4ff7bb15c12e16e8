import path from "node:path";
import { z } from "zod";
import { readYamlFile } from "../corpus/load.ts";
import { normalizeText } from "./normalize.ts";

export const SynonymGroupSchema = z.object({
  official: z.string().min(1),
  variants: z.array(z.string().min(1)).min(1),
});
export const SynonymsSchema = z.array(SynonymGroupSchema);
export type SynonymGroup = z.infer<typeof SynonymGroupSchema>;

/** `seeds/synonyms.yaml`, validated. */
export function loadSynonyms(seedsDir: string): SynonymGroup[] {
  return readYamlFile(path.join(seedsDir, "synonyms.yaml"), SynonymsSchema, "SYNONYMS_INVALID");
}

export interface Expansion {
  /** Official terms added because a variant occurs in the text. */
  added: string[];
  /** The variants that matched, with the official term each stands for. */
  matched: { variant: string; official: string }[];
}

/**
 * Colloquial → official expansion: for every variant found in the (normalised) text, its official
 * term is added unless the text already has it. Longer variants win over the shorter ones they contain.
 *
 * @example
 * expandSynonyms("打零工的能交公积金吗", groups).added // ["灵活就业", "住房公积金"]
 */
export function expandSynonyms(text: string, groups: readonly SynonymGroup[]): Expansion {
  const norm = normalizeText(text);
  const pairs = variantPairs(groups);
  const added = new Set<string>();
  const matched: { variant: string; official: string }[] = [];
  let rest = norm;
  for (const { variant, official } of pairs) {
    if (!rest.includes(variant)) continue;
    matched.push({ variant, official });
    rest = rest.split(variant).join("\u0000");
    if (!norm.includes(normalizeText(official))) added.add(official);
  }
  return { added: [...added], matched };
}

const pairCache = new WeakMap<readonly SynonymGroup[], { variant: string; official: string }[]>();

/** Normalised (variant, official) pairs, longest variant first (computed once per synonym list). */
function variantPairs(groups: readonly SynonymGroup[]): { variant: string; official: string }[] {
  let pairs = pairCache.get(groups);
  if (!pairs) {
    pairs = groups
      .flatMap((g) => g.variants.map((v) => ({ variant: normalizeText(v), official: g.official })))
      .sort((a, b) => b.variant.length - a.variant.length);
    pairCache.set(groups, pairs);
  }
  return pairs;
}

/** Every term the synonyms mention, for the tokenizer's dictionary. */
export function synonymTerms(groups: readonly SynonymGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => [g.official, ...g.variants]))];
}
