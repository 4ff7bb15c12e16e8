import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { isAppError } from "../../src/errors.ts";
import { buildIndex } from "../../src/index/build.ts";
import { loadIndex } from "../../src/index/load.ts";
import { silentLogger } from "../../src/log.ts";
import { fitLocalEmbeddings, LocalEmbeddings, loadLocalModel, saveLocalModel } from "../../src/search/embeddings/local.ts";
import { OpenAICompatibleEmbeddings } from "../../src/search/embeddings/openai-compatible.ts";
import { createTokenizer } from "../../src/search/tokenizer.ts";
import { startFakeEmbeddingsServer, type FakeServer } from "../fixtures/fake-embeddings-server.ts";
import { ROOT } from "../helpers.ts";

const texts = [
  "公租房保障，对城镇户籍低保、低收入住房困难家庭依申请应保尽保。",
  "大力发展租赁住房，建立由公租房、保障性租赁住房构成的住房保障体系。",
  "新建保障性租赁住房，解决新市民、青年人住房困难。",
  "发展普惠托育服务，每千人口不少于10个托位。",
  "托育服务设施按照每千人口托位标准建设，发展普惠托育。",
  "婴幼儿照护服务，托育机构备案登记。",
  "养老服务体系，居家社区养老服务，老年助餐。",
  "养老机构护理型床位占比，老年人能力评估。",
  "老年助餐服务网络覆盖城乡，养老服务设施。",
];
const cos = (a: number[], b: number[]) => a.reduce((n, x, i) => n + x * (b[i] as number), 0);

describe("local embeddings (TF-IDF + SVD learned from the corpus)", () => {
  const tokenizer = createTokenizer();
  const model = fitLocalEmbeddings(texts, tokenizer, { dimensions: 4 });
  const e = new LocalEmbeddings(model, tokenizer);

  it("places texts on the same topic closer than texts on another", () => {
    const housing = e.embed("住房保障 公租房");
    expect(cos(housing, e.embed(texts[1]!))).toBeGreaterThan(cos(housing, e.embed(texts[6]!)));
    const care = e.embed("托育 托位");
    expect(cos(care, e.embed(texts[4]!))).toBeGreaterThan(cos(care, e.embed(texts[0]!)));
  });

  it("is deterministic: the same corpus gives the same model", () => {
    const again = fitLocalEmbeddings(texts, tokenizer, { dimensions: 4 });
    expect(Array.from(again.projection)).toEqual(Array.from(model.projection));
  });

  it("returns unit vectors, and the zero vector for text it knows nothing of", () => {
    const v = e.embed("公租房");
    expect(Math.sqrt(cos(v, v))).toBeCloseTo(1);
    expect(e.embed("xyz").every((x) => x === 0)).toBe(true);
  });

  it("saves and loads, and a damaged file is INDEX_CORRUPT", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-emb-"));
    try {
      saveLocalModel(model, dir);
      const loaded = loadLocalModel(dir);
      expect(new LocalEmbeddings(loaded, tokenizer).embed("养老")).toEqual(e.embed("养老"));
      rmSync(path.join(dir, "local-embeddings.bin"));
      expect(() => loadLocalModel(dir)).toThrow(expect.objectContaining({ code: "INDEX_CORRUPT" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("works as LangChain Embeddings in an HNSWLib store", async () => {
    const store = await HNSWLib.fromDocuments(texts.map((t, i) => new Document({ pageContent: t, metadata: { i } })), e);
    const [best] = await store.similaritySearch("老年助餐", 1);
    expect(best?.pageContent).toMatch(/助餐/);
  });
});

describe("openai-compatible embeddings (fake server on loopback)", () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeEmbeddingsServer();
  });
  afterAll(async () => server.close());

  const client = (timeoutMs = 5000) =>
    new OpenAICompatibleEmbeddings({ baseUrl: server.url, model: "fake-bge", apiKey: "sk-test", timeoutMs, batchSize: 3 });

  it("embeds in batches and sends the model and key", async () => {
    server.mode = "ok";
    server.requests.length = 0;
    const vectors = await client().embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length);
    expect(vectors[0]).toHaveLength(64);
    expect(server.requests.map((r) => r.inputs)).toEqual([3, 3, 3]);
    expect(server.requests[0]).toMatchObject({ model: "fake-bge", authorization: "Bearer sk-test" });
  });

  it("turns server errors, malformed answers, timeouts and refused connections into EMBEDDINGS_UNAVAILABLE", async () => {
    for (const mode of ["error", "malformed"] as const) {
      server.mode = mode;
      await expect(client().embedQuery("公租房")).rejects.toMatchObject({ code: "EMBEDDINGS_UNAVAILABLE" });
    }
    server.mode = "slow";
    await expect(client(100).embedQuery("公租房")).rejects.toMatchObject({ code: "EMBEDDINGS_UNAVAILABLE" });
    const refused = new OpenAICompatibleEmbeddings({ baseUrl: "http://127.0.0.1:9/v1", model: "x", timeoutMs: 1000, batchSize: 8 });
    await expect(refused.embedQuery("公租房")).rejects.toMatchObject({ code: "EMBEDDINGS_UNAVAILABLE" });
    server.mode = "ok";
  });

  it("builds and answers with an index embedded by the server; other settings are refused at load", async () => {
    server.mode = "ok";
    const indexDir = mkdtempSync(path.join(os.tmpdir(), "minsheng-oai-index-"));
    try {
      const env = {
        MINSHENG_INDEX_DIR: indexDir,
        LOG_LEVEL: "silent",
        EMBEDDINGS_PROVIDER: "openai-compatible",
        EMBEDDINGS_BASE_URL: server.url,
        EMBEDDINGS_MODEL: "fake-bge",
        EMBEDDINGS_BATCH_SIZE: "100",
      };
      const config = loadConfig({ env, root: ROOT });
      const { manifest } = await buildIndex(config, { log: silentLogger });
      expect(manifest.embeddings).toMatchObject({ provider: "openai-compatible", model: "fake-bge", dimensions: 64 });
      const app = await createApp(config, { log: silentLogger });
      const answer = await app.ask("淮南老年助餐服务");
      expect(answer.kind).toBe("answer");
      expect(answer.citations[0]?.city).toBe("淮南市");

      const local = loadConfig({ env: { MINSHENG_INDEX_DIR: indexDir, LOG_LEVEL: "silent" }, root: ROOT });
      let caught: unknown;
      await loadIndex(local).catch((e: unknown) => (caught = e));
      expect(isAppError(caught, "INDEX_INCOMPATIBLE")).toBe(true);
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  });
});
