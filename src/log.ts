import pino, { type Logger as PinoLogger } from "pino";
import { redact } from "./redact.ts";

/*
 * One logger for everything: pino (Fastify's own) writing JSON lines to stderr — stdout belongs to
 * command output. Personal numbers are redacted in every message and field (and once more on the
 * finished line), URLs are logged without their query string.
 */

export { redact } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const PINO = Symbol("pino");
const MAX_DEPTH = 6;

/** An error as plain, redacted data (type, message, code, stack). */
function errorData(error: Error, depth: number): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    message: redact(error.message),
    ...(code !== undefined ? { code: typeof code === "string" ? redact(code) : code } : {}),
    ...(error.stack ? { stack: redact(error.stack) } : {}),
    ...(cause !== undefined && depth < MAX_DEPTH ? { cause: clean(cause, depth + 1) } : {}),
  };
}

/**
 * Redact strings in plain data (objects, arrays, errors). Other objects — Fastify's request and
 * reply — are left to the serializers below, which redact what they output.
 */
function clean(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  // A number written as a JSON number (a phone number in a numeric field) would be caught only on
  // the finished line, where replacing it would break the JSON.
  if ((typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint") {
    const text = String(value);
    const redacted = text.length >= 11 ? redact(text) : text;
    return redacted === text ? value : redacted;
  }
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) return errorData(value, depth);
  if (depth >= MAX_DEPTH) return "[…]";
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clean(v, depth + 1);
  return out;
}

/** Percent-decode what decodes (so encoded numbers are redacted too), leaving broken sequences as they are. */
function decodePath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** A URL as it may be logged: the path only (a query string may carry anything a resident typed), decoded and redacted. */
export function loggableUrl(url: string | undefined): string {
  return redact(decodePath((url ?? "").split("?")[0] ?? ""));
}

/**
 * The finished JSON line once more, for whatever reached it without passing the hook: the text of
 * each string (numbers outside strings are left, a float's digits are not a phone number; a string
 * with \u escapes is left whole, since redacting inside an escape would break the line).
 */
function redactLine(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"/g, (token) => (token.includes("\\u") ? token : redact(token)));
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

const serializers = {
  req: (req: RequestLike) => ({ method: req.method, url: loggableUrl(req.url), remoteAddress: req.ip }),
  res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
  err: (error: unknown) => (error instanceof Error ? errorData(error, 0) : clean(error)),
};

/**
 * Create a logger at `level`. Lines go to stderr; tests pass `write` to collect them.
 *
 * @example
 * const log = createLogger("info");
 * log.info("index built", { chunks: 812, ms: 2310 });
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const destination = write ? { write: (line: string) => write(line.replace(/\n$/, "")) } : process.stderr;
  const instance = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers,
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => clean(a)) as Parameters<typeof method>;
          method.apply(this, redacted);
        },
        streamWrite: redactLine,
      },
    },
    destination,
  );
  const logger: Logger & { [PINO]: PinoLogger } = {
    debug: (m, f) => instance.debug(f ?? {}, m),
    info: (m, f) => instance.info(f ?? {}, m),
    warn: (m, f) => instance.warn(f ?? {}, m),
    error: (m, f) => instance.error(f ?? {}, m),
    [PINO]: instance,
  };
  return logger;
}

/**
 * The pino instance behind a logger made by createLogger (Fastify logs through it), or undefined
 * for any other Logger.
 */
export function pinoOf(log: Logger): PinoLogger | undefined {
  return (log as { [PINO]?: PinoLogger })[PINO];
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger("silent");
