import type { FastifyInstance } from "fastify";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import { buildHttpApp, type CoreSource, type HttpOptions } from "./app.ts";

/** Call `fn` at most once per `ms` (a failing Redis must not flood the log). */
function throttled<T>(ms: number, fn: (x: T) => void): (x: T) => void {
  let last = -Infinity;
  return (x) => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    fn(x);
  };
}

/**
 * Start the HTTP server (API + staff console) on the configured host and port. Returns the
 * instance and the address it listens on; `close()` lets in-flight requests finish.
 */
export async function startHttpServer(
  core: CoreSource,
  config: Config,
  log: Logger,
  options: HttpOptions & { port?: number; host?: string } = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildHttpApp(core, config, {
    logger: options.logger ?? (config.logLevel === "silent" ? false : { level: config.logLevel === "debug" ? "debug" : "warn" }),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.reload ? { reload: options.reload } : {}),
    ...(options.rateLimitCounter ? { rateLimitCounter: options.rateLimitCounter } : {}),
    onRateLimitError: throttled(30_000, (error) => log.warn("shared rate limit unavailable; requests pass unlimited", { error: String(error) })),
  });
  const address = await app.listen({ host: options.host ?? config.http.host, port: options.port ?? config.http.port });
  log.info(`staff console and API listening on ${address}`);
  return { app, url: address };
}
