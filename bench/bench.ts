import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "../src/app.ts";
import { quantile } from "./kit.ts";
import { loadConfig } from "../src/config.ts";
import { baselineAnswer, buildBaseline } from "../src/eval/baseline.ts";
import { readQuestions, sourcesByCity } from "../src/eval/run.ts";
import { buildIndex } from "../src/index/build.ts";
import { silentLogger } from "../src/log.ts";
import { createQuestionLog } from "../src/questions/log.ts";
import { loggedCore } from "../src/questions/observe.ts";
import { SQLITE_FILE, sqliteStore } from "../src/questions/sqlite.ts";
import { createTokenizer } from "../src/search/tokenizer.ts";

/*
 * `npm run bench`: index build time, per-question latency (warm, in-process as in batch mode, and
 * one real CLI batch run) and peak memory, each next to the BM25 baseline measured in the same run.
 * The question log's cost: the same questions asked through the logged core (SQLite, batched
 * writes, as `serve` runs it) in the same rounds. Medians and percentiles, never single runs.
 */

const { values } = parseArgs({
  options: {
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    builds: { type: "string", default: "3" },
    rounds: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
  },
});

const ms = (x: number) => Math.round(x * 1000) / 1000;

const root = process.cwd();
const questionsFile = path.resolve(root, values.questions as string);
if (!existsSync(questionsFile)) {
  process.stderr.write(`bench: question set ${questionsFile} not found (use --questions FILE)\n`);
  process.exit(1);
}
const questions = readQuestions(questionsFile);
const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-bench-"));
try {
  // Build time: full builds into fresh index folders.
  const buildTimes: number[] = [];
  let config = loadConfig({ env: { ...process.env, LOG_LEVEL: "silent" }, root });
  for (let i = 0; i < Number(values.builds); i++) {
    config = { ...config, indexDir: path.join(work, `index-${i}`) };
    const t = performance.now();
    await buildIndex(config, { log: silentLogger });
    buildTimes.push(performance.now() - t);
  }
  const sources = sourcesByCity(config.seedsDir);
  const tokenizer = createTokenizer();
  const baseBuildTimes: number[] = [];
  let baseline = buildBaseline(sources, tokenizer);
  for (let i = 0; i < Number(values.builds); i++) {
    const t = performance.now();
    baseline = buildBaseline(sources, tokenizer);
    baseBuildTimes.push(performance.now() - t);
  }

  // Per-question latency, warm: one warm-up pass, then rounds over the whole set.
  const app = await createApp(config, { log: silentLogger });
  for (const q of questions) await app.ask(q.question);
  const latencies: number[] = [];
  const baseLatencies: number[] = [];
  // A follow-up ("那淮南呢？" after each question): resolved from the history, then answered.
  const followUps: number[] = [];
  // The same question through the question log (its batches are written on a timer meanwhile).
  const questionLog = createQuestionLog(sqliteStore(path.join(work, "state", SQLITE_FILE)), { log: silentLogger, days: 90 });
  // What logging adds on the answer path itself: record() (redacting, queueing), timed on its own.
  const recordTimes: number[] = [];
  const timedLog = {
    ...questionLog,
    record: (entry: Parameters<typeof questionLog.record>[0]) => {
      const t = performance.now();
      const id = questionLog.record(entry);
      recordTimes.push(performance.now() - t);
      return id;
    },
  };
  const logged = loggedCore(() => app, "http", { questionLog: timedLog })();
  await questionLog.flush();
  const loggedLatencies: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const q of questions) {
      let t: number;
      // Alternating which goes first, so neither profits from the other's warm caches.
      const plainFirst = r % 2 === 0;
      if (!plainFirst) {
        t = performance.now();
        await logged.ask(q.question, { id: q.id });
        loggedLatencies.push(performance.now() - t);
      }
      t = performance.now();
      await app.ask(q.question, { id: q.id });
      latencies.push(performance.now() - t);
      if (plainFirst) {
        t = performance.now();
        await logged.ask(q.question, { id: q.id });
        loggedLatencies.push(performance.now() - t);
      }
      t = performance.now();
      baselineAnswer(baseline, q.id, q.question);
      baseLatencies.push(performance.now() - t);
      t = performance.now();
      await app.ask("那淮南呢？", { history: [q.question] });
      followUps.push(performance.now() - t);
    }
  }

  await questionLog.close();
  const logStats = questionLog.stats();

  // One real CLI batch run: process start, index load, answers (timingsMs from the JSON lines).
  const batch = path.join(work, "batch.jsonl");
  writeFileSync(batch, questions.map((q) => JSON.stringify({ id: q.id, question: q.question })).join("\n"));
  const t = performance.now();
  const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "ask", "--json", "--batch", batch], {
    cwd: root,
    env: { ...process.env, MINSHENG_INDEX_DIR: config.indexDir, LOG_LEVEL: "silent" },
    maxBuffer: 50 * 1024 * 1024,
  }).toString("utf8");
  const cliWall = performance.now() - t;
  const cliTimes = out
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { timingsMs: { total: number } }).timingsMs.total);

  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const report = {
    machine: { cpus: os.cpus().length, node: process.version },
    questions: { file: questionsFile, count: questions.length, rounds: Number(values.rounds) },
    build: {
      minshengMs: { median: ms(quantile(buildTimes, 0.5)), runs: buildTimes.map(ms) },
      baselineMs: { median: ms(quantile(baseBuildTimes, 0.5)) },
      ratio: ms(quantile(buildTimes, 0.5) / quantile(baseBuildTimes, 0.5)),
    },
    latencyWarm: {
      minshengMs: { median: ms(quantile(latencies, 0.5)), p95: ms(quantile(latencies, 0.95)), p99: ms(quantile(latencies, 0.99)) },
      baselineMs: { median: ms(quantile(baseLatencies, 0.5)), p95: ms(quantile(baseLatencies, 0.95)) },
      ratioMedian: ms(quantile(latencies, 0.5) / quantile(baseLatencies, 0.5)),
    },
    questionLog: {
      loggedMs: { median: ms(quantile(loggedLatencies, 0.5)), p95: ms(quantile(loggedLatencies, 0.95)) },
      addedMs: { median: ms(quantile(loggedLatencies, 0.5) - quantile(latencies, 0.5)), p95: ms(quantile(loggedLatencies, 0.95) - quantile(latencies, 0.95)) },
      ratioP95: ms(quantile(loggedLatencies, 0.95) / quantile(latencies, 0.95)),
      recordMs: { median: ms(quantile(recordTimes, 0.5)), p95: ms(quantile(recordTimes, 0.95)) },
      written: logStats.written,
      batches: logStats.flushes,
      writeMsPerQuestion: ms(logStats.flushMs / Math.max(1, logStats.written)),
    },
    followUpWarm: {
      minshengMs: { median: ms(quantile(followUps, 0.5)), p95: ms(quantile(followUps, 0.95)) },
      ratioToFreshMedian: ms(quantile(followUps, 0.5) / quantile(latencies, 0.5)),
    },
    cliBatchCold: {
      wallMs: ms(cliWall),
      perQuestionMs: { median: ms(quantile(cliTimes, 0.5)), p95: ms(quantile(cliTimes, 0.95)) },
    },
    peakRssMb,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    const r = report;
    process.stdout.write(
      [
        `machine: ${r.machine.cpus} cpus, node ${r.machine.node}; ${r.questions.count} questions × ${r.questions.rounds} rounds`,
        `index build (median of ${r.build.minshengMs.runs.length}): ${r.build.minshengMs.median} ms  [runs ${r.build.minshengMs.runs.join(", ")}]` +
          `   baseline BM25 build ${r.build.baselineMs.median} ms  (×${r.build.ratio})`,
        `latency warm: median ${r.latencyWarm.minshengMs.median} ms, p95 ${r.latencyWarm.minshengMs.p95} ms, p99 ${r.latencyWarm.minshengMs.p99} ms` +
          `   baseline median ${r.latencyWarm.baselineMs.median} ms, p95 ${r.latencyWarm.baselineMs.p95} ms  (×${r.latencyWarm.ratioMedian})`,
        `with the question log (SQLite): median ${r.questionLog.loggedMs.median} ms, p95 ${r.questionLog.loggedMs.p95} ms  (difference: median ${r.questionLog.addedMs.median} ms, p95 ${r.questionLog.addedMs.p95} ms; ×${r.questionLog.ratioP95} at p95)`,
        `  on the answer path, record(): median ${r.questionLog.recordMs.median} ms, p95 ${r.questionLog.recordMs.p95} ms; off it, ${r.questionLog.written} rows in ${r.questionLog.batches} batches, ${r.questionLog.writeMsPerQuestion} ms of writing per question`,
        `follow-up "那淮南呢？" with one earlier turn: median ${r.followUpWarm.minshengMs.median} ms, p95 ${r.followUpWarm.minshengMs.p95} ms  (×${r.followUpWarm.ratioToFreshMedian} of a fresh question)`,
        `CLI batch (new process, first pass): wall ${r.cliBatchCold.wallMs} ms, per question median ${r.cliBatchCold.perQuestionMs.median} ms, p95 ${r.cliBatchCold.perQuestionMs.p95} ms`,
        `peak RSS of the bench process: ${r.peakRssMb} MB`,
      ].join("\n") + "\n",
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
