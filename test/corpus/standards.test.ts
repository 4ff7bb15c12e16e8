import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { loadCorpus } from "../../src/corpus/load.ts";
import { loadStandards } from "../../src/corpus/standards.ts";
import { buildIndex } from "../../src/index/build.ts";
import { diffSnapshots, snapshotFromBuild, snapshotFromSeeds } from "../../src/index/diff.ts";
import { loadIndex } from "../../src/index/load.ts";
import { silentLogger } from "../../src/log.ts";
import { ROOT } from "../helpers.ts";

const work = mkdtempSync(path.join(os.tmpdir(), "standards-"));

/** A copy of the seeds with the synthetic 低保 notice (a test fixture, never shipped as policy). */
function seedsWithNotice(name: string, manifestExtra = "  - id: luan-dibao-notice-test\n    kind: notice\n    date: \"2026-01-01\"\n    file: notice-dibao.txt\n    title: 关于调整城乡最低生活保障标准的通知（测试）\n    city: 六安市\n"): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, "seeds"), dir, { recursive: true });
  cpSync(path.join(ROOT, "test/fixtures/notice-dibao.txt"), path.join(dir, "notice-dibao.txt"));
  writeFileSync(path.join(dir, "manifest.yaml"), readFileSync(path.join(dir, "manifest.yaml"), "utf8") + "\n" + manifestExtra);
  return dir;
}

function addEntry(dir: string, entry: string): void {
  const file = path.join(dir, "standards", "she-hui-jiu-zhu.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("    entries:\n      - city: 六安市\n        from: \"2020-12-31\"\n        value: \"630\"", `    entries:\n${entry}\n      - city: 六安市\n        from: "2020-12-31"\n        value: "630"`));
}

const NOTICE_ENTRY = '      - { city: 六安市, from: "2026-01-01", value: "700", unit: 元/人/月, source: { doc: luan-dibao-notice-test, quote: "全市城乡低保标准调整为700元/人/月" }, note: 2026年起的标准 }';

describe("dated standards", () => {
  it("the shipped standards are found in the plans", async () => {
    const corpus = await loadCorpus(path.join(ROOT, "seeds"));
    const { standards, problems } = loadStandards(path.join(ROOT, "seeds"), corpus);
    expect(problems).toEqual([]);
    expect(standards.map((s) => s.id)).toEqual(expect.arrayContaining(["urban-rural-dibao", "tekun-support"]));
  });

  it("a notice with a dated entry: the newest value with its date and source, and what the plan said; the diff lists it", async () => {
    const seeds = seedsWithNotice("notice");
    addEntry(seeds, NOTICE_ENTRY);
    const indexDir = path.join(work, "index-notice");
    const config = loadConfig({ env: { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: indexDir, LOG_LEVEL: "silent" }, root: ROOT });
    const { id } = await buildIndex(config, { log: silentLogger });
    const index = await loadIndex(config);
    const after = await createApp(config, { log: silentLogger, index, warmUp: false, now: () => new Date("2026-06-01") });
    const a = await after.ask("六安低保标准是多少");
    expect(a.text.split("\n")[0]).toBe(
      "六安市城乡低保标准：700元/人/月（2026-01-01起，据《关于调整城乡最低生活保障标准的通知（测试）》）[1]；规划写的是630元/人/月（2020年“十三五”末的水平）[2]。",
    );
    expect(a.citations[0]?.docId).toBe("luan-dibao-notice-test");
    expect(a.citations[1]?.quote).toContain("630元/人/月");
    const before = await createApp(config, { log: silentLogger, index, warmUp: false, now: () => new Date("2025-06-01") });
    expect((await before.ask("六安低保标准是多少")).text).toMatch(/^六安市城乡低保标准：630元\/人\/月/);

    const plain = loadConfig({ env: { MINSHENG_INDEX_DIR: path.join(work, "index-plain"), LOG_LEVEL: "silent" }, root: ROOT });
    const base = await buildIndex(plain, { log: silentLogger });
    const diff = diffSnapshots(snapshotFromBuild(plain.indexDir, base.id), snapshotFromBuild(indexDir, id));
    expect(diff.standards).toEqual([expect.objectContaining({ change: "added", row: expect.objectContaining({ value: "700", from: "2026-01-01" }) })]);
    const dry = diffSnapshots(snapshotFromBuild(plain.indexDir, base.id), await snapshotFromSeeds(config));
    expect(dry.standards.map((s) => s.row.value)).toEqual(["700"]);
  });

  it("a notice without a date fails the manifest, naming the field", async () => {
    const seeds = seedsWithNotice("no-date", "  - id: luan-dibao-notice-test\n    kind: notice\n    file: notice-dibao.txt\n    title: 通知\n    city: 六安市\n");
    await expect(loadCorpus(seeds)).rejects.toThrow(/date[\s\S]*a notice needs its date/);
  });

  it("a missing quote, a value the quote does not state and overlapping dates are all listed in one run", async () => {
    const seeds = seedsWithNotice("bad");
    addEntry(
      seeds,
      [
        '      - { city: 六安市, from: "2026-01-01", value: "700", unit: 元/人/月, source: { doc: luan-dibao-notice-test, quote: "这句话不在通知里" } }',
        '      - { city: 六安市, from: "2020-12-31", value: "999", unit: 元/人/月, source: { doc: luan-14th-public-services, quote: "城乡低保标准提高至630元/人/月" } }',
      ].join("\n"),
    );
    const corpus = await loadCorpus(seeds);
    const { problems } = loadStandards(seeds, corpus);
    const lines = problems.map((p) => `${p.file} ${p.field}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/standards\/she-hui-jiu-zhu\.yaml standards\[0\]\.entries\[0\]\.source\.quote: not found/),
        expect.stringMatching(/entries\[1\]\.value: the quote does not state the value 999/),
        expect.stringMatching(/standards\[0\]\.entries: 六安市: the entries from 2020-12-31 and 2020-12-31 overlap/),
      ]),
    );
  });
});
