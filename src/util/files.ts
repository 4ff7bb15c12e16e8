import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError, type ErrorCode } from "../errors.ts";

/* File helpers every layer shares: validated YAML, and content hashes. */

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

/** Hex SHA-256 of a text or a buffer (build checksums, cache keys). */
export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
