import { Embeddings } from "@langchain/core/embeddings";
import { z } from "zod";
import { AppError } from "../../errors.ts";

/*
 * Optional neural embeddings from an OpenAI-compatible server (Ollama, vLLM, text-embeddings-
 * inference, …): POST {baseUrl}/embeddings {model, input}. Never required: the default is the
 * local model learned from the corpus.
 */

export interface OpenAICompatibleOptions {
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  batchSize: number;
}

const ResponseSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().optional() })),
});

/**
 * LangChain `Embeddings` for an OpenAI-compatible `/embeddings` endpoint. Failures (network,
 * timeout, non-2xx, malformed body) raise `AppError("EMBEDDINGS_UNAVAILABLE")`.
 *
 * @example
 * const e = new OpenAICompatibleEmbeddings({ baseUrl: "http://127.0.0.1:11434/v1", model: "bge-m3", timeoutMs: 15000, batchSize: 64 });
 * await e.embedQuery("公租房");
 */
export class OpenAICompatibleEmbeddings extends Embeddings {
  private readonly options: OpenAICompatibleOptions;

  constructor(options: OpenAICompatibleOptions) {
    super({ maxRetries: 0 });
    this.options = options;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < documents.length; i += this.options.batchSize) {
      out.push(...(await this.request(documents.slice(i, i + this.options.batchSize))));
    }
    return out;
  }

  override async embedQuery(document: string): Promise<number[]> {
    const [vector] = await this.request([document]);
    return vector as number[];
  }

  private async request(input: string[]): Promise<number[][]> {
    const url = this.options.baseUrl.replace(/\/+$/, "") + "/embeddings";
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.options.model, input, encoding_format: "float" }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new AppError("EMBEDDINGS_UNAVAILABLE", `embeddings server ${url} unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => "")).slice(0, 200);
      throw new AppError("EMBEDDINGS_UNAVAILABLE", `embeddings server ${url} answered ${response.status}: ${body}`);
    }
    const parsed = ResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success || parsed.data.data.length !== input.length) {
      throw new AppError("EMBEDDINGS_UNAVAILABLE", `embeddings server ${url} sent a malformed response`);
    }
    const rows = [...parsed.data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const dims = rows[0]?.embedding.length ?? 0;
    if (dims === 0 || rows.some((r) => r.embedding.length !== dims)) {
      throw new AppError("EMBEDDINGS_UNAVAILABLE", `embeddings server ${url} sent vectors of differing sizes`);
    }
    return rows.map((r) => r.embedding);
  }
}
