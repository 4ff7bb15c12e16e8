import { describe, expect, it } from "vitest";
import { memoryWindowCounter, resilientCounter, type WindowCounter } from "../src/limits.ts";

describe("window counters", () => {
  it("count hits per key in a window that starts with the first hit", async () => {
    const c = memoryWindowCounter();
    expect((await c.hit("a", 60_000)).count).toBe(1);
    expect((await c.hit("a", 60_000)).count).toBe(2);
    expect((await c.hit("b", 60_000)).count).toBe(1);
    expect(c.peek("a").count).toBe(2);
    expect(c.peek("a").ttlMs).toBeGreaterThan(0);
    expect(c.peek("none")).toEqual({ count: 0, ttlMs: 0 });
    c.hitSync("short", 30);
    await new Promise((r) => setTimeout(r, 60));
    expect(c.peek("short").count).toBe(0);
    expect(c.hitSync("short", 30).count).toBe(1);
  });

  it("keep memory bounded under many keys", () => {
    const c = memoryWindowCounter(100);
    for (let i = 0; i < 1000; i++) c.hitSync(`ip-${i}`, 60_000);
    expect(c.peek("ip-0").count).toBe(0);
    expect(c.peek("ip-999").count).toBe(1);
  });

  it("a resilient counter falls back to this process while the shared one fails, and never rejects", async () => {
    let up = true;
    const shared: WindowCounter = {
      hit: async () => {
        if (!up) throw new Error("down");
        return { count: 42, ttlMs: 1000 };
      },
    };
    const c = resilientCounter(shared);
    expect((await c.hit("x", 60_000)).count).toBe(42);
    up = false;
    expect((await c.hit("x", 60_000)).count).toBe(1);
    expect((await c.hit("x", 60_000)).count).toBe(2);
    up = true;
    expect((await c.hit("x", 60_000)).count).toBe(42);
  });
});
