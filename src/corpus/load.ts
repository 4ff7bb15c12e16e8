import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import mammoth from "mammoth";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError, type ErrorCode } from "../errors.ts";
import { chunkDocument } from "./chunk.ts";
import { parseDocument } from "./parse.ts";
import { ManifestSchema, type Chunk, type DocumentMeta, type Manifest, type ParsedDocument } from "./types.ts";

/**
 * Read and validate a YAML file against a zod schema. Malformed YAML and schema violations both
 * become an AppError with `code`, naming the file and the place.
 */
export function readYamlFile<T>(file: string, schema: z.ZodType<T>, code: ErrorCode): T {
  if (!existsSync(file)) throw new AppError(code, `${file} not found`, { file });
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new AppError(code, `${file} is not valid YAML: ${(error as Error).message}`, { file });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new AppError(code, `${file} does not validate:\n${z.prettifyError(parsed.error)}`, { file });
  }
  return parsed.data;
}

/** One YAML file of a seeds folder, parsed against a schema: its data, or why not. */
export type YamlFileResult<T> = { rel: string } & ({ data: T } | { error: string } | { issues: z.core.$ZodIssue[] });

/**
 * Every `*.yaml` file of `seedsDir/folder` (sorted), each parsed and checked against `schema`
 * without throwing, so a loader can report every file's problems in one run.
 */
export function readYamlFolder<T>(seedsDir: string, folder: string, schema: z.ZodType<T>): YamlFileResult<T>[] {
  const dir = path.join(seedsDir, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((name): YamlFileResult<T> => {
      const rel = `${folder}/${name}`;
      let data: unknown;
      try {
        data = parseYaml(readFileSync(path.join(dir, name), "utf8"));
      } catch (error) {
        return { rel, error: `not valid YAML: ${(error as Error).message.split("\n")[0]}` };
      }
      const parsed = schema.safeParse(data ?? {});
      return parsed.success ? { rel, data: parsed.data } : { rel, issues: parsed.error.issues };
    });
}

/** `seeds/manifest.yaml`, validated. */
export function loadManifest(seedsDir: string): Manifest {
  return readYamlFile(path.join(seedsDir, "manifest.yaml"), ManifestSchema, "MANIFEST_INVALID");
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
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
