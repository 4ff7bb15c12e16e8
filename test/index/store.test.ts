import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.ts";
import { loadCorpus } from "../../src/corpus/load.ts";
import { isAppError } from "../../src/errors.ts";
import { buildIndex } from "../../src/index/build.ts";
import { ensureIndex } from "../../src/index/ensure.ts";
import { loadIndex } from "../../src/index/load.ts";
import { currentBuildId } from "../../src/index/store.ts";
import { verifyBuild } from "../../src/index/verify.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { loadLexicon } from "../../src/corpus/lexicon.ts";
import { ROOT } from "../helpers.ts";

let work: string;
let seeds: string;
const configFor = (indexDir: string, seedsDir = path.join(ROOT, "seeds")): Config =>
  loadConfig({ env: { MINSHENG_INDEX_DIR: indexDir, MINSHENG_SEEDS_DIR: seedsDir, LOG_LEVEL: "silent" }, root: ROOT });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), "minsheng-store-"));
  seeds = path.join(work, "seeds");
  cpSync(path.join(ROOT, "seeds"), seeds, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("versioned builds", () => {
  it("builds into builds/<id>, records checksums and switches current to it", async () => {
    const config = configFor(path.join(work, "index-a"));
    expect(currentBuildId(config.indexDir)).toBeUndefined();
    const { id, dir, manifest } = await buildIndex(config, { log: silentLogger });
    expect(id).toMatch(/^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}-[0-9a-f]{6}$/);
    expect(currentBuildId(config.indexDir)).toBe(id);
    expect(verifyBuild(dir).id).toBe(id);
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(["corpus.json", "lexical.json", "hnswlib/hnswlib.index"]));
    expect(manifest.documents.map((d) => d.status)).toEqual(["plan", "draft-for-comment"]);
  });

  it("a missing index is INDEX_MISSING; ensureIndex builds it", async () => {
    const config = configFor(path.join(work, "index-b"));
    expect(isAppError(await rejection(loadIndex(config)), "INDEX_MISSING")).toBe(true);
    const lines: string[] = [];
    const index = await ensureIndex(config, { log: createLogger("info", (l) => lines.push(l)) });
    expect(index.chunks.length).toBeGreaterThan(300);
    expect(lines.join("\n")).toContain("building it");
  });

  it("a changed or truncated file is INDEX_CORRUPT naming the file; ensureIndex rebuilds", async () => {
    const config = configFor(path.join(work, "index-c"));
    const { dir } = await buildIndex(config, { log: silentLogger });
    const lexical = path.join(dir, "lexical.json");
    writeFileSync(lexical, readFileSync(lexical, "utf8").replace("公租房", "公组房"));
    const changed = await rejection(loadIndex(config));
    expect(isAppError(changed, "INDEX_CORRUPT")).toBe(true);
    expect((changed as Error).message).toContain("lexical.json");

    truncateSync(path.join(dir, "corpus.json"), 100);
    expect(isAppError(await rejection(loadIndex(config)), "INDEX_CORRUPT")).toBe(true);

    const lines: string[] = [];
    const rebuilt = await ensureIndex(config, { log: createLogger("warn", (l) => lines.push(l)) });
    expect(rebuilt.dir).not.toBe(dir);
    expect(lines.join("\n")).toMatch(/unusable.*rebuilding/);
  });

  it("a build that fails leaves the live build untouched", async () => {
    const indexDir = path.join(work, "index-d");
    const { id } = await buildIndex(configFor(indexDir), { log: silentLogger });
    const broken = path.join(work, "seeds-broken");
    cpSync(seeds, broken, { recursive: true });
    writeFileSync(path.join(broken, "manifest.yaml"), "documents: [\n  - id: oops\n");
    const error = await rejection(buildIndex(configFor(indexDir, broken), { log: silentLogger }));
    expect(isAppError(error, "MANIFEST_INVALID")).toBe(true);
    expect(currentBuildId(indexDir)).toBe(id);
    expect((await loadIndex(configFor(indexDir))).id).toBe(id);
  });
});

describe("seed validation", () => {
  it("malformed YAML in the manifest names the file", async () => {
    const dir = path.join(work, "seeds-yaml");
    cpSync(seeds, dir, { recursive: true });
    writeFileSync(path.join(dir, "manifest.yaml"), "documents:\n  - id: [unclosed\n");
    const caught = await loadCorpus(dir).catch((e: unknown) => e);
    expect(isAppError(caught, "MANIFEST_INVALID")).toBe(true);
    expect((caught as Error).message).toContain("manifest.yaml");
  });

  it("a manifest entry that does not validate says which field", async () => {
    const dir = path.join(work, "seeds-schema");
    cpSync(seeds, dir, { recursive: true });
    writeFileSync(path.join(dir, "manifest.yaml"), "documents:\n  - id: Bad Id\n    file: x.txt\n");
    await expect(loadCorpus(dir)).rejects.toThrow(/id|title|status/);
  });

  it("a document file named in the manifest but absent is SEED_MISSING", async () => {
    const dir = path.join(work, "seeds-missing");
    cpSync(seeds, dir, { recursive: true });
    rmSync(path.join(dir, "001_823f527c8ef5a992.txt"));
    await expect(loadCorpus(dir)).rejects.toMatchObject({ code: "SEED_MISSING" });
  });

  it("a binary seed file is SEED_UNPARSABLE", async () => {
    const dir = path.join(work, "seeds-binary");
    cpSync(seeds, dir, { recursive: true });
    writeFileSync(path.join(dir, "001_823f527c8ef5a992.txt"), Buffer.from([0, 159, 146, 150, 0, 255, 1, 2]));
    await expect(loadCorpus(dir)).rejects.toMatchObject({ code: "SEED_UNPARSABLE" });
  });

  it("a malformed lexicon is LEXICON_INVALID", () => {
    const dir = path.join(work, "seeds-lexicon");
    cpSync(seeds, dir, { recursive: true });
    writeFileSync(path.join(dir, "lexicon.yaml"), "services:\n  - term: 公租房\n    variants: 廉租房\n");
    expect(() => loadLexicon(dir)).toThrow(expect.objectContaining({ code: "LEXICON_INVALID" }));
  });
});
