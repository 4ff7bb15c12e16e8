import { describe, expect, it } from "vitest";
import { buildBm25, idf, queryTerms, scoreBm25, topK } from "../../src/search/bm25.ts";
import { orthonormalizeColumns, randomizedSvd, seededRandom, symmetricEigen, type SparseRows } from "../../src/search/linalg.ts";
import { fuseRanks } from "../../src/search/retrieve.ts";

describe("bm25", () => {
  const index = buildBm25([
    [{ tokens: ["公租房", "保障", "低保"], weight: 1 }],
    [{ tokens: ["养老", "服务", "养老"], weight: 1 }],
    [{ tokens: ["公租房"], weight: 1 }, { tokens: ["住房", "保障"], weight: 0.3 }],
  ]);

  it("ranks documents with more and rarer query terms higher", () => {
    const scores = scoreBm25(index, queryTerms(["公租房", "低保"]));
    expect(topK(scores, 3)).toEqual([0, 2]);
    expect(scores[1]).toBe(0);
  });

  it("weights fields: a heading match counts less than a text match", () => {
    const scores = scoreBm25(buildBm25([[{ tokens: ["住房"], weight: 1 }], [{ tokens: ["住房"], weight: 0.3 }]]), queryTerms(["住房"]));
    expect(scores[0]).toBeGreaterThan(scores[1] as number);
  });

  it("restricts scoring to allowed documents", () => {
    expect(topK(scoreBm25(index, queryTerms(["公租房"]), (d) => d !== 0), 3)).toEqual([2]);
  });

  it("gives rarer terms a higher idf", () => {
    expect(idf(index, "低保")).toBeGreaterThan(idf(index, "公租房"));
    expect(idf(index, "不存在")).toBeGreaterThan(idf(index, "低保"));
  });
});

describe("reciprocal rank fusion", () => {
  it("prefers items ranked well by both lists", () => {
    const fused = fuseRanks([[1, 2, 3], [3, 1, 4]], [1, 1]);
    const order = [...fused.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    expect(order[0]).toBe(1);
    expect(order).toContain(4);
    expect(fused.get(3)).toBeGreaterThan(fused.get(2) as number);
  });
});

describe("linear algebra", () => {
  it("seeded random numbers repeat", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it("finds the eigenvalues of a symmetric matrix", () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3);
    expect(values[1]).toBeCloseTo(1);
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2);
  });

  it("orthonormalises columns", () => {
    const q = Float64Array.from([1, 1, 0, 1, 1, 0]);
    orthonormalizeColumns(q, 3, 2);
    const dot = (q[0] as number) * (q[1] as number) + (q[2] as number) * (q[3] as number) + (q[4] as number) * (q[5] as number);
    expect(dot).toBeCloseTo(0);
  });

  it("recovers the singular values of a rank-2 sparse matrix", () => {
    // Rows mix two orthogonal directions with known strengths.
    const rows = 40;
    const cols = 30;
    const u1 = Array.from({ length: cols }, (_, j) => (j < 15 ? 1 : 0) / Math.sqrt(15));
    const u2 = Array.from({ length: cols }, (_, j) => (j >= 15 ? 1 : 0) / Math.sqrt(15));
    const m: SparseRows = { rows, cols, indices: [], values: [] };
    const dense: number[][] = [];
    for (let i = 0; i < rows; i++) {
      const a = i < 20 ? 3 : 0.5;
      const b = i % 2 === 0 ? 1 : 0;
      dense.push(u1.map((x, j) => a * x + b * (u2[j] as number)));
    }
    for (const r of dense) {
      const idx = r.map((v, j) => [j, v] as const).filter(([, v]) => v !== 0);
      m.indices.push(Uint32Array.from(idx.map(([j]) => j)));
      m.values.push(Float64Array.from(idx.map(([, v]) => v)));
    }
    const svd = randomizedSvd(m, 2);
    // Singular values are those of the 40×2 coefficient matrix [a b]: roots of its Gram matrix's eigenvalues.
    const [aa, ab, bb] = [20 * 9 + 20 * 0.25, 10 * 3 + 10 * 0.5, 20];
    const mean = (aa + bb) / 2;
    const spread = Math.sqrt(((aa - bb) / 2) ** 2 + ab * ab);
    const expected1 = Math.sqrt(mean + spread);
    const expected2 = Math.sqrt(mean - spread);
    expect(svd.singularValues[0]).toBeCloseTo(expected1, 4);
    expect(svd.singularValues[1]).toBeCloseTo(expected2, 4);
  });
});
