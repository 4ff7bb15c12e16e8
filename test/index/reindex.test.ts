import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import JSZip from "jszip";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { buildHttpApp } from "../../src/channels/http/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { documentText, loadCorpus } from "../../src/corpus/load.ts";
import { sha256 } from "../../src/util/files.ts";
import { parseDocument } from "../../src/corpus/parse.ts";
import { buildIndex } from "../../src/index/build.ts";
import { figureChanges } from "../../src/index/compare.ts";
import { diffSnapshots, snapshotFromBuild, snapshotFromSeeds } from "../../src/index/diff.ts";
import { LiveApp } from "../../src/live.ts";
import { currentBuildId, listBuilds, rollbackBuild, setCurrentBuild } from "../../src/index/store.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { ROOT, runCli, startServe } from "../helpers.ts";
import { replies, say, startEmulator, startTestBot } from "../channels/telegram/harness.ts";

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-reindex-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const LUAN = "000_efc89e334599d1ca.txt";

function seedsCopy(name: string): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, "seeds"), dir, { recursive: true });
  return dir;
}
/**
 * A new 低保 standard in the 六安 plan: the plan's sentence and the dated standard that quotes it
 * change together, as a maintainer changes them.
 */
function raiseDibao(seeds: string, to: number, file = LUAN, from = /城乡低保标准提高至\d+元/): void {
  edit(seeds, file, (s) => s.replace(from, `城乡低保标准提高至${to}元`));
  edit(path.join(seeds, "standards"), "she-hui-jiu-zhu.yaml", (s) =>
    s.replace(/value: "\d+"\n(\s+)unit: 元\/人\/月\n(\s+)source: \{ doc: luan-14th-public-services, quote: "城乡低保标准提高至\d+元/, `value: "${to}"\n$1unit: 元/人/月\n$2source: { doc: luan-14th-public-services, quote: "城乡低保标准提高至${to}元`),
  );
}

function edit(seeds: string, file: string, change: (s: string) => string): void {
  const p = path.join(seeds, file);
  writeFileSync(p, change(readFileSync(p, "utf8")));
}
const configFor = (seeds: string, index: string, env: Record<string, string> = {}): Config =>
  loadConfig({ env: { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: index, LOG_LEVEL: "silent", ...env }, root: ROOT });

const cli = (args: string[], env: Record<string, string>) => runCli(args, { env });

describe("builds", () => {
  it("an incremental build parses only the changed document and equals a full build", async () => {
    const seeds = seedsCopy("seeds-incr");
    const incremental = configFor(seeds, path.join(work, "index-incr"));
    const first = await buildIndex(incremental, { log: silentLogger });
    expect(first.stats).toEqual({ parsed: 2, cached: 0 });
    raiseDibao(seeds, 700);
    const second = await buildIndex(incremental, { log: silentLogger });
    expect(second.stats).toEqual({ parsed: 1, cached: 1 });
    const full = await buildIndex(configFor(seeds, path.join(work, "index-full")), { log: silentLogger, cache: false });
    expect(full.stats).toEqual({ parsed: 2, cached: 0 });
    // A full build still refreshes the cache: the next build there re-parses nothing.
    const after = await buildIndex(configFor(seeds, path.join(work, "index-full")), { log: silentLogger });
    expect(after.stats).toEqual({ parsed: 0, cached: 2 });
    expect(second.manifest.inputsHash).toBe(full.manifest.inputsHash);
    expect(second.manifest.files).toEqual(full.manifest.files);
    for (const file of Object.keys(full.manifest.files)) {
      expect(sha256(readFileSync(path.join(second.dir, file))), file).toBe(sha256(readFileSync(path.join(full.dir, file))));
    }
  });

  it("keeps the last N builds and rolls back to the previous one", async () => {
    const seeds = seedsCopy("seeds-keep");
    const index = path.join(work, "index-keep");
    const config = configFor(seeds, index, { INDEX_KEEP_BUILDS: "2" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      raiseDibao(seeds, 700 + i);
      ids.push((await buildIndex(config, { log: silentLogger })).id);
      await new Promise((r) => setTimeout(r, 1100));
    }
    expect(listBuilds(index)).toEqual(ids.slice(1));
    expect(rollbackBuild(index)).toEqual({ from: ids[2], to: ids[1] });
    expect(currentBuildId(index)).toBe(ids[1]);
    expect(() => rollbackBuild(index)).toThrow(/no earlier build/);
  });
});

describe("index --check and --diff", () => {
  it("--check passes on good seeds and names the rule whose quote was removed", async () => {
    const seeds = seedsCopy("seeds-check");
    const env = { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: path.join(work, "index-check") };
    const ok = await cli(["index", "--check"], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok \d+ rules, \d+ test cases/);
    edit(seeds, LUAN, (s) => s.replace("鼓励灵活就业人员参加住房公积金制度。", ""));
    const bad = await cli(["index", "--check"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("luan.housing-fund.flexible-workers");
    expect(bad.stderr).toContain("rules/zhu-you-suo-ju.yaml");
    const build = await cli(["index"], env);
    expect(build.code).toBe(1);
    expect(build.stderr).toContain("luan.housing-fund.flexible-workers");
  });

  it("--diff reports passages, figures, indicators, service items and rules to review", async () => {
    const seeds = seedsCopy("seeds-diff");
    const index = path.join(work, "index-diff");
    const config = configFor(seeds, index);
    const { id } = await buildIndex(config, { log: silentLogger });
    edit(seeds, LUAN, (s) =>
      s
        .replace("城乡低保标准提高至630元/人/月", "城乡低保标准提高至700元/人/月")
        .replace("\t人均体育场地面积（平方米）\n\t2.09\n\t2.6", "\t人均体育场地面积（平方米）\n\t2.09\n\t2.8")
        .replace("送戏曲下乡、", "")
        .replace("（共计8项）", "（共计7项）"),
    );
    const diff = diffSnapshots(snapshotFromBuild(index, id), await snapshotFromSeeds(config));
    const luan = diff.documents.find((d) => d.docId === "luan-14th-public-services")!;
    expect(luan.change).toBe("changed");
    expect(luan.passages.changed.flatMap((c) => c.figures)).toContainEqual({ label: "城乡低保标准提高至", old: "630元/人/月", new: "700元/人/月" });
    expect(luan.indicators).toContainEqual(expect.objectContaining({ indicator: "人均体育场地面积（平方米）", column: "2025年", old: "2.6", new: "2.8" }));
    expect(luan.services).toEqual([{ area: "文体服务保障", added: [], removed: ["送戏曲下乡"] }]);
    expect(diff.documents.find((d) => d.docId === "huainan-14th-public-services")?.change).toBe("unchanged");
    expect(diff.rulesNeedingReview).toContainEqual(expect.objectContaining({ ruleId: "luan.culture.opera-to-countryside", reason: "quote-missing" }));

    const text = await cli(["index", "--diff"], { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: index });
    expect(text.stdout).toContain("figure: 城乡低保标准提高至 630元/人/月 → 700元/人/月");
    expect(text.stdout).toContain("Rules needing review:");
    const json = await cli(["index", "--diff", "--json"], { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: index });
    expect(JSON.parse(json.stdout).rulesNeedingReview.length).toBeGreaterThan(0);
    expect(currentBuildId(index)).toBe(id);
  });

  it("figureChanges labels moved numbers with the words before them", () => {
    expect(figureChanges("新增公租房实物配租1500户，租赁补贴1000套。", "新增公租房实物配租1800户，租赁补贴1000套。")).toEqual([
      { label: "新增公租房实物配租", old: "1500户", new: "1800户" },
    ]);
  });
});

describe("hot swap", () => {
  it("reindexing under steady load: no failed request, answers change right after the switch, rollback restores them", async () => {
    const seeds = seedsCopy("seeds-hot");
    const index = path.join(work, "index-hot");
    const config = configFor(seeds, index, { ADMIN_TOKEN: "admin-token-123", HTTP_RATE_LIMIT_MAX: "1000000" });
    const first = await buildIndex(config, { log: silentLogger });
    const lines: string[] = [];
    const live = new LiveApp(await createApp(config, { log: silentLogger }), createLogger("info", (l) => lines.push(l)));
    live.watch();
    const http = await buildHttpApp(() => live.current(), config, { reload: (r) => live.reload(r) });
    const base = await http.listen({ host: "127.0.0.1", port: 0 });
    const results: { status: number; text: string; index: string }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "六安的低保标准是多少" }) });
        const body = (await res.json()) as { text: string; indexId: string };
        results.push({ status: res.status, text: body.text, index: body.indexId });
      }
    };
    const workers = [worker(), worker(), worker()];
    try {
      await new Promise((r) => setTimeout(r, 500));
      raiseDibao(seeds, 700);
      const built = await cli(["index"], { MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: index });
      expect(built.code).toBe(0);
      const second = currentBuildId(index)!;
      await expect.poll(async () => ((await (await fetch(`${base}/api/index`)).json()) as { id: string }).id, { timeout: 20_000 }).toBe(second);
      const switchedAt = results.length;
      await new Promise((r) => setTimeout(r, 500));

      // Rollback through the admin endpoint (file watch would do it too).
      rollbackBuild(index, first.id);
      const denied = await fetch(`${base}/api/admin/reload`, { method: "POST", headers: { authorization: "Bearer nope" } });
      expect(denied.status).toBe(401);
      const reloaded = await fetch(`${base}/api/admin/reload`, { method: "POST", headers: { authorization: "Bearer admin-token-123" } });
      expect(reloaded.status).toBe(200);
      expect(((await reloaded.json()) as { to: string }).to).toBe(first.id);
      const rolledAt = results.length;
      await new Promise((r) => setTimeout(r, 500));
      running = false;
      await Promise.all(workers);

      expect(results.length).toBeGreaterThan(20);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.filter((r) => r.index === first.id).every((r) => r.text.includes("630元/人/月"))).toBe(true);
      expect(results.filter((r) => r.index === second).every((r) => r.text.includes("700元/人/月"))).toBe(true);
      expect(results.slice(switchedAt, rolledAt).some((r) => r.text.includes("700元/人/月"))).toBe(true);
      expect(results.slice(rolledAt + 3).every((r) => r.text.includes("630元/人/月"))).toBe(true);
      expect(lines.join("\n")).toMatch(/index reloaded \(index\/current changed\)/);
    } finally {
      running = false;
      await Promise.all(workers);
      live.close();
      await http.close();
    }
  });

  it("a corrupt build is never loaded: the previous build keeps serving and the log says why", async () => {
    const seeds = seedsCopy("seeds-corrupt");
    const index = path.join(work, "index-corrupt");
    const config = configFor(seeds, index);
    const good = await buildIndex(config, { log: silentLogger });
    const lines: string[] = [];
    const live = new LiveApp(await createApp(config, { log: silentLogger }), createLogger("info", (l) => lines.push(l)));
    raiseDibao(seeds, 700);
    const bad = await buildIndex(config, { log: silentLogger, activate: false });
    truncateSync(path.join(bad.dir, "lexical.json"), 50);
    setCurrentBuild(index, bad.id);
    const result = await live.reload("test");
    expect(result).toMatchObject({ ok: false, from: good.id, to: bad.id });
    expect(result.error).toMatch(/lexical\.json fails its checksum/);
    expect(live.current().index.id).toBe(good.id);
    expect((await live.current().ask("六安的低保标准是多少")).text).toContain("630元/人/月");
    expect(lines.join("\n")).toMatch(/reload refused \(test\); still serving/);
  });

  it("SIGHUP reloads a running server (file watch off)", async () => {
    const seeds = seedsCopy("seeds-hup");
    const index = path.join(work, "index-hup");
    const config = configFor(seeds, index);
    const first = await buildIndex(config, { log: silentLogger });
    const { base, child, stop } = await startServe({ MINSHENG_SEEDS_DIR: seeds, MINSHENG_INDEX_DIR: index, INDEX_WATCH: "false" });
    try {
      const liveId = async () => ((await (await fetch(`${base}/api/index`)).json()) as { id: string }).id;
      expect(await liveId()).toBe(first.id);
      raiseDibao(seeds, 700);
      const second = await buildIndex(config, { log: silentLogger });
      await new Promise((r) => setTimeout(r, 500));
      expect(await liveId()).toBe(first.id);
      child.kill("SIGHUP");
      await expect.poll(liveId, { timeout: 20_000 }).toBe(second.id);
    } finally {
      await stop();
    }
  });

  it("the bot follows the swap: /about and answers use the new build", async () => {
    const seeds = seedsCopy("seeds-bot");
    const index = path.join(work, "index-bot");
    const config = configFor(seeds, index);
    const first = await buildIndex(config, { log: silentLogger });
    const live = new LiveApp(await createApp(config, { log: silentLogger }), silentLogger);
    const server = await startEmulator();
    const h = await startTestBot(() => live.current(), server);
    try {
      const client = server.getClient(h.token, { userId: 9100, chatId: 9100 });
      await say(client, "/about");
      expect((await replies(client))[0]?.text).toContain(first.id);
      raiseDibao(seeds, 700);
      const second = await buildIndex(config, { log: silentLogger });
      expect(await live.reload("test")).toMatchObject({ ok: true, to: second.id });
      await say(client, "/about");
      expect((await replies(client))[0]?.text).toContain(second.id);
      await say(client, "六安的低保标准是多少");
      expect((await replies(client))[0]?.text).toContain("700元/人/月");
    } finally {
      await h.stop();
      await server.stop();
    }
  });
});

describe("adding documents", () => {
  const synthetic = [
    "第一章 总体要求",
    "青阳市坚持以人民为中心，办好民生实事。",
    "第一节 住房保障",
    "完善青阳公租房保障。对城镇户籍低保、低收入住房困难家庭依申请应保尽保，青阳市新增公租房实物配租800户。",
    "第二节 养老服务",
    "发展青阳社区养老。建设社区老年食堂120个，为高龄老人提供助餐服务。",
  ].join("\n");

  it("a new city's plan is picked up from the manifest: detection, scoping, cities", async () => {
    const seeds = seedsCopy("seeds-third");
    writeFileSync(path.join(seeds, "qingyang.md"), synthetic.replace(/^第/gm, "## 第"));
    const manifest = readFileSync(path.join(seeds, "manifest.yaml"), "utf8");
    writeFileSync(
      path.join(seeds, "manifest.yaml"),
      manifest +
        "\n  - id: qingyang-14th-public-services\n    file: qingyang.md\n    title: 青阳市“十四五”公共服务规划（测试）\n    city: 青阳市\n    counties: [青山区, 阳河县]\n    status: plan\n    period: 2021-2025\n",
    );
    const config = configFor(seeds, path.join(work, "index-third"));
    await buildIndex(config, { log: silentLogger });
    const app = await createApp(config, { log: silentLogger });
    expect(app.cities()).toEqual(["六安市", "淮南市", "青阳市"]);
    const a = await app.ask("阳河县公租房新增多少户");
    expect(a.city).toBe("青阳市");
    expect(a.citations.every((c) => c.city === "青阳市")).toBe(true);
    expect(a.text).toContain("800户");
    const other = await app.ask("六安低保标准是多少");
    expect(other.citations.every((c) => c.city === "六安市")).toBe(true);
  });

  it("a superseded edition is not cited; answers cite the current edition", async () => {
    const seeds = seedsCopy("seeds-revised");
    cpSync(path.join(seeds, LUAN), path.join(seeds, "luan-revised.txt"));
    edit(seeds, "luan-revised.txt", (s) => s.replace("城乡低保标准提高至630元/人/月", "城乡低保标准提高至700元/人/月"));
    edit(path.join(seeds, "standards"), "she-hui-jiu-zhu.yaml", (s) =>
      s.replaceAll("doc: luan-14th-public-services", "doc: luan-revised").replace('value: "630"', 'value: "700"').replace("提高至630元", "提高至700元"),
    );
    const manifest = readFileSync(path.join(seeds, "manifest.yaml"), "utf8")
      .replace("    status: plan\n    period: 2021-2025\n", "    status: plan\n    period: 2021-2025\n    supersededBy: luan-revised\n")
      .concat("\n  - id: luan-revised\n    file: luan-revised.txt\n    title: 六安市“十四五”公共服务规划（修订）\n    city: 六安市\n    counties: [金安区]\n    status: plan\n    period: 2021-2025\n");
    writeFileSync(path.join(seeds, "manifest.yaml"), manifest);
    for (const f of ["you-suo-yu", "xue-you-suo-jiao", "lao-you-suo-de", "bing-you-suo-yi", "lao-you-suo-yang", "zhu-you-suo-ju", "ruo-you-suo-fu", "you-jun", "wen-ti"]) {
      edit(path.join(seeds, "rules"), `${f}.yaml`, (s) => s.replaceAll("doc: luan-14th-public-services", "doc: luan-revised"));
    }
    // The question library is relinked to the current edition as the rules are.
    for (const f of readdirSync(path.join(seeds, "questions"))) {
      edit(path.join(seeds, "questions"), f, (s) => s.replaceAll("doc: luan-14th-public-services", "doc: luan-revised"));
    }
    const config = configFor(seeds, path.join(work, "index-revised"));
    const { manifest: built } = await buildIndex(config, { log: silentLogger });
    expect(built.documents.map((d) => d.id)).toEqual(["huainan-14th-public-services", "luan-revised"]);
    const app = await createApp(config, { log: silentLogger });
    const a = await app.ask("六安的低保标准是多少");
    expect(a.text).toContain("700元/人/月");
    expect(a.citations.some((c) => c.docId === "luan-14th-public-services")).toBe(false);
    expect(a.citations[0]?.docTitle).toContain("修订");
  });

  it("reads .md and .docx plans", async () => {
    const md = await documentText("plan.md", Buffer.from("# 第一章 总体\n**重点**工作。\n## 第一节 住房\n推进公租房保障。\n"));
    expect(md).toBe("第一章 总体\n重点工作。\n第一节 住房\n推进公租房保障。\n");
    const zip = new JSZip();
    zip.file("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
    zip.file("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>');
    const paragraphs = ["第一章 总体要求", "第一节 住房保障", "推进公租房保障。对住房困难家庭应保尽保。"];
    zip.file(
      "word/document.xml",
      `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join("")}</w:body></w:document>`,
    );
    const text = await documentText("plan.docx", await zip.generateAsync({ type: "nodebuffer" }));
    const doc = parseDocument({ id: "x", file: "plan.docx", title: "x", city: "测试市", kind: "plan", aliases: [], counties: [], status: "plan", period: "2021-2025" }, text);
    const para = doc.blocks.find((b) => b.text.startsWith("推进公租房保障"));
    expect(para?.location.section?.label).toBe("第一节 住房保障");
    await expect(documentText("plan.docx", Buffer.from("not a zip"))).rejects.toMatchObject({ code: "SEED_UNPARSABLE" });
    await expect(documentText("plan.pdf", Buffer.from("%PDF"))).rejects.toThrow(/unsupported document type/);
  });

  it("the seeds on disk can be loaded without a cache too", async () => {
    const corpus = await loadCorpus(path.join(ROOT, "seeds"));
    expect(corpus.stats).toEqual({ parsed: 2, cached: 0 });
    expect(corpus.superseded).toEqual([]);
  });
});
