import { z } from "zod";
import type { Chunk, DocumentMeta, IndicatorRow, ServiceArea } from "../corpus/types.ts";
import type { Lexicon } from "../corpus/lexicon.ts";
import type { Standard } from "../corpus/standards.ts";

/** `build.json`: what a build contains and the checksum of every file in it. */
export const BuildManifestSchema = z.object({
  formatVersion: z.number().int(),
  id: z.string().min(1),
  createdAt: z.string(),
  toolVersion: z.string(),
  inputsHash: z.string(),
  documents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      city: z.string(),
      status: z.string(),
      period: z.string(),
      file: z.string(),
      sha256: z.string(),
      chunks: z.number().int(),
    }),
  ),
  counts: z.object({
    documents: z.number().int(),
    chunks: z.number().int(),
    indicators: z.number().int(),
    serviceAreas: z.number().int(),
    rules: z.number().int(),
    libraryQuestions: z.number().int().default(0),
  }),
  embeddings: z.object({
    provider: z.enum(["local", "openai-compatible"]),
    dimensions: z.number().int(),
    model: z.string().optional(),
  }),
  buildMs: z.number(),
  files: z.record(z.string(), z.string()),
});
export type BuildManifest = z.infer<typeof BuildManifestSchema>;

/** A stored block: enough to show a passage in its section context. */
export interface StoredBlock {
  kind: string;
  start: number;
  end: number;
  location: string;
  lead?: string;
}

/** `corpus.json`: parsed documents, chunks, tables, lists and the query-time vocabulary. */
export interface StoredCorpus {
  documents: { meta: DocumentMeta; text: string; blocks: StoredBlock[]; notes: string[] }[];
  chunks: Chunk[];
  indicators: IndicatorRow[];
  serviceAreas: ServiceArea[];
  /** The lexicon the build was made with (query-time vocabulary: expansion, intents, facts). */
  lexicon: Lexicon;
  /** Dated standards with their sources (seeds/standards). */
  standards: Standard[];
  domainWords: string[];
}
