import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, portOpen } from "./process-kit.ts";
import { peerAvailable } from "./helpers-peers.ts";

/*
 * A real PostgreSQL from Debian's package (installed by .ci/run): initdb into a temp dir, then the
 * server on a free loopback port, password authentication (scram) for TCP. PostgreSQL refuses to
 * run as root, so as root the server runs as the package's `postgres` user.
 */

/** Debian installs the server binaries under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => existsSync(path.join(base, d, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(base, majors[0], "bin") : undefined;
}

/** True when a PostgreSQL server can be started (in CI a missing one fails, as other peers do). */
export function postgresAvailable(): boolean {
  return peerAvailable(path.join(postgresBinDir() ?? "/usr/lib/postgresql/15/bin", "initdb"));
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root needs the postgres user (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}


export interface TestPostgres {
  /** postgres://minsheng:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  password: string;
  /** The same server with a wrong password. */
  wrongPasswordUrl: string;
  /** Stop the server (fast shutdown); start() brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop it and remove its data. */
  destroy(): Promise<void>;
}

/**
 * initdb + postgres in a temp dir on a free port.
 *
 * @example
 * const pg = await startPostgres();
 * process.env.DATABASE_URL = pg.url;
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  const user = postgresUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-pg-"));
  const data = path.join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, "pw");
  writeFileSync(pwfile, password);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(path.join(bin, "initdb"), ["-D", data, "-U", "minsheng", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-instructions"], {
    ...asUser,
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C" },
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      path.join(bin, "postgres"),
      ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      { ...asUser, stdio: "ignore", env: { ...process.env, LC_ALL: "C" } },
    );
    const until = Date.now() + 30_000;
    while (!(await portOpen(port))) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      if (Date.now() > until) throw new Error("postgres did not start within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGINT");
    await exited;
  };
  await start();
  return {
    url: `postgres://minsheng:${password}@127.0.0.1:${port}/postgres`,
    wrongPasswordUrl: `postgres://minsheng:not-${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
