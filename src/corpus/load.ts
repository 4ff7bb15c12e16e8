import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import mammoth from "mammoth";
import { AppError } from "../errors.ts";
import { readYamlFile, sha256 } from "../util/files.ts";
import { chunkDocument } from "./chunk.ts";
import { parseDocument } from "./parse.ts";
import { ManifestSchema, type Chunk, type DocumentMeta, type Manifest, type ParsedDocument } from "./types.ts";

/** `seeds/manifest.yaml`, validated. */
export function loadManifest(seedsDir: string): Manifest {
  return readYamlFile(path.join(seedsDir, "manifest.yaml"), ManifestSchema, "MANIFEST_INVALID");
}

/** Bump when parsing or chunking changes, so cached parses are not reused. */
export const PARSER_VERSION = 2;

/** The document text a file holds: .txt as is, .md without heading and emphasis marks, .docx converted. */
export async function documentText(file: string, buffer: Buffer): Promise<string> {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".docx") {
    try {
      const { value } = await mammoth.extractRawText({ buffer });
      return value;
    } catch (error) {
      throw new AppError("SEED_UNPARSABLE", `${file} is not a readable .docx: ${(error as Error).message}`, { file });
    }
  }
  const text = buffer.toString("utf8");
  if (text.includes("\u0000") || text.includes("\uFFFD")) {
    throw new AppError("SEED_UNPARSABLE", `${file} is not UTF-8 text`, { file });
  }
  if (ext === ".md" || ext === ".markdown") {
    return text.replace(/^#{1,6}\s+/gm, "").replace(/(\*\*|__)/g, "");
  }
  if (ext !== ".txt" && ext !== "") {
    throw new AppError("SEED_UNPARSABLE", `${file}: unsupported document type "${ext}" (use .txt, .md or .docx)`, { file });
  }
  return text;
}

/** The parsed documents and their chunks. */
export interface Corpus {
  manifest: Manifest;
  /** The documents answers may cite (superseded editions left out). */
  documents: ParsedDocument[];
  chunks: Chunk[];
  /** Document id → sha256 of its source file. */
  checksums: Record<string, string>;
  /** Editions the manifest marks as superseded (not indexed). */
  superseded: DocumentMeta[];
  /** How many documents were parsed now, and how many came from the parse cache. */
  stats: { parsed: number; cached: number };
}

export interface LoadOptions {
  /** Store parses in this folder, and reuse those of unchanged documents. */
  cacheDir?: string;
  /** Reuse cached parses (default true); false parses everything again and refreshes the cache. */
  reuse?: boolean;
}

/**
 * Parse every current document of the manifest and chunk it. With a cache folder, a document whose
 * bytes, manifest entry and parser version are unchanged is read back instead of parsed again (the
 * result is identical).
 *
 * @example
 * const corpus = await loadCorpus("seeds");
 * corpus.documents.map((d) => d.meta.city); // ["六安市", "淮南市"]
 */
export async function loadCorpus(seedsDir: string, options: LoadOptions = {}): Promise<Corpus> {
  const manifest = loadManifest(seedsDir);
  const documents: ParsedDocument[] = [];
  const chunks: Chunk[] = [];
  const checksums: Record<string, string> = {};
  const stats = { parsed: 0, cached: 0 };
  const current = manifest.documents.filter((d) => !d.supersededBy);
  for (const meta of current) {
    const file = path.join(seedsDir, meta.file);
    if (!existsSync(file)) {
      throw new AppError("SEED_MISSING", `${meta.id}: ${file} not found (named in manifest.yaml)`, { file });
    }
    const buffer = readFileSync(file);
    checksums[meta.id] = sha256(buffer);
    const key = sha256(JSON.stringify({ v: PARSER_VERSION, meta, content: checksums[meta.id] }));
    const cached = options.cacheDir ? path.join(options.cacheDir, `${key}.json`) : undefined;
    if (cached && options.reuse !== false && existsSync(cached)) {
      try {
        const hit = JSON.parse(readFileSync(cached, "utf8")) as { doc: ParsedDocument; chunks: Chunk[] };
        documents.push(hit.doc);
        chunks.push(...hit.chunks);
        stats.cached++;
        continue;
      } catch {
        /* a damaged cache entry is parsed again */
      }
    }
    const doc = parseDocument(meta, await documentText(file, buffer));
    if (meta.kind === "plan" && !doc.blocks.some((b) => b.kind === "heading")) {
      throw new AppError("SEED_UNPARSABLE", `${meta.id}: ${file} has no 章/节 headings to structure it`, { file });
    }
    const docChunks = chunkDocument(doc);
    // Round-trip through JSON so a fresh parse and a cached one are the very same data.
    const plain = JSON.parse(JSON.stringify({ doc, chunks: docChunks })) as { doc: ParsedDocument; chunks: Chunk[] };
    documents.push(plain.doc);
    chunks.push(...plain.chunks);
    stats.parsed++;
    if (cached && options.cacheDir) {
      mkdirSync(options.cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(plain));
      renameSync(tmp, cached);
    }
  }
  return { manifest, documents, chunks, checksums, superseded: manifest.documents.filter((d) => d.supersededBy), stats };
}
