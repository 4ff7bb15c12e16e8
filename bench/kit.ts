import { readFileSync } from "node:fs";
import autocannon from "autocannon";

/* What the benchmarks (bench, bench:scale, loadtest, bench:bot) share; process helpers come from the tests' kit. */

export { freePort, stopServer, waitForHttp } from "../test/process-kit.ts";

/** The value at quantile `q` (0–1) of a sample (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}


/** Peak resident memory (VmHWM) of another process in MB, where /proc has it. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** One autocannon run. */
export function loadRun(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));
}

/** autocannon reports p50/p90/p97.5/p99; p95 is interpolated between p90 and p97.5. */
export function loadP95(r: autocannon.Result): number {
  return Math.round((r.latency.p90 + ((r.latency.p97_5 - r.latency.p90) * (95 - 90)) / (97.5 - 90)) * 100) / 100;
}

