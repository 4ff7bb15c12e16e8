import type { Chunk, DocumentMeta, IndicatorRow } from "../corpus/types.ts";
import type { LoadedIndex } from "../index/store.ts";

/*
 * Lookups on a loaded index by anchor — a document and an offset (a service-list area, an
 * indicator row, a table-row chunk) — and by document id, built once per index instead of
 * scanning every chunk inside loops. An index is immutable once loaded (a reload brings a new
 * one), so the maps are kept beside it until it is dropped.
 */

interface Anchors {
  chunks: Map<string, Chunk>;
  rows: Map<string, IndicatorRow>;
  documents: Map<string, DocumentMeta>;
}

const cache = new WeakMap<LoadedIndex, Anchors>();

const key = (docId: string, start: number, kind?: string) => `${docId}\u0000${start}\u0000${kind ?? ""}`;

function anchorsOf(index: LoadedIndex): Anchors {
  let a = cache.get(index);
  if (!a) {
    a = { chunks: new Map(), rows: new Map(), documents: new Map() };
    // First wins, as the linear scans did.
    for (const c of index.chunks) if (!a.chunks.has(key(c.docId, c.start, c.kind))) a.chunks.set(key(c.docId, c.start, c.kind), c);
    for (const r of index.corpus.indicators) if (!a.rows.has(key(r.docId, r.start))) a.rows.set(key(r.docId, r.start), r);
    for (const d of index.corpus.documents) if (!a.documents.has(d.meta.id)) a.documents.set(d.meta.id, d.meta);
    cache.set(index, a);
  }
  return a;
}

/** The chunk of a kind that starts at `start` in a document. */
export function chunkAt(index: LoadedIndex, docId: string, start: number, kind: Chunk["kind"]): Chunk | undefined {
  return anchorsOf(index).chunks.get(key(docId, start, kind));
}

/** The indicator row that starts at `start` in a document. */
export function rowAt(index: LoadedIndex, docId: string, start: number): IndicatorRow | undefined {
  return anchorsOf(index).rows.get(key(docId, start));
}

/** A document's metadata by id. */
export function metaOf(index: LoadedIndex, docId: string): DocumentMeta | undefined {
  return anchorsOf(index).documents.get(docId);
}
