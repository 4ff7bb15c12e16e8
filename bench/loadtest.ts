import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import { freePort, loadP95, loadRun, peakRssMb, stopServer, waitForHttp } from "./kit.ts";
import { readQuestions } from "../src/eval/run.ts";

/*
 * `npm run loadtest`: the HTTP API under load on loopback. The server runs in its own process
 * (as in production) and autocannon drives it with the question set, round robin. The framework
 * floor (GET /healthz) is measured in the same run as the baseline. Reports requests/s, latency
 * median/p95/p99 and the server's peak memory (VmHWM). The question log's cost: the same load on a
 * server with the log off (QUESTION_LOG_DAYS=0) and on (SQLite), in the same run, as a ratio — next
 * to the ratio of two servers with the log off, the noise floor that ratio is to be read against.
 */

const { values } = parseArgs({
  options: {
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});

const questions = readQuestions(path.resolve(values.questions as string));
const duration = Number(values.duration);
const connections = Number(values.connections);
const requests = questions.map((q) => ({
  method: "POST" as const,
  path: "/api/ask",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ question: q.question }),
}));

/** A server process with `env`, ready to answer. */
async function startServer(env: Record<string, string>) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve", "--port", String(port)], {
    env: { ...process.env, LOG_LEVEL: "warn", HTTP_RATE_LIMIT_MAX: "1000000", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<never>((_, reject) => server.once("exit", (code) => reject(new Error(`server exited with code ${code}`))));
  exited.catch(() => {});
  await Promise.race([waitForHttp(`${base}/healthz`, 120_000), exited]);
  return { base, server };
}

/** Several autocannon results as one: requests/s averaged, latency percentiles of the median run. */
function combine(runs: autocannon.Result[]): autocannon.Result {
  const byRate = [...runs].sort((a, b) => a.requests.average - b.requests.average);
  const mid = byRate[Math.floor(byRate.length / 2)] as autocannon.Result;
  const sum = (f: (r: autocannon.Result) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    ...mid,
    requests: { ...mid.requests, average: sum((r) => r.requests.average) / runs.length, total: sum((r) => r.requests.total) },
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
  };
}

/** Every order of `xs` (3 servers: 6 orders, each server first, second and third twice). */
function orders<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

const state = mkdtempSync(path.join(os.tmpdir(), "minsheng-loadtest-"));
// Three servers up at once: the question log off (QUESTION_LOG_DAYS=0) twice — the second one is the
// control, the same server measured again — and on (SQLite in a fresh state folder, as on a fresh
// clone). The load goes to one server at a time, in slices. Run one after another, the later of two
// servers measures some 10 % slower whatever it runs, so each round takes another order and the
// rounds go through every order: each server runs first, second and third equally often. Each server
// gets a warm-up slice (not counted) before the rounds.
const ROUNDS = 6;
const WARMUP_S = 2;
const servers: Awaited<ReturnType<typeof startServer>>[] = [];
try {
  const offServer = await startServer({ QUESTION_LOG_DAYS: "0" });
  servers.push(offServer);
  const controlServer = await startServer({ QUESTION_LOG_DAYS: "0" });
  servers.push(controlServer);
  const onServer = await startServer({ QUESTION_LOG_DAYS: "90", MINSHENG_STATE_DIR: state, DATABASE_URL: "" });
  servers.push(onServer);
  const measured = [
    { server: offServer, runs: [] as autocannon.Result[] },
    { server: controlServer, runs: [] as autocannon.Result[] },
    { server: onServer, runs: [] as autocannon.Result[] },
  ];
  for (const { server } of measured) await loadRun({ url: server.base, duration: WARMUP_S, connections, requests });
  const floor = await loadRun({ url: `${offServer.base}/healthz`, duration: Math.max(5, Math.round(duration / 2)), connections });
  const slice = Math.max(2, Math.round(duration / ROUNDS));
  const sequence = orders(measured);
  for (let i = 0; i < ROUNDS; i++) {
    for (const m of sequence[i % sequence.length] ?? measured) m.runs.push(await loadRun({ url: m.server.base, duration: slice, connections, requests }));
  }
  const [offRuns, controlRuns, onRuns] = measured.map((m) => m.runs) as [autocannon.Result[], autocannon.Result[], autocannon.Result[]];
  const off = { ask: combine(offRuns) };
  const control = { ask: combine(controlRuns) };
  const on = { ask: combine(onRuns), peakRssMb: peakRssMb(onServer.server.pid) };
  const { ask } = { ask: on.ask };
  const summary = (r: autocannon.Result) => ({
    requestsPerSec: Math.round(r.requests.average),
    errors: r.errors + r.non2xx,
    total: r.requests.total,
  });
  const ratio = (a: autocannon.Result, b: autocannon.Result) => Math.round((a.requests.average / b.requests.average) * 1000) / 1000;
  const report = {
    connections,
    durationS: slice * ROUNDS,
    rounds: ROUNDS,
    warmupS: WARMUP_S,
    questions: questions.length,
    ask: { ...summary(ask), latencyMs: { median: ask.latency.p50, p95: loadP95(ask), p99: ask.latency.p99 } },
    baselineHealthz: { ...summary(floor), latencyMs: { median: floor.latency.p50, p95: loadP95(floor), p99: floor.latency.p99 } },
    ratioToBaseline: Math.round((ask.requests.average / floor.requests.average) * 1000) / 1000,
    questionLogOff: { ...summary(off.ask), latencyMs: { median: off.ask.latency.p50, p95: loadP95(off.ask) } },
    ratioLogOnToOff: ratio(ask, off.ask),
    questionLogOffControl: { ...summary(control.ask), latencyMs: { median: control.ask.latency.p50, p95: loadP95(control.ask) } },
    ratioOffControlToOff: ratio(control.ask, off.ask),
    serverPeakRssMb: on.peakRssMb,
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    const r = report;
    process.stdout.write(
      [
        `POST /api/ask, ${r.questions} questions round robin, ${r.connections} connections, ${r.durationS}s per server (${r.rounds} rounds in turning order, after a ${r.warmupS}s warm-up), question log on (SQLite):`,
        `  ${r.ask.requestsPerSec} req/s; latency median ${r.ask.latencyMs.median} ms, p95 ${r.ask.latencyMs.p95} ms, p99 ${r.ask.latencyMs.p99} ms; errors ${r.ask.errors} of ${r.ask.total}`,
        `question log off (QUESTION_LOG_DAYS=0): ${r.questionLogOff.requestsPerSec} req/s; median ${r.questionLogOff.latencyMs.median} ms, p95 ${r.questionLogOff.latencyMs.p95} ms (on/off ×${r.ratioLogOnToOff})`,
        `control, a second server with the log off: ${r.questionLogOffControl.requestsPerSec} req/s; median ${r.questionLogOffControl.latencyMs.median} ms, p95 ${r.questionLogOffControl.latencyMs.p95} ms (off/off ×${r.ratioOffControlToOff}: the noise floor of on/off)`,
        `baseline GET /healthz: ${r.baselineHealthz.requestsPerSec} req/s; median ${r.baselineHealthz.latencyMs.median} ms, p99 ${r.baselineHealthz.latencyMs.p99} ms (ask/baseline ×${r.ratioToBaseline})`,
        `server peak RSS: ${r.serverPeakRssMb} MB`,
      ].join("\n") + "\n",
    );
  }
} finally {
  for (const { server } of servers) await stopServer(server);
  rmSync(state, { recursive: true, force: true });
}
