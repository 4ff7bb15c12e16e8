/**
 * A small leveled logger writing one line per event to stderr (stdout belongs to command output).
 * Text fields are redacted: Chinese ID-card and mobile numbers never reach a log.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const ID_CARD = /(?<!\d)\d{17}[\dXx](?!\d)/g;
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Replace ID-card and mobile numbers in `text` with placeholders. */
export function redact(text: string): string {
  return text.replace(ID_CARD, "[身份证号]").replace(MOBILE, "[手机号]");
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return redact(value.stack ?? value.message);
  if (typeof value === "string") return redact(value);
  return redact(JSON.stringify(value) ?? String(value));
}

/**
 * Create a logger. `write` defaults to stderr; tests pass a collector.
 *
 * @example
 * const log = createLogger("info");
 * log.info("index built", { chunks: 812, ms: 2310 });
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
): Logger {
  const at = ORDER[level];
  const emit = (lvl: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < at) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${formatValue(v)}`)
          .join(" ")
      : "";
    write(`[minsheng] ${lvl}: ${redact(message)}${extra ? " " + extra : ""}`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger("silent");
