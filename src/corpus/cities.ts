import type { DocumentMeta } from "./types.ts";
import { type Lexicon } from "./lexicon.ts";
import { entriesOf } from "./lexicon-match.ts";
import { normalizeText } from "../util/normalize.ts";

/*
 * City detection. Covered cities come from the manifest (name, aliases, counties and their short
 * forms), so a new plan is picked up without code changes. Other places (the lexicon's `places`)
 * are recognised so that "南京的公租房怎么申请" is answered as not covered rather than with 淮南's text.
 */

export interface CityEntry {
  city: string;
  /** Every name that points at this city (full, aliases, counties, short county names). */
  names: string[];
  /** The county names among `names`. */
  counties: string[];
}

/** Short form of a county name: 金安区 → 金安, 凤台县 → 凤台; 寿县 stays (one character left). */
export function shortCountyName(county: string): string | undefined {
  const m = /^(.{2,})(?:实验区|新区|区|县|市)$/.exec(county);
  return m?.[1];
}

/** The covered cities of the manifest with the names that identify them. */
export function buildCityCatalog(documents: readonly DocumentMeta[]): CityEntry[] {
  const byCity = new Map<string, Set<string>>();
  const countiesOf = new Map<string, Set<string>>();
  for (const d of documents) {
    const names = byCity.get(d.city) ?? new Set<string>();
    const counties = countiesOf.get(d.city) ?? new Set<string>();
    countiesOf.set(d.city, counties);
    names.add(d.city);
    const short = d.city.replace(/市$/, "");
    if (short.length >= 2) names.add(short);
    for (const a of d.aliases) names.add(a);
    for (const c of d.counties) {
      names.add(c);
      counties.add(normalizeText(c));
      const s = shortCountyName(c);
      if (s) {
        names.add(s);
        counties.add(normalizeText(s));
      }
    }
    byCity.set(d.city, names);
  }
  return [...byCity.entries()].map(([city, names]) => ({
    city,
    names: [...names].map(normalizeText).sort((a, b) => b.length - a.length),
    counties: [...(countiesOf.get(city) ?? [])],
  }));
}

export interface DetectedCities {
  /** Covered cities named (directly or through a county), in order of first mention. */
  covered: string[];
  /** Places named that no plan covers. */
  uncovered: string[];
  /** The covered names found (city names, aliases, counties), longest first. */
  names: string[];
  /** The question with every covered name removed (what to search by). */
  rest: string;
}

/**
 * Which cities a question names.
 *
 * @example
 * detectCities("霍邱县的低保标准", catalog) // { covered: ["六安市"], uncovered: [] }
 */
export function detectCities(question: string, catalog: readonly CityEntry[], lexicon?: Lexicon): DetectedCities {
  let text = normalizeText(question);
  const found: { city: string; at: number; name: string }[] = [];
  const { all, others } = namesOf(catalog, lexicon);
  for (const { city, name } of all) {
    const at = text.indexOf(name);
    if (at < 0) continue;
    found.push({ city, at, name });
    text = text.split(name).join("\u0000".repeat(name.length));
  }
  const uncovered = others.filter((p) => text.includes(p));
  const covered = [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.city))];
  const rest = text.replace(/\u0000+/g, " ").replace(/\s+/g, " ").trim();
  return { covered, uncovered, names: found.map((f) => f.name), rest };
}

interface CityNames {
  /** Every name of a covered city with its city, longest first. */
  all: { city: string; name: string }[];
  /** Places of the lexicon that are not covered cities. */
  others: string[];
}

const namesCache = new WeakMap<readonly CityEntry[], WeakMap<Lexicon, CityNames> & { plain?: CityNames }>();

/** The names detectCities looks for, worked out once per catalog and lexicon. */
function namesOf(catalog: readonly CityEntry[], lexicon?: Lexicon): CityNames {
  let perCatalog = namesCache.get(catalog);
  if (!perCatalog) namesCache.set(catalog, (perCatalog = new WeakMap()));
  const cached = lexicon ? perCatalog.get(lexicon) : perCatalog.plain;
  if (cached) return cached;
  const all = catalog.flatMap((e) => e.names.map((name) => ({ city: e.city, name }))).sort((a, b) => b.name.length - a.name.length);
  const coveredNames = new Set(catalog.flatMap((e) => e.names));
  const others = lexicon ? entriesOf(lexicon, "places").flatMap((e) => e.forms).filter((p) => !coveredNames.has(p)) : [];
  const names = { all, others };
  if (lexicon) perCatalog.set(lexicon, names);
  else perCatalog.plain = names;
  return names;
}

/** Every name of every covered city (to keep them out of topic matching). */
export function allCityNames(catalog: readonly CityEntry[]): string[] {
  return catalog.flatMap((e) => e.names);
}
