import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { isAppError } from "../src/errors.ts";
import { createLogger, redact } from "../src/log.ts";
import { fill, loadMessages } from "../src/prompts.ts";
import { ROOT } from "./helpers.ts";

describe("config", () => {
  it("has working defaults resolved against the project root", () => {
    const c = loadConfig({ env: {}, root: ROOT });
    expect(c.seedsDir).toBe(path.join(ROOT, "seeds"));
    expect(c.indexDir).toBe(path.join(ROOT, "index"));
    expect(c.embeddings).toEqual({ provider: "local", dimensions: 128 });
    expect(c.questionMaxChars).toBe(500);
  });

  it("rejects invalid values with the key named", () => {
    for (const env of [{ LOG_LEVEL: "loud" }, { QUESTION_MAX_CHARS: "-3" }, { EMBEDDINGS_BASE_URL: "not a url" }]) {
      let caught: unknown;
      try {
        loadConfig({ env, root: ROOT });
      } catch (e) {
        caught = e;
      }
      expect(isAppError(caught, "CONFIG_INVALID")).toBe(true);
      expect((caught as Error).message).toContain(Object.keys(env)[0]);
    }
  });

  it("needs a base URL and model for openai-compatible embeddings", () => {
    expect(() => loadConfig({ env: { EMBEDDINGS_PROVIDER: "openai-compatible" }, root: ROOT })).toThrow(
      /EMBEDDINGS_BASE_URL and EMBEDDINGS_MODEL/,
    );
    const c = loadConfig({
      env: { EMBEDDINGS_PROVIDER: "openai-compatible", EMBEDDINGS_BASE_URL: "http://127.0.0.1:11434/v1", EMBEDDINGS_MODEL: "bge-m3" },
      root: ROOT,
    });
    expect(c.embeddings).toMatchObject({ provider: "openai-compatible", model: "bge-m3", timeoutMs: 15000 });
  });
});

describe("HTTP_TRUST_PROXY", () => {
  it("is off, a hop count, or proxy addresses and ranges", () => {
    const trust = (v: string) => loadConfig({ env: { HTTP_TRUST_PROXY: v }, root: ROOT }).http.trustProxy;
    expect(trust("false")).toBe(false);
    expect(trust("")).toBe(false);
    expect(trust("0")).toBe(false);
    expect(trust("2")).toBe(2);
    expect(trust("10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8,loopback")).toEqual(["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "loopback"]);
    for (const bad of ["true", "yes", "10.0.0.0/33", "10.0.0", "999"]) expect(() => trust(bad), bad).toThrow(/HTTP_TRUST_PROXY/);
  });
});

describe("messages", () => {
  it("has every key the code uses and fills placeholders", () => {
    const m = loadMessages(path.join(ROOT, "prompts"));
    expect(fill(m.clarify.too_long, { length: 600, max: 500 })).toContain("600");
    expect(() => fill(m.clarify.too_long, { length: 600 })).toThrow(/\{max\}/);
  });
});

describe("logging", () => {
  it("redacts ID-card and mobile numbers", () => {
    expect(redact("身份证340102199001011234，电话13912345678")).toBe("身份证[身份证号]，电话[手机号]");
    const lines: string[] = [];
    createLogger("info", (l) => lines.push(l)).info("user 13912345678 asked", { q: "34010219900101123X" });
    expect(lines.join()).not.toMatch(/139123|3401021990/);
  });

  it("drops messages below the level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (l) => lines.push(l));
    log.info("hidden");
    log.warn("shown");
    expect(lines.map((l) => JSON.parse(l) as { level: string; msg: string }).map((l) => [l.level, l.msg])).toEqual([["warn", "shown"]]);
  });
});
