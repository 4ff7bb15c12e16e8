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

  it("renders the answer first, then numbered sources, with quotes not already in the text", () => {
    const answer = {
      question: "q",
      city: "六安市",
      kind: "answer",
      text: "“甲乙丙”[1]（某章）\n更多相关原文：[2]",
      citations: [
        { city: "六安市", docId: "d", docTitle: "六安规划", docStatus: "规划文本", location: "第一章", quote: "甲乙丙", chunkId: "d#c1", chunkText: "甲乙丙", score: 1 },
        { city: "六安市", docId: "d", docTitle: "六安规划", docStatus: "规划文本", location: "第二章", quote: "丁<戊>", chunkId: "d#c2", chunkText: "丁<戊>", score: 1 },
      ],
      eligibility: [],
      timingsMs: { total: 1 },
    } satisfies Answer;
    const { messages, keyboard } = renderAnswer(answer, bm, "7");
    expect(messages).toHaveLength(1);
    const text = messages[0]!;
    expect(text.indexOf("“甲乙丙”[1]")).toBeLessThan(text.indexOf("<b>出处</b>"));
    expect(text).toContain("[1] 《六安规划》（规划文本） › 第一章");
    expect(text).not.toContain("[1] 《六安规划》（规划文本） › 第一章\n“甲乙丙”");
    expect(text).toContain("“丁&lt;戊&gt;”");
    const data = keyboard!.inline_keyboard.flat().map((b) => (b as { callback_data: string }).callback_data);
    expect(data).toEqual(["src:7:1", "src:7:2", "fb:7:+", "fb:7:-"]);
  });
});
