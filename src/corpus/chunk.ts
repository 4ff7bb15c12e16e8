import { locationPath } from "./parse.ts";
import type { Block, Chunk, ChunkKind, ParsedDocument } from "./types.ts";

export interface ChunkOptions {
  /** Paragraphs longer than this are split at sentence ends. */
  maxChars: number;
  /** Pieces of a split paragraph aim for this size. */
  targetChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 320, targetChars: 200 };

const SENTENCE = /[^。！？；｡]*[。！？；｡]+[”’」』）)]*|[^。！？；｡]+$/g;

/** Sentences of `text` with their offsets (terminators and closing quotes stay with their sentence). */
export function splitSentences(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(SENTENCE)) {
    if (!m[0].trim()) continue;
    const start = m.index ?? 0;
    out.push({ text: m[0], start, end: start + m[0].length });
  }
  return out;
}

/** Greedy packing of sentences into pieces of about `target` characters (never splitting one). */
function packSentences(text: string, opts: ChunkOptions): { start: number; end: number }[] {
  if (text.length <= opts.maxChars) return [{ start: 0, end: text.length }];
  const pieces: { start: number; end: number }[] = [];
  let current: { start: number; end: number } | undefined;
  for (const s of splitSentences(text)) {
    if (current && s.end - current.start > opts.targetChars && current.end - current.start >= opts.targetChars / 3) {
      pieces.push(current);
      current = undefined;
    }
    current = current ? { start: current.start, end: s.end } : { start: s.start, end: s.end };
  }
  if (current) {
    const last = pieces[pieces.length - 1];
    // A short tail joins the piece before it.
    if (last && current.end - current.start < opts.targetChars / 3) last.end = current.end;
    else pieces.push(current);
  }
  return pieces;
}

function kindOf(block: Block): ChunkKind {
  if (!block.location.box) return "paragraph";
  return block.note ? "note" : "box-item";
}

/**
 * Structure-aware chunks of a parsed document: one per paragraph or 专栏 item (long ones split at
 * sentence ends), one per indicator-table row and one per service-list area. A chunk never crosses
 * a 节 or 专栏, keeps its lead phrase and location, and `text` is exactly
 * `doc.text.slice(start, end)`.
 *
 * @example
 * const chunks = chunkDocument(parseDocument(meta, raw));
 * chunks[0].id; // "luan-14th-public-services#c0000"
 */
export function chunkDocument(doc: ParsedDocument, opts: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const chunks: Chunk[] = [];
  const indicatorAt = new Map(doc.indicators.map((r) => [r.start, r]));
  const areaAt = new Map(doc.serviceAreas.map((a) => [a.start, a]));
  const add = (kind: ChunkKind, block: Block, start: number, end: number, context: string, lead?: string) => {
    chunks.push({
      id: `${doc.meta.id}#c${String(chunks.length).padStart(4, "0")}`,
      docId: doc.meta.id,
      city: doc.meta.city,
      kind,
      location: locationPath(block.location),
      ...(lead ? { lead } : {}),
      text: doc.text.slice(start, end),
      start,
      end,
      context,
    });
  };

  for (const block of doc.blocks) {
    const headings = [block.location.chapter, block.location.section, block.location.subsection, block.location.box]
      .filter((h) => h && !h.inferred)
      .map((h) => h?.label.replace(/^(第\S+[章节]|专栏\s*\d+)\s*/, ""))
      .join(" ");
    if (block.kind === "table-row") {
      const row = indicatorAt.get(block.start);
      if (row) {
        const columns = Object.keys(row.values).join(" ");
        add("table-row", block, block.start, block.end, `${headings} ${row.category} ${columns} ${row.attribute ?? ""}`);
        continue;
      }
      const area = areaAt.get(block.start);
      if (area) add("service-area", block, block.start, block.end, `${headings} 基本公共服务项目 ${area.area}`);
      continue;
    }
    if (block.kind !== "paragraph") continue;
    const kind = kindOf(block);
    for (const piece of packSentences(block.text, opts)) {
      const startsWithLead = piece.start === 0;
      add(
        kind,
        block,
        block.start + piece.start,
        block.start + piece.end,
        startsWithLead || !block.lead ? headings : `${headings} ${block.lead}`,
        block.lead,
      );
    }
  }
  return chunks;
}
