import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { portOpen } from "../process-kit.ts";
import { inject } from "vitest";
import { ROOT, testStateDir } from "../helpers.ts";

/*
 * What the fault suite shares: real processes on loopback (serve, bot, redis-server), their
 * stdout and stderr kept for inspection, and a way to find every process a test started.
 */

/** A process started by a fault test, with everything it printed. */
export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/** Spawn `node --import tsx src/cli.ts …args` on the shared test index (unless `env` names another). */
export function spawnCli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, MINSHENG_INDEX_DIR: inject("indexDir"), MINSHENG_STATE_DIR: testStateDir(), LOG_LEVEL: "warn", INDEX_WATCH: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return track(child);
}

/** Keep a child's output and give it a stop(). */
export function track(child: ChildProcess): Proc {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async (graceMs = 20_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Wait until `proc` prints something matching `pattern` on stdout (or fail, showing its output). */
export async function waitForOutput(proc: Proc, pattern: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(proc.stdout());
    if (m) return m;
    if (proc.child.exitCode !== null || Date.now() > until) {
      throw new Error(`no ${pattern} within ${ms} ms (exit ${proc.child.exitCode}):\n${proc.stdout()}\n${proc.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `cli serve --port 0` with output kept; resolves once it listens. */
export async function serve(env: Record<string, string> = {}): Promise<Proc & { base: string }> {
  const proc = spawnCli(["serve", "--port", "0"], env);
  try {
    const [base] = await waitForOutput(proc, /http:\/\/127\.0\.0\.1:\d+/);
    return { ...proc, base };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}


/** A real redis-server on `port` (loopback, no persistence), ready to use. */
export async function redisOn(port: number): Promise<{ url: string; child: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> }> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const until = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (Date.now() > until) throw new Error("redis-server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Pids of live processes whose environment holds `marker` (MINSHENG_FAULT_MARK=…): what a test left running. */
export function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "latin1");
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // Zombies have exited already.
      if (env.split("\0").includes(marker) && !/\) Z /.test(stat)) pids.push(Number(name));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

/** Which of `needles` occur in `haystack`, after percent-decoding and removing separators and full-width digits. */
export function leaks(haystack: string, needles: readonly string[]): string[] {
  const flat = haystack
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      }
    })
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000\-\u2010-\u2014\uFF0D+\uFF0B]/g, "");
  return needles.filter((n) => flat.includes(n));
}

/** Personal numbers in the forms residents write them (D5, D6). */
export const PII_CORPUS = [
  "13812345678",
  "+8613812345678",
  "8613812345678",
  "138-1234-5678",
  "138 1234 5678",
  "+86 138 1234 5678",
  "0086 13812345678",
  "１３８１２３４５６７８",
  "34150219900101123X",
  "341502199001011234",
  "341502 19900101 123X",
  "３４１５０２１９９００１０１１２３Ｘ",
  "34150219900101123X13812345678",
  "6222021234567890128",
  "6222 0212 3456 7890 128",
  "4111 1111 1111 1111",
] as const;

/** The digits that must never appear in any output or file, whatever the separators. */
export const PII_DIGITS = ["13812345678", "34150219900101123", "6222021234567890128", "4111111111111111"] as const;
