import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { readQuestions } from "./eval/run.ts";

/*
 * `npm run loadtest`: the HTTP API under load on loopback. The server runs in its own process
 * (as in production) and autocannon drives it with the question set, round robin. The framework
 * floor (GET /healthz) is measured in the same run as the baseline. Reports requests/s, latency
 * median/p95/p99 and the server's peak memory (VmHWM).
 */

const { values } = parseArgs({
  options: {
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not come up at ${url}`);
}

function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));
}

const questions = readQuestions(path.resolve(values.questions as string));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve", "--port", String(port)], {
  env: { ...process.env, LOG_LEVEL: "warn", HTTP_RATE_LIMIT_MAX: "1000000" },
  stdio: ["ignore", "ignore", "inherit"],
});
const exited = new Promise<never>((_, reject) => server.once("exit", (code) => reject(new Error(`server exited with code ${code}`))));
exited.catch(() => {});
try {
  await Promise.race([waitFor(`${base}/healthz`, 120_000), exited]);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const floor = await run({ url: `${base}/healthz`, duration: Math.max(5, Math.round(duration / 2)), connections });
  const ask = await run({
    url: base,
    duration,
    connections,
    requests: questions.map((q) => ({
      method: "POST" as const,
      path: "/api/ask",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: q.question }),
    })),
  });
  const summary = (r: autocannon.Result) => ({
    requestsPerSec: Math.round(r.requests.average),
    errors: r.errors + r.non2xx,
    total: r.requests.total,
  });
  // autocannon reports p50/p90/p97.5/p99; p95 is interpolated between p90 and p97.5.
  const p95 = (r: autocannon.Result) => Math.round((r.latency.p90 + ((r.latency.p97_5 - r.latency.p90) * (95 - 90)) / (97.5 - 90)) * 100) / 100;
  const report = {
    connections,
    durationS: duration,
    questions: questions.length,
    ask: { ...summary(ask), latencyMs: { median: ask.latency.p50, p95: p95(ask), p99: ask.latency.p99 } },
    baselineHealthz: { ...summary(floor), latencyMs: { median: floor.latency.p50, p95: p95(floor), p99: floor.latency.p99 } },
    ratioToBaseline: Math.round((ask.requests.average / floor.requests.average) * 1000) / 1000,
    serverPeakRssMb: server.pid ? peakRssMb(server.pid) : undefined,
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    const r = report;
    process.stdout.write(
      [
        `POST /api/ask, ${r.questions} questions round robin, ${r.connections} connections, ${r.durationS}s:`,
        `  ${r.ask.requestsPerSec} req/s; latency median ${r.ask.latencyMs.median} ms, p95 ${r.ask.latencyMs.p95} ms, p99 ${r.ask.latencyMs.p99} ms; errors ${r.ask.errors} of ${r.ask.total}`,
        `baseline GET /healthz: ${r.baselineHealthz.requestsPerSec} req/s; median ${r.baselineHealthz.latencyMs.median} ms, p99 ${r.baselineHealthz.latencyMs.p99} ms (ask/baseline ×${r.ratioToBaseline})`,
        `server peak RSS: ${r.serverPeakRssMb} MB`,
      ].join("\n") + "\n",
    );
  }
} finally {
  server.kill("SIGTERM");
}
