import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeEmbeddings } from "@langchain/core/utils/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/search/linalg.ts";
import {
  buildVectorIndex,
  EXACT_SCAN_LIMIT,
  loadVectorIndex,
  VectorIndexError,
  vectorStrategy,
  type StoredVectorIndex,
} from "../../src/search/vectors.ts";

/*
 * The vector index on a scope large enough that the HNSW graph is walked: a synthetic corpus of
 * 8,000 vectors in two "cities" (4,000 each, above EXACT_SCAN_LIMIT), built, saved and loaded as a
 * build does, then compared with the exact scan over the same scope.
 */

const DIMS = 32;
const COUNT = 8000;
const K = 10;

/** Clustered vectors (as embeddings of related passages are), deterministic. */
function corpus() {
  const rand = seededRandom(11);
  const centres = Array.from({ length: 80 }, () => Array.from({ length: DIMS }, () => rand() * 2 - 1));
  return Array.from({ length: COUNT }, (_, i) => (centres[i % centres.length] as number[]).map((c) => c + (rand() - 0.5) * 0.8));
}

const cityOf = (i: number) => (i % 2 === 0 ? "甲市" : "乙市");

describe("vector index: exact scan and HNSW by scope size", () => {
  let dir: string;
  let vectors: number[][];
  let index: StoredVectorIndex;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-vectors-"));
    vectors = corpus();
    const built = await buildVectorIndex(
      new FakeEmbeddings(),
      vectors,
      vectors.map((_, i) => ({ index: i, city: cityOf(i), id: `c${i}`, text: "" })),
    );
    await built.save(path.join(dir, "hnswlib"));
    index = await loadVectorIndex(path.join(dir, "hnswlib"), new FakeEmbeddings(), COUNT);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("one threshold decides: scopes up to EXACT_SCAN_LIMIT are scanned, larger ones walk the graph", () => {
    expect(vectorStrategy(EXACT_SCAN_LIMIT)).toBe("exact");
    expect(vectorStrategy(EXACT_SCAN_LIMIT + 1)).toBe("hnsw");
    expect(index.size).toBe(COUNT);
    expect(index.dimensions).toBe(DIMS);
    expect(index.strategyFor(COUNT / 2)).toBe("hnsw");
    expect(index.strategyFor(300)).toBe("exact");
  });

  it("on a large scope the graph is walked (not every node visited) and agrees with the exact scan", async () => {
    const rand = seededRandom(5);
    const inCity = (i: number) => cityOf(i) === "甲市";
    let top1 = 0;
    let overlap = 0;
    const queries = 25;
    for (let q = 0; q < queries; q++) {
      const target = 2 * Math.floor(rand() * (COUNT / 2)); // a chunk of 甲市
      const query = (vectors[target] as number[]).map((v) => v + (rand() - 0.5) * 0.05);
      let visited = 0;
      const graph = await index.search(query, K, (i) => {
        visited++;
        return inCity(i);
      });
      // The scope is counted once (COUNT calls); the graph walk then looks at only part of it.
      expect(visited - COUNT).toBeLessThan(COUNT / 2);
      expect(visited - COUNT).toBeGreaterThan(0);
      expect(graph).toHaveLength(K);
      expect(graph.every((n) => inCity(n.index))).toBe(true);

      const exact = await exactOver(index, query, inCity);
      if (graph[0]?.index === exact[0]?.index) top1++;
      const exactIds = new Set(exact.map((n) => n.index));
      overlap += graph.filter((n) => exactIds.has(n.index)).length;
      // Similarities are the same cosine whichever strategy found the chunk.
      for (const n of graph) {
        const e = exact.find((x) => x.index === n.index);
        if (e) expect(n.similarity).toBeCloseTo(e.similarity, 4);
      }
    }
    expect(top1).toBe(queries);
    expect(overlap / (queries * K)).toBeGreaterThanOrEqual(0.9);
  });

  it("a scope under the threshold is scanned exactly, never by the graph", async () => {
    const query = vectors[42] as number[];
    let calls = 0;
    const scope = (i: number) => {
      calls++;
      return i < 2000;
    };
    const found = await index.search(query, K, scope);
    // One pass to count the scope, none from a graph walk.
    expect(calls).toBe(COUNT);
    const exact = await exactOver(index, query, (i) => i < 2000);
    expect(found.map((n) => n.index)).toEqual(exact.map((n) => n.index));
    found.forEach((n, i) => expect(n.similarity).toBeCloseTo(exact[i]?.similarity as number, 5));
    expect(found[0]).toMatchObject({ index: 42 });
  });

  it("a stored index with the wrong number of vectors is refused", async () => {
    await expect(loadVectorIndex(path.join(dir, "hnswlib"), new FakeEmbeddings(), COUNT + 1)).rejects.toThrow(VectorIndexError);
    await expect(loadVectorIndex(path.join(dir, "missing"), new FakeEmbeddings(), COUNT)).rejects.toMatchObject({ reason: "unreadable" });
  });
});

/** The exact answer over a scope, by a full scan (a threshold above the corpus forces the exact strategy). */
async function exactOver(index: StoredVectorIndex, query: number[], scope: (i: number) => boolean) {
  const rows: number[] = [];
  for (let i = 0; i < index.size; i++) if (scope(i)) rows.push(i);
  // Brute force, independent of the index's own code.
  return exactBrute(index, query, rows);
}

let table: number[][] | undefined;
function exactBrute(index: StoredVectorIndex, query: number[], rows: number[]) {
  table ??= corpus();
  const norm = (v: number[]) => Math.hypot(...v) || 1;
  const qn = norm(query);
  return rows
    .map((i) => {
      const v = (table as number[][])[i] as number[];
      return { index: i, similarity: v.reduce((s, x, d) => s + x * (query[d] as number), 0) / norm(v) / qn };
    })
    .sort((a, b) => b.similarity - a.similarity || a.index - b.index)
    .slice(0, Math.min(K, index.size));
}
