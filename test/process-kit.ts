import type { ChildProcess } from "node:child_process";
import net from "node:net";

/* Processes and ports for tests that start real servers (and for the benchmarks, which do too). */

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

/** Whether something listens on a loopback port right now. */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1", () => {
      sock.end();
      resolve(true);
    });
    sock.on("error", () => resolve(false));
  });
}
