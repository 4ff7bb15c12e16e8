import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.ts";
import { buildBaseline } from "../../src/eval/baseline.ts";
import { buildIndex } from "../../src/index/build.ts";
import { loadIndex } from "../../src/index/load.ts";
import type { LoadedIndex } from "../../src/index/store.ts";
import { silentLogger } from "../../src/log.ts";
import { ROOT } from "../helpers.ts";

/*
 * Each loaded index segments with its own build's dictionary: after a reload to a build whose
 * dictionary lost words, the new index no longer keeps them whole (jieba used to be one process-wide
 * instance that only grew), and the old index, still held, keeps them. The evaluation baseline uses
 * plain jieba whatever index the process holds.
 */

const QUESTION = "灵活就业人员能交住房公积金吗";
const REMOVED = ["灵活就业", "灵活就业人员"];

let work: string;
let withWords: LoadedIndex;
let withoutWords: LoadedIndex;

const configFor = (name: string, seedsDir: string): Config =>
  loadConfig({ env: { MINSHENG_INDEX_DIR: path.join(work, name), MINSHENG_SEEDS_DIR: seedsDir, LOG_LEVEL: "silent" }, root: ROOT });

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "minsheng-tokenizer-"));
  const seeds = path.join(work, "seeds");
  cpSync(path.join(ROOT, "seeds"), seeds, { recursive: true });
  const a = configFor("index-a", seeds);
  await buildIndex(a, { log: silentLogger });
  withWords = await loadIndex(a);

  // The next build's dictionary drops two words; it is loaded in the same process afterwards.
  const dictionary = path.join(seeds, "dictionary.txt");
  const kept = readFileSync(dictionary, "utf8")
    .split("\n")
    .filter((line) => !REMOVED.includes(line.trim().split(/\s+/)[0] ?? ""));
  writeFileSync(dictionary, kept.join("\n"));
  const b = configFor("index-b", seeds);
  await buildIndex(b, { log: silentLogger });
  withoutWords = await loadIndex(b);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a tokenizer per loaded index", () => {
  it("two loaded indexes with different dictionaries segment the same question differently", () => {
    expect(withWords.corpus.domainWords).toEqual(expect.arrayContaining(REMOVED));
    expect(withoutWords.corpus.domainWords).not.toEqual(expect.arrayContaining(["灵活就业"]));

    const a = withWords.tokenizer.cut(QUESTION);
    const b = withoutWords.tokenizer.cut(QUESTION);
    expect(a).toContain("灵活就业人员");
    expect(b).not.toContain("灵活就业人员");
    expect(b).not.toContain("灵活就业");
    expect(b).toEqual(expect.arrayContaining(["灵活", "就业"]));
    // Words both dictionaries share stay whole in both.
    expect(a).toContain("住房公积金");
    expect(b).toContain("住房公积金");
    // The index loaded first is not changed by the one loaded after it.
    expect(withWords.tokenizer.cut(QUESTION)).toEqual(a);
    expect(withWords.tokenizer.words(QUESTION)).toContain("灵活就业人员");
    expect(withoutWords.tokenizer.words(QUESTION)).not.toContain("灵活就业人员");
  });

  it("the evaluation baseline segments with plain jieba, not the loaded index's dictionary", () => {
    const baseline = buildBaseline({ 六安市: "灵活就业人员参加住房公积金制度。" });
    const words = baseline.tokenizer.cut(QUESTION);
    expect(words).not.toContain("住房公积金");
    expect(words).not.toContain("灵活就业人员");
    expect(words).toEqual(expect.arrayContaining(["住房", "公积金"]));
  });
});
