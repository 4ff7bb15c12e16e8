import { createClient, ErrorReply, type RedisClientType } from "redis";
import { AppError } from "./errors.ts";
import type { WindowCounter } from "./limits.ts";
import { silentLogger, type Logger } from "./log.ts";

/*
 * One Redis connection per process (REDIS_URL), shared by what several replicas must agree on: the
 * bot's sessions, the bot's per-user rate limit and the HTTP API's per-IP rate limit.
 *
 * Redis is optional at run time: an outage must never make a resident wait. Commands are not queued
 * while the connection is down (they fail at once), each has a deadline, and after a failure Redis
 * is tried again at most once per second until it answers. Callers fall back to this process
 * (src/limits.ts, the session store); the log says so once per outage, and again when it is back.
 */

export type { WindowCounter } from "./limits.ts";

export type Redis = RedisClientType;

/** Redis could not be used for this command (down, reconnecting, or too slow): use the fallback. */
export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisUnavailableError";
  }
}

/** The shared connection with its health. */
export interface SharedRedis {
  readonly client: Redis;
  /** "down" from a failed or timed-out command (or a lost connection) until Redis answers again. */
  status(): "up" | "down";
  /**
   * Run one operation. Rejects with RedisUnavailableError at once while Redis is known to be down,
   * and after the command deadline when it hangs; a reply error (a bug, not an outage) is rethrown.
   */
  run<T>(op: (client: Redis) => Promise<T>): Promise<T>;
  /** Called each time Redis is back after an outage. */
  onRecover(listener: () => void): void;
}

export interface RedisOptions {
  log?: Logger;
  /** Deadline of one command in ms (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs?: number;
  /** While down, how often one command may try Redis again (ms). */
  retryEveryMs?: number;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Connect to Redis. A wrong or unreachable URL fails at start with a CONFIG_INVALID naming
 * REDIS_URL; once connected, the client reconnects for as long as it takes while callers fall back.
 *
 * @example
 * const redis = await connectRedis("redis://127.0.0.1:6379", { log });
 * const hits = redisWindowCounter(redis, "minsheng:ratelimit:http:");
 */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<SharedRedis> {
  const log = options.log ?? silentLogger;
  const timeoutMs = options.commandTimeoutMs ?? 500;
  const retryEveryMs = options.retryEveryMs ?? 1000;
  let connected = false;
  const client: Redis = createClient({
    url,
    // Queued commands would wait for the outage to end (the API hung for its whole length).
    disableOfflineQueue: true,
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries) => (!connected && retries >= 2 ? new Error(`redis unreachable at ${url}`) : Math.min(100 * 2 ** retries, 1000)),
    },
  });

  let down: { since: number } | undefined;
  let retryAt = 0;
  const recovered: (() => void)[] = [];
  const markDown = (cause: string) => {
    retryAt = Date.now() + retryEveryMs;
    if (down || !connected) return;
    down = { since: Date.now() };
    log.warn(`Redis unavailable (${cause}): answering without it until it is back — rate limits counted in this process, bot sessions kept in its memory`);
  };
  const markUp = () => {
    if (!down) return;
    const seconds = ((Date.now() - down.since) / 1000).toFixed(1);
    down = undefined;
    log.info(`Redis is back after ${seconds} s: shared rate limits and sessions resume`);
    for (const listener of recovered) listener();
  };
  client.on("error", (error: Error) => markDown(error.message));
  client.on("ready", markUp);

  try {
    await client.connect();
  } catch (error) {
    throw new AppError("CONFIG_INVALID", `cannot connect to REDIS_URL (${(error as Error).message})`);
  }
  connected = true;

  return {
    client,
    status: () => (down || !client.isReady ? "down" : "up"),
    async run(op) {
      if (!client.isReady) {
        markDown("not connected");
        throw new RedisUnavailableError("Redis is not connected");
      }
      if (down && Date.now() < retryAt) throw new RedisUnavailableError("Redis is down");
      if (down) retryAt = Date.now() + retryEveryMs;
      try {
        const result = await withDeadline(op(client), timeoutMs);
        markUp();
        return result;
      } catch (error) {
        if (error instanceof ErrorReply) throw error;
        markDown((error as Error).message);
        throw error instanceof RedisUnavailableError ? error : new RedisUnavailableError((error as Error).message);
      }
    },
    onRecover: (listener) => void recovered.push(listener),
  };
}

/** Close the connection (letting sent commands finish when it is up); never throws. */
export async function closeRedis(redis: SharedRedis): Promise<void> {
  const { client } = redis;
  if (client.isReady) await client.close().catch(() => client.destroy());
  else if (client.isOpen) client.destroy();
}

/**
 * A fixed-window counter in Redis: INCR, PEXPIRE … NX (the window starts with the first hit) and
 * PTTL in one transaction, so every replica counts into the same window. Rejects with
 * RedisUnavailableError during an outage (wrap it in resilientCounter).
 */
export function redisWindowCounter(redis: SharedRedis, prefix: string): WindowCounter {
  return {
    async hit(key, windowMs) {
      const k = prefix + key;
      const [count, , ttl] = (await redis.run((c) => c.multi().incr(k).pExpire(k, windowMs, "NX").pTTL(k).exec())) as unknown as [number, number, number];
      return { count: Number(count), ttlMs: Math.max(0, Number(ttl)) };
    },
  };
}
