import type { Citation } from "../contract/answer.ts";
import type { Chunk, DocumentMeta } from "./types.ts";

/**
 * The one way a citation is made: `quote` (verbatim, a part of the chunk or all of it) in its
 * chunk, with the document's title and status in the resident's words (`statusNames`, from
 * prompts). A chunk of a document the index does not list keeps its document id as title.
 */
export function citationOf(
  chunk: Chunk,
  meta: DocumentMeta | undefined,
  statusNames: Readonly<Record<DocumentMeta["status"], string>>,
  quote: string = chunk.text,
  score = 1,
): Citation {
  return {
    city: chunk.city,
    docId: chunk.docId,
    docTitle: meta?.title ?? chunk.docId,
    docStatus: meta ? statusNames[meta.status] : "",
    location: chunk.location,
    quote,
    chunkId: chunk.id,
    chunkText: chunk.text,
    score: Math.round(score * 10000) / 10000,
  };
}
