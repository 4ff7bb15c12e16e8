/*
 * Fixed-window hit counting for rate limits: in this process, in Redis (src/redis.ts), or in Redis
 * with this process as the fallback while Redis is unavailable.
 */

/** Fixed-window hit counting: how many hits in the key's current window, and how long it still runs. */
export interface WindowCounter {
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
}

/** Keys kept before expired windows are swept (and, if still over, the oldest dropped). */
const MAX_KEYS = 100_000;

/**
 * A fixed-window counter in this process's memory: the window starts with a key's first hit, as in
 * Redis. Memory stays bounded: expired windows are swept when the map grows past its limit.
 *
 * @example
 * const counter = memoryWindowCounter();
 * const { count } = await counter.hit("10.0.0.1", 60_000);
 */
export function memoryWindowCounter(maxKeys = MAX_KEYS): WindowCounter & {
  hitSync(key: string, windowMs: number): { count: number; ttlMs: number };
  /** The key's count in its current window, without counting a hit. */
  peek(key: string): { count: number; ttlMs: number };
} {
  const windows = new Map<string, { count: number; endsAt: number }>();
  const sweep = (now: number) => {
    for (const [k, w] of windows) if (w.endsAt <= now) windows.delete(k);
    for (const k of windows.keys()) {
      if (windows.size <= maxKeys) break;
      windows.delete(k);
    }
  };
  const hitSync = (key: string, windowMs: number) => {
    const now = Date.now();
    let w = windows.get(key);
    if (!w || w.endsAt <= now) {
      if (windows.size >= maxKeys) sweep(now);
      w = { count: 0, endsAt: now + windowMs };
      windows.set(key, w);
    }
    w.count++;
    return { count: w.count, ttlMs: w.endsAt - now };
  };
  const peek = (key: string) => {
    const now = Date.now();
    const w = windows.get(key);
    return !w || w.endsAt <= now ? { count: 0, ttlMs: 0 } : { count: w.count, ttlMs: w.endsAt - now };
  };
  return { hitSync, peek, hit: async (key, windowMs) => hitSync(key, windowMs) };
}

/**
 * Count in `primary` (Redis, shared by replicas); while it fails, count in `fallback` (this
 * process) so that limits still hold — per replica — and nothing waits for the outage. Never
 * rejects.
 */
export function resilientCounter(primary: WindowCounter, fallback: WindowCounter = memoryWindowCounter()): WindowCounter {
  return {
    async hit(key, windowMs) {
      try {
        return await primary.hit(key, windowMs);
      } catch {
        return fallback.hit(key, windowMs);
      }
    },
  };
}
