import { z } from "zod";
import { AppError } from "../errors.ts";
import { readYamlFolder } from "../util/files.ts";
import { normalizeText, squash } from "../util/normalize.ts";
import type { Chunk, DocumentMeta } from "./types.ts";

/*
 * The question library (seeds/questions/*.yaml): residents' and hotline staff's phrasings, each
 * linked to the one passage that answers it by document id + a verbatim quote. Retrieval matches an
 * incoming question against these phrasings and boosts the linked passage (a "question field").
 */

export const LibraryEntrySchema = z
  .object({
    doc: z.string().min(1),
    quote: z.string().trim().min(4),
    questions: z.array(z.string().trim().min(2).max(200)).min(1).max(20),
  })
  .strict();
export type LibraryEntry = z.infer<typeof LibraryEntrySchema>;

export const LibraryFileSchema = z
  .object({
    /** The area the file collects (informative; the link is the quote). */
    area: z.string().min(2).optional(),
    /** Each entry is validated on its own (LibraryEntrySchema), so one bad entry hides no other. */
    entries: z.array(z.unknown()).default([]),
  })
  .strict();

/** One library question, resolved to its passage. */
export interface LibraryQuestion {
  text: string;
  chunkId: string;
  /** The entry's verbatim quote: the sentence of the passage the question is about (absent in builds before it was kept). */
  quote?: string;
  /** `questions/zhu-you-suo-ju.yaml#12`: file and entry, for maintainers. */
  source: string;
}

export interface LibraryProblem {
  file: string;
  /** 1-based entry number (0 for the file itself). */
  entry: number;
  field: string;
  message: string;
}

export interface LoadedLibrary {
  questions: LibraryQuestion[];
  problems: LibraryProblem[];
  files: string[];
}

/** Where library files live under the seeds folder. */
export const LIBRARY_DIR = "questions";

/**
 * Read every `seeds/questions/*.yaml` and resolve each entry to the one chunk of its document whose
 * text holds the quote (whitespace aside). Collects every problem (malformed YAML, unknown or
 * superseded document, quote not found or in several passages, a question linked twice or to two
 * passages) instead of stopping at the first; `libraryOrThrow` turns them into one error.
 */
export function loadLibrary(
  seedsDir: string,
  corpus: { chunks: readonly Chunk[]; documents: readonly { meta: DocumentMeta }[]; superseded: readonly DocumentMeta[] },
): LoadedLibrary {
  const files = readYamlFolder(seedsDir, LIBRARY_DIR, LibraryFileSchema);
  const problems: LibraryProblem[] = [];
  const questions: LibraryQuestion[] = [];
  const chunksByDoc = new Map<string, { chunk: Chunk; flat: string }[]>();
  for (const c of corpus.chunks) {
    chunksByDoc.set(c.docId, [...(chunksByDoc.get(c.docId) ?? []), { chunk: c, flat: squash(c.text) }]);
  }
  const superseded = new Set(corpus.superseded.map((d) => d.id));
  const seen = new Map<string, { chunkId: string; where: string }>();
  for (const file of files) {
    const rel = file.rel;
    if ("error" in file) {
      problems.push({ file: rel, entry: 0, field: "-", message: file.error });
      continue;
    }
    if ("issues" in file) {
      for (const issue of file.issues) {
        const [, index, ...rest] = issue.path;
        problems.push({
          file: rel,
          entry: typeof index === "number" ? index + 1 : 0,
          field: rest.length ? rest.join(".") : String(issue.path[0] ?? "-"),
          message: issue.message,
        });
      }
      continue;
    }
    file.data.entries.forEach((raw, i) => {
      const where = `${rel}#${i + 1}`;
      const bad = (field: string, message: string) => problems.push({ file: rel, entry: i + 1, field, message });
      const entry = LibraryEntrySchema.safeParse(raw);
      if (!entry.success) {
        for (const issue of entry.error.issues) bad(issue.path.length ? issue.path.join(".") : "-", issue.message);
        return;
      }
      const e = entry.data;
      if (superseded.has(e.doc)) return bad("doc", `document ${e.doc} is superseded: link the entry to the current edition`);
      const candidates = chunksByDoc.get(e.doc);
      if (!candidates) return bad("doc", `unknown document ${e.doc}`);
      const flat = squash(e.quote);
      const hits = candidates.filter((c) => c.flat.includes(flat));
      if (hits.length === 0) return bad("quote", `not found in ${e.doc}: "${e.quote}"`);
      if (hits.length > 1) {
        return bad("quote", `found in ${hits.length} passages (${hits.map((h) => h.chunk.id).join(", ")}): lengthen it to name one`);
      }
      const chunkId = (hits[0] as { chunk: Chunk }).chunk.id;
      const local = new Set<string>();
      e.questions.forEach((q, qi) => {
        // The same words may be asked of each city's plan; within one document a phrasing has one passage.
        const key = `${e.doc}\u0000${normalizeText(q).replace(/[\s?？!！。.,，]+/g, "")}`;
        if (local.has(key)) return bad(`questions.${qi}`, `"${q}" repeats a question of the same entry`);
        local.add(key);
        const prev = seen.get(key);
        if (prev && prev.chunkId !== chunkId) {
          return bad(`questions.${qi}`, `"${q}" is also linked to another passage at ${prev.where}: a question links to one passage`);
        }
        if (prev) return bad(`questions.${qi}`, `"${q}" duplicates ${prev.where}`);
        seen.set(key, { chunkId, where });
        questions.push({ text: q, chunkId, quote: e.quote, source: where });
      });
    });
  }
  return { questions, problems, files: files.map((f) => f.rel) };
}

/** The problems as one LIBRARY_INVALID error naming file, entry and field of each. */
export function libraryOrThrow(library: LoadedLibrary): LibraryQuestion[] {
  if (library.problems.length > 0) {
    const lines = library.problems.map((p) => `  ${p.file} entry ${p.entry} ${p.field}: ${p.message}`);
    throw new AppError("LIBRARY_INVALID", `question library: ${library.problems.length} problem(s):\n${lines.join("\n")}`, {
      problems: library.problems,
    });
  }
  return library.questions;
}

/** Short table notes ("[ ]内数据为五年累计数") hold nothing to ask about and are not counted. */
const MIN_NOTE_CHARS = 30;

/** Whether residents could ask about a passage (everything but short table notes). */
export function isSubstantive(chunk: Pick<Chunk, "kind" | "text">): boolean {
  return chunk.kind !== "note" || [...chunk.text].length >= MIN_NOTE_CHARS;
}

export interface LibraryCoverage {
  passages: number;
  /** Substantive passages with at least `min` library questions. */
  covered: number;
  share: number;
  questions: number;
  /** Substantive passages with fewer than `min` questions (ids). */
  thin: string[];
}

/** Share of substantive passages with at least `min` library questions. */
export function libraryCoverage(chunks: readonly Chunk[], questions: readonly LibraryQuestion[], min = 3): LibraryCoverage {
  const count = new Map<string, number>();
  for (const q of questions) count.set(q.chunkId, (count.get(q.chunkId) ?? 0) + 1);
  const substantive = chunks.filter(isSubstantive);
  const thin = substantive.filter((c) => (count.get(c.id) ?? 0) < min).map((c) => c.id);
  const covered = substantive.length - thin.length;
  return {
    passages: substantive.length,
    covered,
    share: substantive.length ? Math.round((covered / substantive.length) * 1000) / 1000 : 1,
    questions: questions.length,
    thin,
  };
}
