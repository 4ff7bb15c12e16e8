import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { createApp } from "../src/app.ts";
import { quantile } from "./kit.ts";
import { loadConfig } from "../src/config.ts";
import { loadManifest } from "../src/corpus/load.ts";
import { readQuestions } from "../src/eval/run.ts";
import { buildIndex } from "../src/index/build.ts";
import { silentLogger } from "../src/log.ts";

/*
 * `npm run bench:scale`: how build time, memory and answer latency grow with the corpus. Synthetic
 * city plans are made by transforming the two real ones (city and county names, numbers, chapter
 * order); sizes 2 (the real corpus), 10, 25 and 50 plans. Every measurement runs in a fresh process.
 */

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "2,10,25,50" },
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    json: { type: "boolean", default: false },
    child: { type: "string" },
    seeds: { type: "string" },
    index: { type: "string" },
    cities: { type: "string" },
    /** Keep the generated seeds and indexes in this folder (for profiling) instead of a temp dir. */
    keep: { type: "string" },
  },
});

const FIRST = "云青江泉桐松柳枫兰梅竹荷";
const SECOND = "阳川林宁岭源溪峰";
const COUNTY_SUFFIX = ["东区", "西区", "北县", "南县", "山县"];

function cityName(i: number): string {
  return `${FIRST[i % FIRST.length]}${SECOND[Math.floor(i / FIRST.length) % SECOND.length]}`;
}

/** A plan for another city: names replaced, numbers scaled, chapters 3.. reordered. */
function transform(raw: string, from: { city: string; counties: string[] }, to: string, i: number): { text: string; counties: string[] } {
  const counties = COUNTY_SUFFIX.map((s) => `${to}${s}`);
  let text = raw;
  from.counties.forEach((c, k) => {
    const short = c.replace(/(实验区|区|县)$/, "");
    text = text.split(c).join(counties[k % counties.length] as string);
    if (short.length >= 2) text = text.split(short).join((counties[k % counties.length] as string).slice(0, -1));
  });
  text = text.split(from.city.replace(/市$/, "")).join(to);
  const factor = 1 + ((i % 9) + 1) / 20;
  // Only money amounts change: counts ("N项"), years and section numbers keep the tables consistent.
  text = text.replace(/(?<![\d.])(\d{2,5})(?=元)/g, (n) => String(Math.round(Number(n) * factor)));
  const parts = text.split(/(?=^(?:\s*\[bookmark:[^\]]*\])*\s*第[一二三四五六七八九十]+章)/m);
  const head = parts.slice(0, 3);
  const tail = parts.slice(3);
  const rotated = [...tail.slice(i % Math.max(tail.length, 1)), ...tail.slice(0, i % Math.max(tail.length, 1))];
  return { text: [...head, ...rotated].join(""), counties };
}

function makeCorpus(realSeeds: string, size: number, dir: string): string[] {
  cpSync(realSeeds, dir, { recursive: true });
  const manifest = loadManifest(realSeeds);
  const docs = [...manifest.documents];
  const cities: string[] = [];
  for (let i = 0; docs.length < size; i++) {
    const base = manifest.documents[i % manifest.documents.length];
    if (!base) throw new Error("the manifest lists no documents");
    const name = cityName(i);
    const raw = readFileSync(path.join(realSeeds, base.file), "utf8");
    const { text, counties } = transform(raw, { city: base.city, counties: base.counties }, name, i);
    const file = `synthetic_${String(i).padStart(2, "0")}.txt`;
    writeFileSync(path.join(dir, file), text);
    docs.push({ ...base, id: `synthetic-${i}`, file, title: `${name}市“十四五”公共服务规划（合成）`, city: `${name}市`, aliases: [name], counties });
    cities.push(`${name}市`);
  }
  writeFileSync(path.join(dir, "manifest.yaml"), stringify({ documents: docs }));
  return cities;
}

async function childMain(mode: string): Promise<void> {
  const config = loadConfig({ env: { ...process.env, MINSHENG_SEEDS_DIR: values.seeds as string, MINSHENG_INDEX_DIR: values.index as string, LOG_LEVEL: "silent" }, root: process.cwd() });
  if (mode === "build" || mode === "incremental") {
    const t = performance.now();
    const r = await buildIndex(config, { log: silentLogger, cache: mode === "incremental" });
    const out = { ms: Math.round(performance.now() - t), chunks: r.manifest.counts.chunks, parsed: r.stats.parsed, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const app = await createApp(config, { log: silentLogger });
  const qs = readQuestions(path.resolve(values.questions as string)).map((q) => q.question);
  const extra = (values.cities ?? "").split(",").filter(Boolean).flatMap((c) => [`${c}低保标准是多少`, `${c}公租房谁能申请`, `${c}老年助餐`]);
  const all = [...qs, ...extra];
  for (const q of all) await app.ask(q);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const q of all) {
      const t = performance.now();
      await app.ask(q);
      times.push(performance.now() - t);
    }
  }
  process.stdout.write(JSON.stringify({ questions: all.length, p50: Math.round(quantile(times, 0.5) * 100) / 100, p95: Math.round(quantile(times, 0.95) * 100) / 100, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

async function main(): Promise<void> {
  const root = process.cwd();
  const work = values.keep ? path.resolve(values.keep) : mkdtempSync(path.join(os.tmpdir(), "minsheng-scale-"));
  const rows: Record<string, unknown>[] = [];
  const run = (mode: string, seeds: string, index: string, cities: string[] = []): Record<string, number> => {
    const args = ["--import", "tsx", "bench/bench-scale.ts", "--child", mode, "--seeds", seeds, "--index", index, "--questions", values.questions as string];
    if (cities.length > 0) args.push("--cities", cities.join(","));
    try {
      return JSON.parse(execFileSync(process.execPath, args, { cwd: root, maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8")) as Record<string, number>;
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString("utf8") ?? String(err);
      throw new Error(`bench:scale: the ${mode} step failed for ${seeds}:\n${stderr}`);
    }
  };
  try {
    for (const size of (values.sizes as string).split(",").map(Number)) {
      const seeds = path.join(work, `seeds-${size}`);
      const index = path.join(work, `index-${size}`);
      mkdirSync(index, { recursive: true });
      const cities = makeCorpus(path.join(root, "seeds"), size, seeds);
      const full = run("build", seeds, index);
      // One plan changes (a sentence appended), the rest come from the parse cache.
      const changed = path.join(seeds, cities.length > 0 ? "synthetic_00.txt" : "000_efc89e334599d1ca.txt");
      writeFileSync(changed, `${readFileSync(changed, "utf8")}\n本规划由市人民政府负责解释。\n`);
      const incremental = run("incremental", seeds, index);
      const latency = run("latency", seeds, index, cities.slice(0, 5));
      const row = { plans: size, chunks: full.chunks, fullBuildMs: full.ms, buildPeakRssMb: full.maxRssMb, incrementalBuildMs: incremental.ms, reparsed: incremental.parsed, questions: latency.questions, latencyP50Ms: latency.p50, latencyP95Ms: latency.p95, servePeakRssMb: latency.maxRssMb };
      rows.push(row);
      if (!values.json) process.stderr.write(`${JSON.stringify(row)}\n`);
      if (!values.keep) {
        rmSync(seeds, { recursive: true, force: true });
        rmSync(index, { recursive: true, force: true });
      }
    }
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
  if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else {
    const head = "plans  chunks  full build  peak RSS  incremental (re-parsed)  latency p50 / p95  serving RSS";
    process.stdout.write(
      [head, ...rows.map((r) => `${String(r.plans).padStart(5)}  ${String(r.chunks).padStart(6)}  ${String(r.fullBuildMs).padStart(7)} ms  ${String(r.buildPeakRssMb).padStart(5)} MB  ${String(r.incrementalBuildMs).padStart(8)} ms (${r.reparsed})  ${String(r.latencyP50Ms).padStart(7)} / ${r.latencyP95Ms} ms  ${r.servePeakRssMb} MB`)].join("\n") + "\n",
    );
  }
}

if (values.child) await childMain(values.child);
else await main();
