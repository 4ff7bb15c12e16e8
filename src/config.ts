import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import { AppError } from "./errors.ts";

const intFrom = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const optionalUrl = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .pipe(z.url().optional())
  .optional();

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();

/** Names proxy-addr (Fastify's trustProxy) knows for address ranges. */
const RANGE_NAMES = ["loopback", "linklocal", "uniquelocal"];

function validProxyEntry(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split("/");
  const family = net.isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * HTTP_TRUST_PROXY: which X-Forwarded-For hops to believe. Off; a number of proxies in front (the
 * client is the address that many hops back); or the proxies' addresses/CIDR ranges. "true" (believe
 * every hop) would let any client choose the address it is rate-limited by, so it is refused.
 */
const TrustProxySchema = z
  .string()
  .trim()
  .default("false")
  .transform((v, ctx): false | number | string[] => {
    if (v === "" || v === "false" || v === "0") return false;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops <= 20) return hops;
      ctx.addIssue({ code: "custom", message: "a hop count is the number of proxies in front: 1–20" });
      return z.NEVER;
    }
    if (v === "true") {
      ctx.addIssue({
        code: "custom",
        message: "true would believe every X-Forwarded-For hop, so clients could pick their own IP: give the number of proxies in front (1) or their addresses (10.0.0.0/8,127.0.0.1)",
      });
      return z.NEVER;
    }
    const entries = v.split(",").map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((e) => !validProxyEntry(e));
    if (bad.length > 0 || entries.length === 0) {
      ctx.addIssue({ code: "custom", message: `not an IP address or CIDR range: ${bad.join(", ") || v}` });
      return z.NEVER;
    }
    return entries;
  });

/**
 * Every setting minsheng reads from the environment (and `.env`). `.env.example` documents each key.
 * Only this module reads `process.env`.
 */
export const EnvSchema = z.object({
  MINSHENG_SEEDS_DIR: z.string().default("seeds"),
  MINSHENG_INDEX_DIR: z.string().default("index"),
  MINSHENG_PROMPTS_DIR: z.string().default("prompts"),
  INDEX_KEEP_BUILDS: intFrom(5, 1, 1000),
  INDEX_WATCH: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  ADMIN_TOKEN: optionalString,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),

  EMBEDDINGS_PROVIDER: z.enum(["local", "openai-compatible"]).default("local"),
  LOCAL_EMBEDDINGS_DIMENSIONS: intFrom(128, 8, 1024),
  EMBEDDINGS_BASE_URL: optionalUrl,
  EMBEDDINGS_MODEL: optionalString,
  EMBEDDINGS_API_KEY: optionalString,
  EMBEDDINGS_TIMEOUT_MS: intFrom(15000, 100, 600000),
  EMBEDDINGS_BATCH_SIZE: intFrom(64, 1, 2048),

  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  HTTP_PORT: intFrom(3000, 0, 65535),
  HTTP_BODY_LIMIT: intFrom(32768, 1024, 10_000_000),
  HTTP_RATE_LIMIT_MAX: intFrom(300, 1, 1_000_000),
  HTTP_RATE_LIMIT_WINDOW_MS: intFrom(60000, 1000, 3_600_000),
  HTTP_TRUST_PROXY: TrustProxySchema,
  ADMIN_AUTH_MAX_FAILURES: intFrom(5, 1, 1000),
  ADMIN_AUTH_WINDOW_MS: intFrom(900_000, 1000, 86_400_000),

  MINSHENG_STATE_DIR: z.string().default(".state"),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: z.string().trim().default("https://api.telegram.org").pipe(z.url()),
  WEBHOOK_URL: optionalUrl,
  WEBHOOK_SECRET: optionalString,
  REDIS_URL: optionalString,
  REDIS_COMMAND_TIMEOUT_MS: intFrom(500, 20, 60_000),
  SESSION_TTL_DAYS: intFrom(30, 1, 3650),
  BOT_RATE_LIMIT: intFrom(6, 1, 1000),
  BOT_RATE_WINDOW_MS: intFrom(10000, 100, 3_600_000),
  BOT_MESSAGE_LIMIT: intFrom(4000, 200, 4096),

  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(?:ql)?:\/\/[^\s]+$/, "a PostgreSQL URL: postgres://user:password@host:5432/database (unset: SQLite in MINSHENG_STATE_DIR)")
      .optional(),
  ),
  QUESTION_LOG_DAYS: intFrom(90, 0, 3650),
  METRICS: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),

  RETRIEVAL_CANDIDATES: intFrom(40, 5, 500),
  ANSWER_MAX_CITATIONS: intFrom(5, 1, 20),
  QUESTION_MAX_CHARS: intFrom(500, 20, 100000),
});

export type Env = z.infer<typeof EnvSchema>;

/** The validated configuration the whole application is built from. */
export interface Config {
  /** Project root all relative paths are resolved against. */
  root: string;
  seedsDir: string;
  indexDir: string;
  promptsDir: string;
  /** Builds kept on disk after a new one goes live. */
  indexKeep: number;
  /** Running services reload when index/current changes (file watch). */
  indexWatch: boolean;
  /** Token for POST /api/admin/reload (the endpoint is off without one). */
  adminToken: string | undefined;
  /** Wrong admin tokens allowed per client IP per window before every admin request is refused. */
  adminAuth: { maxFailures: number; windowMs: number };
  logLevel: Env["LOG_LEVEL"];
  embeddings:
    | { provider: "local"; dimensions: number }
    | {
        provider: "openai-compatible";
        baseUrl: string;
        model: string;
        apiKey: string | undefined;
        timeoutMs: number;
        batchSize: number;
      };
  retrieval: { candidates: number; maxCitations: number };
  questionMaxChars: number;
  http: {
    host: string;
    port: number;
    bodyLimit: number;
    rateLimit: { max: number; windowMs: number };
    /** X-Forwarded-For hops to believe: off, a hop count, or the proxies' addresses/ranges. */
    trustProxy: false | number | string[];
  };
  /** Sessions (file store) and feedback live here. */
  stateDir: string;
  /** Shared state of replicas (bot sessions, bot and API rate limits); undefined: in this process and files. */
  redisUrl: string | undefined;
  /** Deadline of one Redis command; past it the command counts as an outage. */
  redisCommandTimeoutMs: number;
  /**
   * The question log: a PostgreSQL URL (several replicas), else SQLite in stateDir; kept this many
   * days (0: no question is stored).
   */
  questionLog: { databaseUrl: string | undefined; days: number };
  /** GET /metrics (Prometheus text) is served. */
  metrics: boolean;
  telegram: {
    token: string | undefined;
    apiRoot: string;
    webhook: { url: string; secret: string } | undefined;
    sessionTtlMs: number;
    rateLimit: { limit: number; windowMs: number };
    /** Longest message the bot sends (Telegram allows 4096). */
    messageLimit: number;
  };
}

/**
 * Build the configuration from an environment map (default: `process.env`, after loading `.env`
 * from `root` when present). Throws `AppError("CONFIG_INVALID")` with a readable list of problems.
 *
 * @example
 * const config = loadConfig({ env: { LOG_LEVEL: "warn" }, root: "/srv/minsheng" });
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; root?: string } = {}): Config {
  const root = path.resolve(options.root ?? process.cwd());
  let env = options.env;
  if (!env) {
    const dotenv = path.join(root, ".env");
    if (existsSync(dotenv)) process.loadEnvFile(dotenv);
    env = process.env;
  }
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new AppError("CONFIG_INVALID", `Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const resolve = (p: string) => path.resolve(root, p);

  let embeddings: Config["embeddings"];
  if (e.EMBEDDINGS_PROVIDER === "openai-compatible") {
    const missing = [
      e.EMBEDDINGS_BASE_URL ? null : "EMBEDDINGS_BASE_URL",
      e.EMBEDDINGS_MODEL ? null : "EMBEDDINGS_MODEL",
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new AppError(
        "CONFIG_INVALID",
        `Invalid configuration:\nEMBEDDINGS_PROVIDER=openai-compatible needs ${missing.join(" and ")}`,
      );
    }
    embeddings = {
      provider: "openai-compatible",
      baseUrl: e.EMBEDDINGS_BASE_URL as string,
      model: e.EMBEDDINGS_MODEL as string,
      apiKey: e.EMBEDDINGS_API_KEY,
      timeoutMs: e.EMBEDDINGS_TIMEOUT_MS,
      batchSize: e.EMBEDDINGS_BATCH_SIZE,
    };
  } else {
    embeddings = { provider: "local", dimensions: e.LOCAL_EMBEDDINGS_DIMENSIONS };
  }

  if (e.WEBHOOK_URL && (!e.WEBHOOK_SECRET || !/^[A-Za-z0-9_-]{8,256}$/.test(e.WEBHOOK_SECRET))) {
    throw new AppError(
      "CONFIG_INVALID",
      "Invalid configuration:\nWEBHOOK_URL needs WEBHOOK_SECRET: 8–256 characters of A-Z, a-z, 0-9, _ and -",
    );
  }
  return {
    root,
    seedsDir: resolve(e.MINSHENG_SEEDS_DIR),
    indexDir: resolve(e.MINSHENG_INDEX_DIR),
    promptsDir: resolve(e.MINSHENG_PROMPTS_DIR),
    indexKeep: e.INDEX_KEEP_BUILDS,
    indexWatch: e.INDEX_WATCH,
    adminToken: e.ADMIN_TOKEN,
    adminAuth: { maxFailures: e.ADMIN_AUTH_MAX_FAILURES, windowMs: e.ADMIN_AUTH_WINDOW_MS },
    logLevel: e.LOG_LEVEL,
    embeddings,
    retrieval: { candidates: e.RETRIEVAL_CANDIDATES, maxCitations: e.ANSWER_MAX_CITATIONS },
    questionMaxChars: e.QUESTION_MAX_CHARS,
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      bodyLimit: e.HTTP_BODY_LIMIT,
      rateLimit: { max: e.HTTP_RATE_LIMIT_MAX, windowMs: e.HTTP_RATE_LIMIT_WINDOW_MS },
      trustProxy: e.HTTP_TRUST_PROXY,
    },
    stateDir: resolve(e.MINSHENG_STATE_DIR),
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    questionLog: { databaseUrl: e.DATABASE_URL, days: e.QUESTION_LOG_DAYS },
    metrics: e.METRICS,
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      webhook: e.WEBHOOK_URL ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET as string } : undefined,
      sessionTtlMs: e.SESSION_TTL_DAYS * 24 * 3600 * 1000,
      rateLimit: { limit: e.BOT_RATE_LIMIT, windowMs: e.BOT_RATE_WINDOW_MS },
      messageLimit: e.BOT_MESSAGE_LIMIT,
    },
  };
}
