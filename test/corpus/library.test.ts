import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isSubstantive, libraryCoverage, libraryOrThrow, loadLibrary } from "../../src/corpus/library.ts";
import { loadCorpus, type Corpus } from "../../src/corpus/load.ts";
import { ROOT, runCli } from "../helpers.ts";

const LUAN = "luan-14th-public-services";
let corpus: Corpus;
const work = mkdtempSync(path.join(os.tmpdir(), "library-"));

beforeAll(async () => {
  corpus = await loadCorpus(path.join(ROOT, "seeds"));
});

function seedsWith(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, "seeds"), dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, "questions", f), text);
  return dir;
}

describe("the question library", () => {
  it("links every question of the shipped library to one passage and covers at least 95 % of the passages", () => {
    const library = loadLibrary(path.join(ROOT, "seeds"), corpus);
    expect(library.problems).toEqual([]);
    expect(library.questions.length).toBeGreaterThanOrEqual(1500);
    const cover = libraryCoverage(corpus.chunks, library.questions);
    expect(cover.share).toBeGreaterThanOrEqual(0.95);
    expect(cover.passages).toBe(corpus.chunks.filter(isSubstantive).length);
  });

  it("short table notes are not passages to cover", () => {
    expect(isSubstantive({ kind: "note", text: "注：[  ]内数据为五年累计数。" })).toBe(false);
    expect(isSubstantive({ kind: "paragraph", text: "扩大普惠养老服务供给。" })).toBe(true);
  });

  it("names file, entry and field for each bad entry, all in one run", () => {
    const dir = seedsWith("bad", {
      "zz-bad.yaml": [
        "entries:",
        `  - { doc: ${LUAN}, quote: "这句话不在规划里", questions: [问一下] }`,
        `  - { doc: ${LUAN}, quote: "公共服务", questions: [公共服务是什么] }`,
        `  - { doc: no-such-plan, quote: "城乡低保标准", questions: [低保多少] }`,
        `  - { doc: ${LUAN}, quote: "鼓励灵活就业人员参加住房公积金制度", questions: [打零工能交公积金吗, 打零工能交公积金吗] }`,
        `  - { doc: ${LUAN}, quote: "分散供养标准提高至819元", questions: [打零工的能交住房公积金吗六安] }`,
        `  - { doc: ${LUAN}, quotes: "typo in the field name", questions: [x] }`,
      ].join("\n"),
    });
    const { problems } = loadLibrary(dir, corpus);
    const lines = problems.map((p) => `${p.file}#${p.entry} ${p.field}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^questions\/zz-bad\.yaml#1 quote: not found/),
        expect.stringMatching(/^questions\/zz-bad\.yaml#2 quote: found in \d+ passages/),
        expect.stringMatching(/^questions\/zz-bad\.yaml#3 doc: unknown document no-such-plan/),
        expect.stringMatching(/^questions\/zz-bad\.yaml#4 questions\.1: .*repeats/),
        expect.stringMatching(/^questions\/zz-bad\.yaml#6 /),
      ]),
    );
    expect(() => libraryOrThrow({ questions: [], problems, files: [] })).toThrow(expect.objectContaining({ code: "LIBRARY_INVALID" }));
  });

  it("a phrasing already linked to one passage cannot be linked to another of the same plan", () => {
    const shipped = loadLibrary(path.join(ROOT, "seeds"), corpus).questions.find((q) => q.chunkId.startsWith(LUAN));
    const dir = seedsWith("conflict", {
      "zz-conflict.yaml": `entries:\n  - { doc: ${LUAN}, quote: "分散供养标准提高至819元", questions: [${JSON.stringify(shipped?.text)}] }\n`,
    });
    const { problems } = loadLibrary(dir, corpus);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/also linked to another passage/);
  });

  it("an entry linked to a superseded edition fails", async () => {
    const dir = seedsWith("superseded", {});
    const manifest = readFileSync(path.join(dir, "manifest.yaml"), "utf8")
      .replace("    status: plan\n    period: 2021-2025\n", "    status: plan\n    period: 2021-2025\n    supersededBy: luan-revised\n")
      .concat("\n  - id: luan-revised\n    file: 000_efc89e334599d1ca.txt\n    title: 六安市规划（修订）\n    city: 六安市\n    status: plan\n    period: 2021-2025\n");
    writeFileSync(path.join(dir, "manifest.yaml"), manifest);
    const revised = await loadCorpus(dir);
    const { problems } = loadLibrary(dir, revised);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.field).toBe("doc");
    expect(problems[0]?.message).toMatch(/superseded/);
  });

  it("malformed YAML is reported with its file, and `index --check` fails naming it while the live build is untouched", async () => {
    const dir = seedsWith("malformed", { "zz-broken.yaml": "entries:\n  - { doc: [unclosed\n" });
    expect(loadLibrary(dir, corpus).problems[0]).toMatchObject({ file: "questions/zz-broken.yaml", entry: 0 });
    const r = await runCli(["index", "--check"], { env: { MINSHENG_SEEDS_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LIBRARY_INVALID");
    expect(r.stderr).toContain("questions/zz-broken.yaml");
    const ask = await runCli(["ask", "六安低保标准是多少", "--json"]);
    expect(ask.code).toBe(0);
  });

  it("`index --check` reports the library's coverage and the lexicon's size", async () => {
    const r = await runCli(["index", "--check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/question library: \d+ questions; \d+ of \d+ passages have at least 3/);
    expect(r.stdout).toMatch(/lexicon: \d+ terms, \d+ variants/);
  });
});
