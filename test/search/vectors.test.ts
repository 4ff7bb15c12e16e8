import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { SynchronousInMemoryDocstore } from "@langchain/community/stores/doc/in_memory";
import { Document } from "@langchain/core/documents";
import { FakeEmbeddings } from "@langchain/core/utils/testing";
import { HierarchicalNSW } from "hnswlib-node";
import { describe, expect, it } from "vitest";
import type { Chunk } from "../../src/corpus/types.ts";
import { seededRandom } from "../../src/search/linalg.ts";
import {
  EXACT_SCAN_LIMIT,
  exactNearest,
  hnswGraph,
  readVectorTable,
  scopedVectorIndex,
  type VectorIndex,
  type VectorTable,
} from "../../src/search/vectors.ts";

const DIMS = 16;

function fixture(count: number, cities: string[]) {
  const rand = seededRandom(7);
  const vectors = Array.from({ length: count }, () => Array.from({ length: DIMS }, () => rand() * 2 - 1));
  const index = new HierarchicalNSW("cosine", DIMS);
  index.initIndex(count);
  // Labels deliberately differ from chunk order, as they may in a vector store.
  const labelOf = (chunk: number) => count - 1 - chunk;
  vectors.forEach((v, chunk) => index.addPoint(v, labelOf(chunk)));
  index.setEf(Math.max(64, count));
  const chunks = vectors.map((_, i) => ({ id: `c${i}`, city: cities[i % cities.length] }) as unknown as Chunk);
  const table = readVectorTable(index, count, (label) => count - 1 - label);
  return { vectors, index, chunks, table };
}

/** The raw graph as the LangChain store a build saves: documents carry their chunk in metadata.index. */
function storeOf(index: HierarchicalNSW, count: number): HNSWLib {
  const docs = new Map(
    Array.from({ length: count }, (_, chunk) => [String(count - 1 - chunk), new Document({ pageContent: "", metadata: { index: chunk } })]),
  );
  return new HNSWLib(new FakeEmbeddings(), { space: "cosine", numDimensions: DIMS, index, docstore: new SynchronousInMemoryDocstore(docs) });
}

/** Search by chunk predicate, as a loaded index offers it to retrieval. */
function searchChunks(vectors: VectorIndex, chunks: readonly Chunk[]) {
  return (vector: number[], k: number, allow?: (c: Chunk) => boolean) => vectors.search(vector, k, allow && ((i) => allow(chunks[i] as Chunk)));
}

function createVectorSearch(index: HierarchicalNSW, table: VectorTable, chunks: readonly Chunk[]) {
  return searchChunks(scopedVectorIndex(storeOf(index, chunks.length), table), chunks);
}

const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * (b[i] as number), 0);
  return dot / Math.hypot(...a) / Math.hypot(...b);
};

describe("vector search", () => {
  it("the exact scan ranks by cosine similarity, in chunk order", () => {
    const { vectors, table } = fixture(200, ["甲市"]);
    const query = vectors[17] as number[];
    const all = Array.from({ length: 200 }, (_, i) => i);
    const found = exactNearest(table, query, all, 5);
    const expected = all.map((i) => ({ i, s: cosine(query, vectors[i] as number[]) })).sort((a, b) => b.s - a.s).slice(0, 5);
    expect(found.map((f) => f.index)).toEqual(expected.map((e) => e.i));
    expect(found[0]?.index).toBe(17);
    found.forEach((f, k) => expect(f.similarity).toBeCloseTo(expected[k]?.s as number, 5));
  });

  it("a narrow scope is searched exactly and only within the scope", async () => {
    const { vectors, index, chunks, table } = fixture(300, ["甲市", "乙市", "丙市"]);
    const search = createVectorSearch(index, table, chunks);
    const query = vectors[4] as number[]; // chunk 4 belongs to 乙市
    const found = await search(query, 10, (c) => c.city === "丙市");
    expect(found).toHaveLength(10);
    expect(found.every((f) => chunks[f.index]?.city === "丙市")).toBe(true);
    const expected = chunks
      .map((c, i) => ({ i, c }))
      .filter(({ c }) => c.city === "丙市")
      .map(({ i }) => ({ i, s: cosine(query, vectors[i] as number[]) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 10);
    expect(found.map((f) => f.index)).toEqual(expected.map((e) => e.i));
  });

  it("unscoped search walks the graph and maps labels back to chunks", async () => {
    const { vectors, index, chunks } = fixture(300, ["甲市"]);
    const search = searchChunks(hnswGraph(storeOf(index, chunks.length)), chunks);
    const found = await search(vectors[123] as number[], 3);
    expect(found[0]).toMatchObject({ index: 123 });
    expect(found[0]?.similarity).toBeCloseTo(1, 5);
  });

  it("a broad scope over a large corpus uses the graph with a filter", async () => {
    const count = EXACT_SCAN_LIMIT + 400;
    const { vectors, index, chunks, table } = fixture(count, ["甲市", "乙市"]);
    index.setEf(200);
    const search = createVectorSearch(index, table, chunks);
    const found = await search(vectors[10] as number[], 5, (c) => c.city !== "乙市" || c.id === "c11");
    expect(found[0]).toMatchObject({ index: 10 });
    expect(found.every((f) => chunks[f.index]?.city === "甲市" || f.index === 11)).toBe(true);
  });

  it("a vector store whose labels name no chunk is rejected", () => {
    const index = new HierarchicalNSW("cosine", DIMS);
    index.initIndex(2);
    index.addPoint(new Array(DIMS).fill(1), 0);
    index.addPoint(new Array(DIMS).fill(0.5), 1);
    expect(() => readVectorTable(index, 2, (label) => label + 5)).toThrow(/names no chunk/);
  });
});
