import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileFeedbackSink } from "../../src/channels/telegram/feedback.ts";
import { createLogger, type LogLevel } from "../../src/log.ts";
import { leaks, PII_CORPUS, PII_DIGITS, serve } from "./helpers.ts";

/*
 * D5, D6: personal numbers never reach a log or a file, in any of the forms residents write them,
 * at any log level; request lines carry paths without query strings and ids the server made.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-logs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("personal numbers in logs and files", () => {
  it("serve at LOG_LEVEL=debug: nothing on stdout but its address, no PII, no query strings, server-made request ids", async () => {
    const served = await serve({ LOG_LEVEL: "debug" });
    const clientId = "client-chosen-id-4242";
    try {
      for (const pii of PII_CORPUS) {
        const q = encodeURIComponent(pii);
        const headers = { "x-request-id": clientId };
        await fetch(`${served.base}/api/figures?q=${q}`, { headers });
        await fetch(`${served.base}/api/sources/${q}`, { headers });
        await fetch(`${served.base}/nope/${q}?x=${q}`, { headers });
        await fetch(`${served.base}/api/sources/%FF${q}`, { headers });
        await fetch(`${served.base}/api/ask`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ question: `我的电话是${pii}，公租房怎么申请`, city: pii }),
        });
        await fetch(`${served.base}/api/ask`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: `{"question": "${pii}` });
        await fetch(`${served.base}/api/ask`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ question: `身份证${pii}` }),
        });
      }
    } finally {
      expect(await served.stop()).toBe(0);
    }
    const out = served.stdout();
    const err = served.stderr();
    // The request lines were logged (at debug), so there was something to leak.
    expect(out + err).toContain("/api/figures");
    expect(leaks(out + err, PII_DIGITS)).toEqual([]);
    expect(out.trim().split("\n")).toEqual([expect.stringMatching(/^民生问答热线工作台：http:\/\/127\.0\.0\.1:\d+\/$/)]);
    expect(err).not.toContain(clientId);
    expect(err).not.toMatch(/\?(q|x)=/);
    const lines = err.trim().split("\n").map((l) => JSON.parse(l) as { reqId?: string });
    expect(lines.some((l) => /^req-/.test(l.reqId ?? ""))).toBe(true);
  });

  it.each(["debug", "info", "warn", "error"] as LogLevel[])("every message and field at %s", (level) => {
    const lines: string[] = [];
    const log = createLogger(level, (l) => lines.push(l));
    for (const pii of PII_CORPUS) {
      for (const method of ["debug", "info", "warn", "error"] as const) {
        log[method](`resident wrote ${pii}`, {
          question: `电话${pii}`,
          nested: { list: [pii, { deep: pii }] },
          error: new Error(`failed for ${pii}`),
          number: Number(pii.replace(/\D/g, "").slice(0, 15)),
        });
      }
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join("\n"), PII_DIGITS)).toEqual([]);
  });

  it("feedback.jsonl keeps the text without ID-card, phone or bank-card numbers", async () => {
    const file = path.join(work, "feedback.jsonl");
    const sink = fileFeedbackSink(file);
    for (const pii of PII_CORPUS) await sink({ time: new Date().toISOString(), channel: "telegram", kind: "text", text: `请联系我 ${pii} 谢谢` });
    const stored = readFileSync(file, "utf8");
    expect(stored.split("\n").filter(Boolean)).toHaveLength(PII_CORPUS.length);
    expect(stored).toContain("请联系我");
    expect(leaks(stored, PII_DIGITS)).toEqual([]);
  });
});
