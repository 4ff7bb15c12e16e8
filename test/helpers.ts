import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { loadConfig, type Config } from "../src/config.ts";
import { loadManifest } from "../src/corpus/load.ts";
import { loadLexicon, type Lexicon } from "../src/corpus/lexicon.ts";
import { silentLogger } from "../src/log.ts";

export const ROOT = path.resolve(import.meta.dirname, "..");

let stateDir: string | undefined;
/**
 * A state folder of this test file's own (sessions, feedback, the question log's SQLite file), so
 * that processes the tests start never write into the project's .state/ nor share one database.
 */
export function testStateDir(): string {
  if (!stateDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-test-state-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    stateDir = dir;
  }
  return stateDir;
}
/** Config for tests: the project's seeds and prompts, the shared test index, no logging. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { MINSHENG_INDEX_DIR: inject("indexDir"), MINSHENG_STATE_DIR: testStateDir(), LOG_LEVEL: "silent", ...env }, root: ROOT });
}

/**
 * Run the CLI in a child process (as a maintainer would), on the shared test index unless `env`
 * names another. Never rejects: the exit code is in the result.
 */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, MINSHENG_INDEX_DIR: inject("indexDir"), MINSHENG_STATE_DIR: testStateDir(), LOG_LEVEL: "warn", ...options.env },
        maxBuffer: 20 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** A running `serve` process: its base URL, and stop() = SIGTERM, resolving with the exit code. */
export interface Served {
  base: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/**
 * Start `cli serve --port 0` in a child process (shared test index unless `env` names another)
 * and wait until it prints the address it listens on.
 */
export async function startServe(env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, MINSHENG_INDEX_DIR: inject("indexDir"), MINSHENG_STATE_DIR: testStateDir(), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  let out = "";
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address within 60 s: ${out}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${out}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { base, child, stop };
}

let shared: Promise<App> | undefined;
/** The application core on the shared test index (one per test file). */
export function testApp(): Promise<App> {
  return (shared ??= createApp(testConfig(), { log: silentLogger }));
}

/** Whitespace removed: "verbatim, whitespace aside". */
export const squash = (s: string) => s.replace(/\s+/g, "");

/** Raw seed text by city, whitespace and bookmark tags removed, for verbatim checks. */
export function rawSourcesByCity(): Record<string, string> {
  const seeds = path.join(ROOT, "seeds");
  const out: Record<string, string> = {};
  for (const d of loadManifest(seeds).documents) {
    out[d.city] = squash(readFileSync(path.join(seeds, d.file), "utf8").replace(/\[bookmark: [^\]]*\]/g, "").replaceAll("**", ""));
  }
  return out;
}

/** The project's lexicon (seeds/lexicon.yaml), validated as a build validates it. */
export function seedLexicon(): Lexicon {
  return loadLexicon(path.join(ROOT, "seeds"));
}
