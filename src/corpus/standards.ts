import { z } from "zod";
import { AppError } from "../errors.ts";
import { readYamlFolder } from "./load.ts";
import { normalizeText, squash } from "../search/normalize.ts";
import type { Chunk, DocumentMeta } from "./types.ts";

/*
 * Dated standards (seeds/standards/*.yaml), after OpenFisca's dated parameters: a named value per
 * city that changes on a date, each entry with its source — a document id and a verbatim quote that
 * states the value. The plans give the 2020 levels; a maintainer adds a notice document to the
 * manifest (kind: notice, with its date) and a dated entry citing it, and figure answers give the
 * newest value with its date and source, and say what the plan said.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");

export const StandardEntrySchema = z
  .object({
    city: z.string().min(2),
    /** The day the value holds from. */
    from: isoDate,
    /** The last day it holds (open when absent: until a later entry). */
    to: isoDate.optional(),
    value: z.union([z.string().min(1), z.number()]).transform(String),
    unit: z.string().min(1),
    source: z.object({ doc: z.string().min(1), quote: z.string().min(4) }).strict(),
    /** What the value is, for residents ("2020年“十三五”末的水平"). */
    note: z.string().min(2).optional(),
  })
  .strict();

export const StandardSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case id"),
    name: z.string().min(2),
    /** Words that point at this standard in a question (低保标准, 低保 …). */
    topics: z.array(z.string().min(1)).min(1),
    entries: z.array(StandardEntrySchema).min(1),
  })
  .strict();

export const StandardsFileSchema = z.object({ standards: z.array(StandardSchema).default([]) }).strict();

/** A standard's entry, checked against the corpus: its source passage found. */
export interface StandardEntry extends z.infer<typeof StandardEntrySchema> {
  chunkId: string;
  /** The source document's title and kind, for the answer. */
  docTitle: string;
  docKind: "plan" | "notice";
}

export interface Standard {
  id: string;
  name: string;
  topics: string[];
  file: string;
  /** Oldest first. */
  entries: StandardEntry[];
}

export interface StandardProblem {
  file: string;
  /** `standards[0].entries[1].source.quote` */
  field: string;
  message: string;
}

/** Where standards live under the seeds folder. */
export const STANDARDS_DIR = "standards";

/**
 * Read every `seeds/standards/*.yaml`, resolve each entry's source to the passage that states it, and
 * collect every problem: malformed YAML, a document that is unknown or superseded, a quote not found
 * or not stating the value, overlapping date ranges for the same standard and city.
 */
export function loadStandards(
  seedsDir: string,
  corpus: { chunks: readonly Chunk[]; documents: readonly { meta: DocumentMeta }[]; superseded: readonly DocumentMeta[] },
): { standards: Standard[]; problems: StandardProblem[] } {
  const standards: Standard[] = [];
  const problems: StandardProblem[] = [];
  const docs = new Map(corpus.documents.map((d) => [d.meta.id, d.meta]));
  const superseded = new Set(corpus.superseded.map((d) => d.id));
  const ids = new Map<string, string>();
  for (const file of readYamlFolder(seedsDir, STANDARDS_DIR, StandardsFileSchema)) {
    const rel = file.rel;
    if ("error" in file) {
      problems.push({ file: rel, field: "-", message: file.error });
      continue;
    }
    if ("issues" in file) {
      for (const issue of file.issues) problems.push({ file: rel, field: issue.path.join(".") || "-", message: issue.message });
      continue;
    }
    file.data.standards.forEach((s, si) => {
      const at = (field: string) => `standards[${si}]${field ? "." + field : ""}`;
      const prev = ids.get(s.id);
      if (prev) problems.push({ file: rel, field: at("id"), message: `id ${s.id} is also used in ${prev}` });
      ids.set(s.id, rel);
      const entries: StandardEntry[] = [];
      s.entries.forEach((e, ei) => {
        const field = (f: string) => at(`entries[${ei}].${f}`);
        const meta = docs.get(e.source.doc);
        if (superseded.has(e.source.doc)) return problems.push({ file: rel, field: field("source.doc"), message: `document ${e.source.doc} is superseded` });
        if (!meta) return problems.push({ file: rel, field: field("source.doc"), message: `unknown document ${e.source.doc}` });
        if (meta.city !== e.city) problems.push({ file: rel, field: field("city"), message: `${e.source.doc} is about ${meta.city}, not ${e.city}` });
        const flat = squash(e.source.quote);
        const chunk = corpus.chunks.find((c) => c.docId === e.source.doc && squash(c.text).includes(flat));
        if (!chunk) return problems.push({ file: rel, field: field("source.quote"), message: `not found in ${e.source.doc}: "${e.source.quote}"` });
        if (!normalizeText(flat).includes(normalizeText(squash(e.value)))) {
          problems.push({ file: rel, field: field("value"), message: `the quote does not state the value ${e.value}` });
        }
        if (e.to !== undefined && e.to < e.from) problems.push({ file: rel, field: field("to"), message: `ends (${e.to}) before it starts (${e.from})` });
        entries.push({ ...e, chunkId: chunk.id, docTitle: meta.title, docKind: meta.kind });
      });
      // Entries of one city may not overlap: each holds from its date until the next one.
      const byCity = new Map<string, StandardEntry[]>();
      for (const e of entries) byCity.set(e.city, [...(byCity.get(e.city) ?? []), e]);
      for (const [city, list] of byCity) {
        const sorted = [...list].sort((a, b) => a.from.localeCompare(b.from));
        sorted.forEach((e, i) => {
          const next = sorted[i + 1];
          if (next && (e.from === next.from || (e.to !== undefined && e.to >= next.from))) {
            problems.push({ file: rel, field: at("entries"), message: `${city}: the entries from ${e.from} and ${next.from} overlap` });
          }
        });
      }
      standards.push({ id: s.id, name: s.name, topics: s.topics, file: rel, entries: entries.sort((a, b) => a.from.localeCompare(b.from)) });
    });
  }
  return { standards, problems };
}

/** The problems as one STANDARDS_INVALID naming file and field of each. */
export function standardsOrThrow(loaded: { standards: Standard[]; problems: StandardProblem[] }): Standard[] {
  if (loaded.problems.length === 0) return loaded.standards;
  const lines = loaded.problems.map((p) => `  ${p.file} ${p.field}: ${p.message}`);
  throw new AppError("STANDARDS_INVALID", `standards: ${loaded.problems.length} problem(s):\n${lines.join("\n")}`, { problems: loaded.problems });
}

/** The entry of a city in force on a day (the newest that has started and not ended). */
export function entryOn(standard: Standard, city: string, day: string): StandardEntry | undefined {
  return standard.entries
    .filter((e) => e.city === city && e.from <= day && (e.to === undefined || e.to >= day))
    .at(-1);
}
