/*
 * `npm run bench:vectors`: median search time of the two vector strategies (exact scan, HNSW graph)
 * on synthetic clustered vectors of the local embeddings' default 128 dimensions, over the whole
 * corpus and over a half scope. The figures behind EXACT_SCAN_LIMIT (src/search/vectors.ts).
 */
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import { FakeEmbeddings } from "@langchain/core/utils/testing";
import { seededRandom } from "../src/search/linalg.ts";
import { exactScan, hnswGraph, readVectorTable } from "../src/search/vectors.ts";
import { quantile } from "./kit.ts";
const DIMS = 128;
for (const count of [1000, 3000, 10000, 30000]) {
  const rand = seededRandom(3);
  const centres = Array.from({ length: 100 }, () => Array.from({ length: DIMS }, () => rand() * 2 - 1));
  const vectors = Array.from({ length: count }, (_, i) => (centres[i % 100] as number[]).map((c) => c + (rand() - 0.5)));
  const store = new HNSWLib(new FakeEmbeddings(), { space: "cosine", numDimensions: DIMS });
  await store.addVectors(vectors, vectors.map((_, i) => new Document({ pageContent: "", metadata: { index: i } })));
  store.index.setEf(Math.max(64, Math.min(400, Math.ceil(count / 10))));
  const table = readVectorTable(store.index, count, (l) => l);
  const exact = exactScan(table), graph = hnswGraph(store);
  const time = async (fn: (q: number[]) => Promise<unknown>): Promise<string> => {
    const ts: number[] = [];
    for (let r = 0; r < 100; r++) {
      const q = vectors[(r * 37) % count] ?? [];
      const t = performance.now();
      await fn(q);
      ts.push(performance.now() - t);
    }
    return quantile(ts, 0.5).toFixed(2);
  };
  const half = (i: number) => i % 2 === 0;
  console.log(`n=${count}: exact all ${await time((q) => exact.search(q, 40))} ms, hnsw all ${await time((q) => graph.search(q, 40))} ms; half scope: exact ${await time((q) => exact.search(q, 40, half))} ms, hnsw ${await time((q) => graph.search(q, 40, half))} ms`);
}
