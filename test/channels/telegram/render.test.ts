import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Answer } from "../../../src/contract/answer.ts";
import { loadBotMessages } from "../../../src/channels/telegram/messages.ts";
import { escapeHtml, packMessages, renderAnswer } from "../../../src/channels/telegram/render.ts";
import { ROOT } from "../../helpers.ts";

const bm = loadBotMessages(path.join(ROOT, "prompts"));

describe("telegram rendering", () => {
  it("escapes &, < and >", () => {
    expect(escapeHtml("<b>a & b</b>")).toBe("&lt;b&gt;a &amp; b&lt;/b&gt;");
  });

  it("packs blocks under the limit and cuts only an over-long block, at a sentence end", () => {
    const long = "第一句话。".repeat(30);
    const msgs = packMessages(["开头", long, "结尾"], 60);
    expect(msgs.every((m) => m.length <= 60)).toBe(true);
    expect(msgs.join("").replace(/\n/g, "")).toBe(`开头${long}结尾`);
    expect(msgs.slice(0, -1).every((m) => /[。\n]$|开头$/.test(m))).toBe(true);
  });

  it("never cuts inside an HTML entity", () => {
    const text = "&amp;".repeat(40);
    for (const m of packMessages([text], 23)) {
      expect(m.length).toBeLessThanOrEqual(23);
      expect(m).toMatch(/^(&amp;)+$/);
    }
  });

  it("renders the answer first, then a compact source list (one line per document, no quotes), and buttons", () => {
    const cite = (docId: string, title: string, location: string, quote: string, n: number) => ({
      city: "六安市", docId, docTitle: title, docStatus: "规划文本", location, quote, chunkId: `${docId}#c${n}`, chunkText: quote, score: 1,
    });
    const answer = {
      question: "q",
      city: null,
      kind: "answer",
      text: "六安市规划：“甲乙丙”[1]。\n淮南市规划：“己”[3]。\n摘自《六安规划》和《淮南<规划>》。",
      citations: [
        cite("d", "六安规划", "第一章 总则 › 第一节 甲", "甲乙丙", 1),
        cite("d", "六安规划", "第二章 › 第二节 丁", "丁<戊>", 2),
        cite("h", "淮南<规划>", "第三章", "己", 3),
        cite("d", "六安规划", "第一章 总则 › 第一节 甲", "庚", 4),
      ],
      eligibility: [],
      timingsMs: { total: 1 },
    } satisfies Answer;
    const { messages, keyboard } = renderAnswer(answer, bm, "7", 4000, ["已记住：就业状态：灵活就业（发 /forget 可删除）。"]);
    expect(messages).toEqual([
      [
        "六安市规划：“甲乙丙”[1]。",
        "淮南市规划：“己”[3]。",
        "摘自《六安规划》和《淮南&lt;规划&gt;》。",
        "<i>已记住：就业状态：灵活就业（发 /forget 可删除）。</i>",
        "<i>《六安规划》：[1][4] 第一节 甲；[2] 第二节 丁</i>",
        "<i>《淮南&lt;规划&gt;》：[3] 第三章</i>",
      ].join("\n"),
    ]);
    const rows = keyboard!.inline_keyboard.map((r) => r.map((b) => (b as { callback_data: string }).callback_data));
    expect(rows).toEqual([["src:7:1", "src:7:2", "src:7:3"], ["src:7:4"], ["fb:7:+", "fb:7:-"]]);
  });

  it("an answer without citations is plain text without buttons", () => {
    const answer = { question: "q", city: null, kind: "greeting", text: "不客气！", citations: [], eligibility: [], timingsMs: { total: 1 } } satisfies Answer;
    expect(renderAnswer(answer, bm, "8")).toEqual({ messages: ["不客气！"] });
  });
});
