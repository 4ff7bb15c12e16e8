import { parseArgs } from "node:util";
import { createApp, type App } from "./app.ts";
import { createProgress } from "./channels/cli/progress.ts";
import { escapeControls } from "./channels/cli/terminal.ts";
import { askCommand } from "./commands/ask.ts";
import { chatCommand } from "./commands/chat.ts";
import { checkCommand } from "./commands/check.ts";
import { UsageError, type Command, type Runtime } from "./commands/command.ts";
import { evalCommand } from "./commands/eval.ts";
import { indexCommand } from "./commands/index-builds.ts";
import { reviewCommand } from "./commands/review.ts";
import { rulesCommand } from "./commands/rules.ts";
import { botCommand, serveCommand, startCommand } from "./commands/services.ts";
import { loadConfig } from "./config.ts";
import { isAppError } from "./errors.ts";
import { createLogger } from "./log.ts";

/*
 * The command line: it only dispatches. Each command is plain data (name, usage, options, run) in
 * its own file under src/commands/; the long-running services are started by src/server.ts. A user
 * error prints the usage and the message and exits 1; a bug prints its stack and exits 1 too.
 */

/** In the order the usage lists them. */
const commands: Command[] = [
  indexCommand,
  askCommand,
  checkCommand,
  rulesCommand,
  evalCommand,
  reviewCommand,
  serveCommand,
  startCommand,
  botCommand,
  chatCommand,
];

function usage(): string {
  return [
    "usage: npm run -s cli -- <command> [options]",
    "",
    ...commands.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`),
    "",
    "Settings come from the environment and .env (see .env.example).",
  ].join("\n");
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const stderr = process.stderr;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    (name ? process.stdout : stderr).write(usage() + "\n");
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    let args: Parameters<Command["run"]>[0];
    try {
      args = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    let app: Promise<App> | undefined;
    const rt: Runtime = {
      config,
      log,
      stdout: process.stdout,
      stderr,
      app: () => (app ??= createApp(config, { log, progress: createProgress(stderr) })),
    };
    return await command.run(args, rt);
  } catch (error) {
    // Messages may quote what was given (a city, a file name, a line): never raw control characters.
    if (error instanceof UsageError) {
      stderr.write(`${usage()}\n\nerror: ${escapeControls(error.message)}\n`);
    } else if (isAppError(error)) {
      stderr.write(`error [${error.code}]: ${escapeControls(error.message)}\n`);
    } else {
      stderr.write(`internal error: ${escapeControls((error as Error)?.stack ?? String(error))}\n`);
    }
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("src/cli.ts")) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`internal error: ${escapeControls((error as Error)?.stack ?? String(error))}\n`);
      process.exitCode = 1;
    },
  );
}

