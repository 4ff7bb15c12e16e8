import type { FastifyInstance } from "fastify";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { CoreSource } from "../../app.ts";
import { buildHttpApp, type HttpOptions } from "./app.ts";

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
  const app = await buildHttpApp(core, config, { logger: log, ...options });
  const address = await app.listen({ host: options.host ?? config.http.host, port: options.port ?? config.http.port });
  log.info(`staff console and API listening on ${address}`);
  return { app, url: address };
}
