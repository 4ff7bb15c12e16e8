import { createClient, type RedisClientType } from "redis";
import { AppError } from "./errors.ts";

/*
 * One Redis connection per process (REDIS_URL), shared by what several replicas must agree on: the
 * bot's sessions, the bot's per-user rate limit and the HTTP API's per-IP rate limit.
 */

export type Redis = RedisClientType;

/**
 * Connect to Redis. A wrong or unreachable URL fails at start with a CONFIG_INVALID naming
 * REDIS_URL; once connected, the client reconnects for as long as it takes.
 *
 * @example
 * const redis = await connectRedis("redis://127.0.0.1:6379");
 */
export async function connectRedis(url: string): Promise<Redis> {
  let connected = false;
  const client: Redis = createClient({
    url,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries) => (!connected && retries >= 2 ? new Error(`redis unreachable at ${url}`) : Math.min(100 * 2 ** retries, 3000)),
    },
  });
  client.on("error", () => {
    /* reported by the failing command */
  });
  try {
    await client.connect();
  } catch (error) {
    throw new AppError("CONFIG_INVALID", `cannot connect to REDIS_URL (${(error as Error).message})`);
  }
  connected = true;
  return client;
}

/** Close a client, letting queued commands finish; never throws. */
export async function closeRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => undefined);
}

/** Fixed-window hit counting: how many hits in the key's current window, and how long it still runs. */
export interface WindowCounter {
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
}

/**
 * A fixed-window counter in Redis: INCR, PEXPIRE … NX (the window starts with the first hit) and
 * PTTL in one transaction, so every replica counts into the same window.
 */
export function redisWindowCounter(client: Redis, prefix: string): WindowCounter {
  return {
    async hit(key, windowMs) {
      const k = prefix + key;
      const [count, , ttl] = (await client.multi().incr(k).pExpire(k, windowMs, "NX").pTTL(k).exec()) as unknown as [number, number, number];
      return { count: Number(count), ttlMs: Math.max(0, Number(ttl)) };
    },
  };
}
