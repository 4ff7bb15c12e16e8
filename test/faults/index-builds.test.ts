import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { buildHttpApp } from "../../src/channels/http/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { buildIndex } from "../../src/index/build.ts";
import { LiveApp } from "../../src/live.ts";
import { currentBuildId, listBuilds, rollbackBuild, setCurrentBuild } from "../../src/index/store.ts";
import { verifyBuild } from "../../src/index/verify.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { ROOT, runCli } from "../helpers.ts";

/*
 * Index builds under concurrency and corruption. D7: a reload asked for during a reload runs after
 * it, with the newest `current`. D8: two builds finishing in the same second get different ids and
 * never delete the live build. D9: pruning keeps verified builds. D17: a corrupt live build is
 * noticed by reloads and, on restart, rolled back from instead of rebuilt; `current` is never a path.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-index-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => void vi.useRealTimers());

const LUAN = "000_efc89e334599d1ca.txt";
function seedsCopy(name: string): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, "seeds"), dir, { recursive: true });
  return dir;
}
const configFor = (name: string, env: Record<string, string> = {}): Config =>
  loadConfig({ env: { MINSHENG_SEEDS_DIR: seedsCopy(`seeds-${name}`), MINSHENG_INDEX_DIR: path.join(work, `index-${name}`), LOG_LEVEL: "silent", ...env }, root: ROOT });
const atTime = (iso: string) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(iso));
};
/** A new 低保 standard: the plan's sentence and the dated standard quoting it change together. */
const lowStandard = (config: Config, amount: number) => {
  const edit = (file: string, change: (s: string) => string) => writeFileSync(file, change(readFileSync(file, "utf8")));
  edit(path.join(config.seedsDir, LUAN), (s) => s.replace(/城乡低保标准提高至\d+元/, `城乡低保标准提高至${amount}元`));
  edit(path.join(config.seedsDir, "standards", "she-hui-jiu-zhu.yaml"), (s) =>
    s.replace(
      /value: "\d+"\n(\s+)unit: 元\/人\/月\n(\s+)source: \{ doc: luan-14th-public-services, quote: "城乡低保标准提高至\d+元/,
      `value: "${amount}"\n$1unit: 元/人/月\n$2source: { doc: luan-14th-public-services, quote: "城乡低保标准提高至${amount}元`,
    ),
  );
};

describe("D8: builds finishing at the same time", () => {
  it("get different ids, and neither replaces the other's directory", async () => {
    const config = configFor("same-second");
    atTime("2026-03-01T08:00:00.000Z");
    const a = await buildIndex(config, { log: silentLogger });
    const b = await buildIndex(config, { log: silentLogger });
    expect(a.id).not.toBe(b.id);
    expect(listBuilds(config.indexDir).sort()).toEqual([a.id, b.id].sort());
    expect(() => verifyBuild(a.dir)).not.toThrow();
    expect(() => verifyBuild(b.dir)).not.toThrow();
    expect(currentBuildId(config.indexDir)).toBe(b.id);
  });

  it("two `index` processes at once: a poller never finds the live build missing", async () => {
    const config = configFor("race");
    const env = { MINSHENG_SEEDS_DIR: config.seedsDir, MINSHENG_INDEX_DIR: config.indexDir };
    expect((await runCli(["index"], { env })).code).toBe(0);
    let misses = 0;
    let polls = 0;
    for (let round = 0; round < 2; round++) {
      let done = false;
      const runs = Promise.all([runCli(["index"], { env }), runCli(["index"], { env })]).finally(() => (done = true));
      while (!done) {
        const id = currentBuildId(config.indexDir);
        polls++;
        if (!id || !existsSync(path.join(config.indexDir, "builds", id, "build.json"))) misses++;
        await new Promise((r) => setImmediate(r));
      }
      const results = await runs;
      expect(results.map((r) => r.code)).toEqual([0, 0]);
    }
    expect(polls).toBeGreaterThan(100);
    expect(misses).toBe(0);
    const live = currentBuildId(config.indexDir)!;
    expect(() => verifyBuild(path.join(config.indexDir, "builds", live))).not.toThrow();
  }, 180_000);
});

describe("D9: pruning", () => {
  it("keeps the newest verified builds: a corrupt build neither counts nor costs a good one", async () => {
    const config = configFor("prune", { INDEX_KEEP_BUILDS: "2" });
    atTime("2026-03-01T08:00:00.000Z");
    const v1 = await buildIndex(config, { log: silentLogger });
    vi.setSystemTime(new Date("2026-03-01T09:00:00.000Z"));
    lowStandard(config, 701);
    const v2 = await buildIndex(config, { log: silentLogger });
    vi.setSystemTime(new Date("2026-03-01T10:00:00.000Z"));
    lowStandard(config, 702);
    const c3 = await buildIndex(config, { log: silentLogger, activate: false });
    truncateSync(path.join(c3.dir, "lexical.json"), 10);
    vi.setSystemTime(new Date("2026-03-01T11:00:00.000Z"));
    lowStandard(config, 704);
    const v4 = await buildIndex(config, { log: silentLogger });
    const kept = listBuilds(config.indexDir);
    expect(kept).toContain(v2.id);
    expect(kept).toContain(v4.id);
    expect(kept).not.toContain(v1.id);
    expect(rollbackBuild(config.indexDir)).toEqual({ from: v4.id, to: v2.id });
  });
});

describe("D7: reloads asked for during a reload", () => {
  it("run after it and end on the newest `current`", async () => {
    const config = configFor("storm");
    const a = await buildIndex(config, { log: silentLogger });
    lowStandard(config, 710);
    const b = await buildIndex(config, { log: silentLogger, activate: false });
    lowStandard(config, 720);
    const c = await buildIndex(config, { log: silentLogger, activate: false });
    setCurrentBuild(config.indexDir, a.id);
    const live = new LiveApp(await createApp(config, { log: silentLogger, warmUp: false }), silentLogger);

    setCurrentBuild(config.indexDir, b.id);
    const first = live.reload("first");
    setCurrentBuild(config.indexDir, c.id);
    const second = live.reload("second");
    await Promise.all([first, second]);
    expect(live.current().index.id).toBe(c.id);
    expect((await live.current().ask("六安的低保标准是多少")).text).toContain("720元/人/月");

    // A storm: reloads and switches interleaved; the last `current` wins.
    const ids = [a.id, b.id, c.id];
    const pending: Promise<unknown>[] = [];
    let last = c.id;
    for (let i = 0; i < 30; i++) {
      last = ids[(i * 7) % 3] as string;
      setCurrentBuild(config.indexDir, last);
      pending.push(live.reload(`storm ${i}`));
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(pending);
    expect(live.current().index.id).toBe(last);
  });
});

describe("D17: a corrupt live build", () => {
  it("is noticed by a reload (SIGHUP, admin) while the loaded copy keeps serving", async () => {
    const config = configFor("corrupt-live", { ADMIN_TOKEN: "admin-token-123" });
    const built = await buildIndex(config, { log: silentLogger });
    const lines: string[] = [];
    const live = new LiveApp(await createApp(config, { log: silentLogger, warmUp: false }), createLogger("info", (l) => lines.push(l)));
    truncateSync(path.join(built.dir, "corpus.json"), 100);
    const result = await live.reload("SIGHUP");
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/corpus\.json fails its checksum/);
    expect(lines.join("\n")).toMatch(/live build .* on disk/);
    expect((await live.current().ask("六安的低保标准是多少")).text).toContain("630元/人/月");
    const http = await buildHttpApp(() => live.current(), config, { reload: (r) => live.reload(r) });
    try {
      const res = await http.inject({ method: "POST", url: "/api/admin/reload", headers: { authorization: "Bearer admin-token-123" } });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe("RELOAD_REFUSED");
    } finally {
      await http.close();
    }
  });

  it("is noticed by the file watch", async () => {
    const config = configFor("corrupt-watch");
    const built = await buildIndex(config, { log: silentLogger });
    const lines: string[] = [];
    const live = new LiveApp(await createApp(config, { log: silentLogger, warmUp: false }), createLogger("info", (l) => lines.push(l)));
    live.watch();
    try {
      await new Promise((r) => setTimeout(r, 300));
      truncateSync(path.join(built.dir, "lexical.json"), 100);
      await expect.poll(() => lines.join("\n"), { timeout: 10_000 }).toMatch(/live build .* on disk/);
    } finally {
      live.close();
    }
  });

  it("on restart, rolls back to the newest verified build instead of rebuilding from the seeds", async () => {
    const config = configFor("corrupt-restart");
    const older = await buildIndex(config, { log: silentLogger });
    lowStandard(config, 730);
    const newer = await buildIndex(config, { log: silentLogger });
    truncateSync(path.join(newer.dir, "rules.json"), 10);
    const lines: string[] = [];
    const app = await createApp(config, { log: createLogger("info", (l) => lines.push(l)), warmUp: false });
    expect(app.index.id).toBe(older.id);
    expect(currentBuildId(config.indexDir)).toBe(older.id);
    expect(listBuilds(config.indexDir).sort()).toEqual([older.id, newer.id].sort());
    expect(lines.join("\n")).toMatch(/rolled back/);
  });

  it("`current` naming a path outside the index is refused (the newest verified build serves)", async () => {
    const config = configFor("current-path");
    const good = await buildIndex(config, { log: silentLogger });
    const outside = path.join(work, "outside", "evil");
    cpSync(good.dir, outside, { recursive: true });
    writeFileSync(path.join(config.indexDir, "current"), path.relative(path.join(config.indexDir, "builds"), outside) + "\n");
    expect(readFileSync(path.join(config.indexDir, "current"), "utf8")).toMatch(/^\.\.\//);
    const app = await createApp(config, { log: silentLogger, warmUp: false });
    expect(app.index.id).toBe(good.id);
    expect(path.dirname(app.index.dir)).toBe(path.join(config.indexDir, "builds"));
    for (const args of [["index", "--rollback", "../outside/evil"], ["index", "--diff", "../x", good.id]]) {
      const res = await runCli(args, { env: { MINSHENG_SEEDS_DIR: config.seedsDir, MINSHENG_INDEX_DIR: config.indexDir } });
      expect(res.code, args.join(" ")).toBe(1);
      expect(res.stderr, args.join(" ")).toMatch(/not a build id/);
    }
  });
});
