import type { Chunk, IndicatorRow, ServiceArea } from "../corpus/types.ts";
import type { LoadedIndex } from "../index/store.ts";
import type { Messages } from "../prompts.ts";
import { normalizeText } from "../util/normalize.ts";
import type { Citation } from "../contract/answer.ts";
import { citationOf } from "../corpus/citation.ts";
import { chunkAt, metaOf } from "./anchors.ts";

/*
 * Read-only views of the live index for the staff console and the bot: a passage in its section
 * context, the service lists side by side, the indicator tables, and what the index contains.
 */

function citationFor(index: LoadedIndex, messages: Messages, chunk: Chunk, quote = chunk.text): Citation {
  return citationOf(chunk, metaOf(index, chunk.docId), messages.status, quote);
}

export interface SourceView {
  chunk: Chunk;
  docTitle: string;
  docStatus: string;
  /** The paragraphs of the same 节 (or 专栏), in order; `cited` marks the ones the chunk covers. */
  section: { location: string; paragraphs: { text: string; cited: boolean }[] };
}

/**
 * A chunk with its section context: every block at the same location (节 or 专栏).
 * Undefined for an unknown chunk id.
 */
export function sourceView(index: LoadedIndex, messages: Messages, chunkId: string): SourceView | undefined {
  const i = index.chunkIndex.get(chunkId);
  if (i === undefined) return undefined;
  const chunk = index.chunks[i] as Chunk;
  const doc = index.corpus.documents.find((d) => d.meta.id === chunk.docId);
  if (!doc) return undefined;
  const paragraphs = doc.blocks
    .filter((b) => b.location === chunk.location && b.kind !== "heading" && b.kind !== "front")
    .map((b) => ({ text: doc.text.slice(b.start, b.end), cited: b.start < chunk.end && chunk.start < b.end }));
  return {
    chunk,
    docTitle: doc.meta.title,
    docStatus: messages.status[doc.meta.status],
    section: { location: chunk.location, paragraphs },
  };
}

export interface ServiceCatalog {
  cities: string[];
  areas: {
    area: string;
    byCity: Record<string, { items: string[]; declaredCount: number; table: string; citation: Citation } | undefined>;
    /** Items listed by some but not all cities. */
    differing: string[];
  }[];
}

/** The 基本公共服务项目清单 of the given cities (all by default), area by area, differences marked. */
export function serviceCatalog(index: LoadedIndex, messages: Messages, cities?: readonly string[]): ServiceCatalog {
  const areas: ServiceArea[] = index.corpus.serviceAreas.filter((a) => !cities || cities.includes(a.city));
  const cityList = [...new Set(areas.map((a) => a.city))];
  const names = [...new Set(areas.map((a) => a.area))];
  return {
    cities: cityList,
    areas: names.map((area) => {
      const byCity: ServiceCatalog["areas"][number]["byCity"] = {};
      for (const a of areas.filter((x) => x.area === area)) {
        const chunk = chunkAt(index, a.docId, a.start, "service-area");
        if (chunk) byCity[a.city] = { items: a.items, declaredCount: a.declaredCount, table: a.table, citation: citationFor(index, messages, chunk) };
      }
      const lists = cityList.map((c) => byCity[c]?.items ?? []);
      const all = [...new Set(lists.flat())];
      return { area, byCity, differing: cityList.length > 1 ? all.filter((item) => !lists.every((l) => l.includes(item))) : [] };
    }),
  };
}

export interface FigureRow extends Omit<IndicatorRow, "start" | "end"> {
  citation: Citation;
}

/** Indicator-table rows, optionally for some cities and filtered by words in category/indicator/table. */
export function figureRows(index: LoadedIndex, messages: Messages, options: { cities?: readonly string[]; query?: string } = {}): FigureRow[] {
  const q = options.query ? normalizeText(options.query) : "";
  return index.corpus.indicators
    .filter((r) => !options.cities || options.cities.includes(r.city))
    .filter((r) => !q || normalizeText(`${r.table} ${r.category} ${r.indicatorText}`).includes(q))
    .flatMap((r) => {
      const chunk = chunkAt(index, r.docId, r.start, "table-row");
      if (!chunk) return [];
      const { start: _s, end: _e, ...row } = r;
      return [{ ...row, citation: citationFor(index, messages, chunk) }];
    });
}

export interface IndexInfo {
  id: string;
  createdAt: string;
  toolVersion: string;
  documents: { id: string; title: string; city: string; status: string; statusLabel: string; period: string; chunks: number }[];
  counts: LoadedIndex["manifest"]["counts"];
  embeddings: LoadedIndex["manifest"]["embeddings"];
}

/** What the live index is: build id and date, documents with their status, counts. */
export function indexInfo(index: LoadedIndex, messages: Messages): IndexInfo {
  const m = index.manifest;
  return {
    id: m.id,
    createdAt: m.createdAt,
    toolVersion: m.toolVersion,
    documents: m.documents.map((d) => ({
      id: d.id,
      title: d.title,
      city: d.city,
      status: d.status,
      statusLabel: messages.status[d.status as keyof Messages["status"]] ?? d.status,
      period: d.period,
      chunks: d.chunks,
    })),
    counts: m.counts,
    embeddings: m.embeddings,
  };
}
