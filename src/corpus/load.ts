import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError, type ErrorCode } from "../errors.ts";
import { chunkDocument } from "./chunk.ts";
import { parseDocument } from "./parse.ts";
import { ManifestSchema, type Chunk, type Manifest, type ParsedDocument } from "./types.ts";

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

/** `seeds/manifest.yaml`, validated. */
export function loadManifest(seedsDir: string): Manifest {
  return readYamlFile(path.join(seedsDir, "manifest.yaml"), ManifestSchema, "MANIFEST_INVALID");
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The parsed documents and their chunks. */
export interface Corpus {
  manifest: Manifest;
  documents: ParsedDocument[];
  chunks: Chunk[];
  /** Document id → sha256 of its source file. */
  checksums: Record<string, string>;
}

/**
 * Parse every document of the manifest and chunk it.
 *
 * @example
 * const corpus = loadCorpus("seeds");
 * corpus.documents.map((d) => d.meta.city); // ["六安市", "淮南市"]
 */
export function loadCorpus(seedsDir: string): Corpus {
  const manifest = loadManifest(seedsDir);
  const documents: ParsedDocument[] = [];
  const checksums: Record<string, string> = {};
  for (const meta of manifest.documents) {
    const file = path.join(seedsDir, meta.file);
    if (!existsSync(file)) {
      throw new AppError("SEED_MISSING", `${meta.id}: ${file} not found (named in manifest.yaml)`, { file });
    }
    const buffer = readFileSync(file);
    const raw = buffer.toString("utf8");
    if (raw.includes("\u0000") || raw.includes("\uFFFD")) {
      throw new AppError("SEED_UNPARSABLE", `${meta.id}: ${file} is not UTF-8 text`, { file });
    }
    const doc = parseDocument(meta, raw);
    if (!doc.blocks.some((b) => b.kind === "heading")) {
      throw new AppError("SEED_UNPARSABLE", `${meta.id}: ${file} has no 章/节 headings to structure it`, { file });
    }
    documents.push(doc);
    checksums[meta.id] = sha256(buffer);
  }
  const chunks = documents.flatMap((d) => chunkDocument(d));
  return { manifest, documents, chunks, checksums };
}
