import { describe, expect, it } from "vitest";
import { testApp } from "../helpers.ts";

/*
 * D12: an indicator value the plan writes in brackets ("[20]": 五年累计数, says the table's note)
 * must not look like a citation marker in an answer: every [n] left in the text names a citation.
 */

describe("D12: bracketed figure values", () => {
  it.each([
    ["淮南城镇新增就业人数目标是多少", "20（五年累计）"],
    ["六安城镇老旧小区改造多少个", "205（五年累计）"],
  ])("%s", async (question, shown) => {
    const app = await testApp();
    const answer = await app.ask(question);
    expect(answer.kind).toBe("figure");
    expect(answer.text).toContain(shown);
    const markers = [...answer.text.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] as string);
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) {
      expect(m, `[${m}] in ${answer.text}`).toMatch(/^\d+$/);
      expect(Number(m)).toBeGreaterThanOrEqual(1);
      expect(Number(m)).toBeLessThanOrEqual(answer.citations.length);
    }
  });
});
