import { ServiceSettingsError, startServices, type ServiceOptions } from "../server.ts";
import { defineCommand, UsageError, type Runtime } from "./command.ts";

/*
 * The commands that keep running: `serve` (HTTP API + staff console), `start` (the main job: the
 * console, and the bot when TELEGRAM_BOT_TOKEN is set) and `bot`. They start the services
 * (src/server.ts), wait for SIGINT or SIGTERM, and stop them gracefully.
 */

async function runServices(rt: Runtime, want: Pick<ServiceOptions, "serve" | "bot" | "port" | "host">): Promise<number> {
  let stop: () => Promise<void>;
  try {
    stop = await startServices(rt.config, { log: rt.log, app: rt.app, stdout: rt.stdout, ...want });
  } catch (error) {
    if (error instanceof ServiceSettingsError) throw new UsageError(error.message);
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stopOn = (signal: string) => {
      rt.log.info(`${signal}: shutting down`);
      resolve();
    };
    process.once("SIGINT", () => stopOn("SIGINT"));
    process.once("SIGTERM", () => stopOn("SIGTERM"));
  });
  await stop();
  return 0;
}

export const serveCommand = defineCommand({
  name: "serve",
  summary: "HTTP API + staff console",
  usage: "serve [--port 3000] [--host 127.0.0.1]",
  options: { port: { type: "string" }, host: { type: "string" } },
  async run({ values }, rt) {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError("--port must be 0–65535");
    return runServices(rt, { serve: true, bot: false, ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host } : {}) });
  },
});

export const startCommand = defineCommand({
  name: "start",
  summary: "the main job: index if missing, staff console (and the bot when TELEGRAM_BOT_TOKEN is set)",
  usage: "start",
  options: {},
  async run(_args, rt) {
    return runServices(rt, { serve: true, bot: true });
  },
});

export const botCommand = defineCommand({
  name: "bot",
  summary: "the Telegram bot (long polling; webhook mode with WEBHOOK_URL)",
  usage: "bot",
  options: {},
  async run(_args, rt) {
    return runServices(rt, { serve: false, bot: true });
  },
});
