import type { parseArgs, ParseArgsConfig } from "node:util";
import type { App } from "../app.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";

/*
 * A command of the command line as plain data: its name, one usage line, the options it accepts
 * (node:util parseArgs options: type, default) and what it does. src/cli.ts lists the commands,
 * parses the arguments against `options` and calls `run`, which returns the exit code.
 */

/** What a command runs with; the App is built (or loaded) only when a command asks for it. */
export interface Runtime {
  config: Config;
  log: Logger;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  app(): Promise<App>;
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** The values parseArgs returns for `O` (booleans with a default are booleans, strings without one may be absent). */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>["values"];

export interface CommandSpec<O extends Options> {
  name: string;
  summary: string;
  usage: string;
  options: O;
  run(args: { values: Values<O>; positionals: string[] }, rt: Runtime): Promise<number>;
}

/** A command as the dispatcher sees it: the option values are whatever parseArgs gave for `options`. */
export type Command = CommandSpec<Options>;

/** Describe a command; its `run` sees option values typed from its `options`. */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): Command {
  // parseArgs is called with exactly spec.options, so the values it returns have the shape Values<O>.
  return spec as unknown as Command;
}

/** A mistake in how the command was called: the CLI prints the usage, then the message, and exits 1. */
export class UsageError extends Error {}

/** Why `city` cannot be used (a city the plans do not cover), or undefined when it can (or is absent). */
export function unknownCity(app: App, city: string | undefined, field: string): string | undefined {
  if (city === undefined || app.cities().includes(city)) return undefined;
  return `${field} ${JSON.stringify(city)} is not covered; use one of ${app.cities().join(", ")}`;
}

/** Refuse a city given on the command line that the plans do not cover (it was silently ignored). */
export function requireKnownCity(app: App, city: string | undefined, option: string): void {
  const problem = unknownCity(app, city, option);
  if (problem) throw new UsageError(problem);
}
