import path from "node:path";
import { describe, expect, it } from "vitest";
import { chunkDocument, DEFAULT_CHUNK_OPTIONS, splitSentences } from "../../src/corpus/chunk.ts";
import { loadCorpus } from "../../src/corpus/load.ts";
import { locationPath } from "../../src/corpus/parse.ts";
import { rawSourcesByCity, ROOT, squash } from "../helpers.ts";

const corpus = await loadCorpus(path.join(ROOT, "seeds"));
const raw = rawSourcesByCity();

describe("chunks", () => {
  it("every chunk's text is its slice of the cleaned text and is found verbatim in the source", () => {
    expect(corpus.chunks.length).toBeGreaterThan(300);
    for (const chunk of corpus.chunks) {
      const doc = corpus.documents.find((d) => d.meta.id === chunk.docId);
      expect(doc?.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(raw[chunk.city], chunk.id).toContain(squash(chunk.text));
    }
  });

  it("never crosses a 节 or 专栏: each chunk lies inside one block and carries that block's location", () => {
    for (const doc of corpus.documents) {
      for (const chunk of corpus.chunks.filter((c) => c.docId === doc.meta.id)) {
        const block = doc.blocks.find((b) => b.start <= chunk.start && chunk.end <= b.end);
        expect(block, chunk.id).toBeDefined();
        expect(chunk.location).toBe(locationPath(block!.location));
      }
    }
  });

  it("makes table rows and service-list areas their own chunks", () => {
    const rows = corpus.chunks.filter((c) => c.kind === "table-row");
    const areas = corpus.chunks.filter((c) => c.kind === "service-area");
    expect(rows).toHaveLength(corpus.documents.reduce((n, d) => n + d.indicators.length, 0));
    expect(areas).toHaveLength(18);
    expect(areas.every((a) => /（共计\d+项）$/.test(a.text))).toBe(true);
    expect(rows.every((r) => !r.text.includes("\n"))).toBe(true);
  });

  it("splits long paragraphs at sentence ends and keeps the lead phrase with every piece", () => {
    const pieces = corpus.chunks.filter((c) => c.lead === "公共服务重点领域服务能力持续强化");
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(p.text.length).toBeLessThanOrEqual(DEFAULT_CHUNK_OPTIONS.maxChars + 120);
      expect(p.text).toMatch(/[。；]$/);
    }
    expect(pieces.slice(1).every((p) => p.context.includes("公共服务重点领域服务能力持续强化"))).toBe(true);
  });

  it("gives stable ids per document", () => {
    const again = chunkDocument(corpus.documents[0]!);
    expect(again.map((c) => c.id)).toEqual(corpus.chunks.filter((c) => c.docId === corpus.documents[0]!.meta.id).map((c) => c.id));
    expect(new Set(corpus.chunks.map((c) => c.id)).size).toBe(corpus.chunks.length);
  });
});

describe("splitSentences", () => {
  it("keeps terminators and closing quotes with their sentence and reports offsets", () => {
    const text = "第一句。第二句“引号。”第三句没有句号";
    const parts = splitSentences(text);
    expect(parts.map((p) => p.text)).toEqual(["第一句。", "第二句“引号。”", "第三句没有句号"]);
    for (const p of parts) expect(text.slice(p.start, p.end)).toBe(p.text);
  });
});
