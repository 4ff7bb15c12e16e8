import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import autocannon from "autocannon";

/* What the benchmarks (bench, bench:scale, loadtest, bench:bot) share. */

/** The value at quantile `q` (0–1) of a sample (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers 2xx, or throw after `ms`. */
export async function waitForHttp(url: string, ms: number): Promise<void> {
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

/**
 * Stop a server process with SIGTERM and wait for it to exit; after `graceMs` it is killed and the
 * hang reported on stderr (a clean shutdown is part of what is measured).
 */
export async function stopServer(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const started = Date.now();
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    process.stderr.write(`server ${child.pid} did not exit within ${graceMs / 1000} s of SIGTERM; killing it\n`);
    child.kill("SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
  if (Date.now() - started > 2000) process.stderr.write(`server shutdown took ${Date.now() - started} ms\n`);
}
