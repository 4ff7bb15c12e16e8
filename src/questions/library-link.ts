import { sha256 } from "../util/files.ts";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from "yaml";
import { LIBRARY_DIR, LibraryEntrySchema, loadLibrary, type LibraryProblem } from "../corpus/library.ts";
import type { Chunk } from "../corpus/types.ts";
import type { LoadedIndex } from "../index/store.ts";
import { redact } from "../redact.ts";
import { squash } from "../util/normalize.ts";

/*
 * "Save the questions as library entries": residents' questions linked to one passage become an
 * entry of seeds/questions/pending.yaml (the library's own schema: doc, a verbatim quote found in
 * exactly this passage, questions). The whole library is checked with the new file before anything
 * is written, as `index --check` would check it; `index` then makes the entries live.
 */

export const PENDING_FILE = "pending.yaml";
const MAX_PER_ENTRY = 20;

const HEADER = `# Question library — pending: residents' questions that went unanswered, linked to the passage that
# answers them in the review view (/review) or by hand. \`index --check\` validates this file like every
# other library file, and \`index\` makes its entries live. Move entries to the file of their area
# whenever convenient.
`;

/** Why a link was refused: the passage is unknown or changed, or the entry would not validate. */
export class LinkError extends Error {
  constructor(
    readonly code: "PASSAGE_UNKNOWN" | "PASSAGE_CHANGED" | "LINK_INVALID",
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "LinkError";
  }
}

/** A fingerprint of a passage's text: a link names the version the maintainer saw. */
export function passageVersion(chunk: Pick<Chunk, "text">): string {
  return sha256(squash(chunk.text)).slice(0, 16);
}

/** Sentences, then clauses, of a passage: the candidate quotes, in text order. */
function candidates(text: string): string[] {
  const sentences = text
    .split(/[。；;！？!?\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const clauses = sentences.flatMap((s) => s.split(/[，,：:]/).map((c) => c.trim()));
  return [...sentences, ...clauses];
}

/**
 * A short verbatim quote of `chunk` that no other passage of its document contains (whitespace
 * aside), preferring words over figures — so a changed standard (630 → 700 元) leaves it valid.
 */
export function quoteFor(chunk: Chunk, docChunks: readonly Chunk[]): string {
  const others = docChunks.filter((c) => c.id !== chunk.id).map((c) => squash(c.text));
  const unique = (q: string) => !others.some((o) => o.includes(squash(q)));
  const fits = (q: string) => [...q].length >= 6 && [...q].length <= 60 && unique(q);
  const all = candidates(chunk.text);
  const pick =
    all.filter((q) => !/[0-9０-９]/.test(q) && fits(q)).sort((a, b) => [...a].length - [...b].length || 0)[0] ??
    all.filter(fits).sort((a, b) => [...a].length - [...b].length)[0];
  if (pick) return pick;
  // No sentence or clause is unique: the shortest unique window of the text.
  const chars = [...chunk.text.replace(/\s+/g, " ").trim()];
  for (let len = 8; len <= Math.min(120, chars.length); len += 4) {
    for (let i = 0; i + len <= chars.length; i += 2) {
      const q = chars.slice(i, i + len).join("").trim();
      if ([...q].length >= 4 && unique(q)) return q;
    }
  }
  if (unique(chunk.text)) return chunk.text.trim();
  throw new LinkError("LINK_INVALID", `passage ${chunk.id} has no text of its own (every part of it is in another passage of ${chunk.docId})`, [
    { path: "chunkId", message: "this passage cannot be quoted uniquely: link a neighbouring passage" },
  ]);
}

export interface LinkRequest {
  chunkId: string;
  /** passageVersion() of the text the maintainer chose; refused when the live passage differs. */
  version: string;
  questions: readonly string[];
}

export interface LinkResult {
  file: string;
  doc: string;
  quote: string;
  chunkId: string;
  /** Questions added (redacted, without those the entry already had). */
  added: string[];
}

/** The library file's entries node (created when missing). */
function entriesOf(doc: Document): { items: unknown[] } & ReturnType<typeof doc.createNode> {
  let entries = doc.get("entries");
  if (!isSeq(entries)) {
    entries = doc.createNode([]);
    doc.set("entries", entries);
  }
  return entries as { items: unknown[] } & ReturnType<typeof doc.createNode>;
}

/** Problems of the library as it would be with `pendingText` as pending.yaml (nothing written in seeds/). */
function problemsWith(seedsDir: string, pendingText: string, index: LoadedIndex): { before: LibraryProblem[]; after: LibraryProblem[] } {
  const corpus = { chunks: index.chunks, documents: index.corpus.documents, superseded: [] };
  const before = loadLibrary(seedsDir, corpus).problems;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "minsheng-library-check-"));
  try {
    const dir = path.join(tmp, LIBRARY_DIR);
    mkdirSync(dir);
    const source = path.join(seedsDir, LIBRARY_DIR);
    if (existsSync(source)) {
      for (const f of readdirSync(source)) if (/\.ya?ml$/.test(f) && f !== PENDING_FILE) copyFileSync(path.join(source, f), path.join(dir, f));
    }
    writeFileSync(path.join(dir, PENDING_FILE), pendingText);
    return { before, after: loadLibrary(tmp, corpus).problems };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const problemKey = (p: LibraryProblem) => `${p.file}|${p.field}|${p.message.replace(/#\d+/g, "#")}`;

/**
 * Link `questions` to the live passage `chunkId`: add them to seeds/questions/pending.yaml (to the
 * entry of that passage when it has one). Throws LinkError — and writes nothing — for an unknown
 * passage id, a passage that changed since it was shown (stale version), or an entry the library
 * would refuse (a question already linked to another passage, an unreadable pending.yaml).
 */
export function linkQuestions(seedsDir: string, index: LoadedIndex, request: LinkRequest): LinkResult {
  const at = index.chunkIndex.get(request.chunkId);
  if (at === undefined) {
    throw new LinkError("PASSAGE_UNKNOWN", `no passage ${request.chunkId} in the live build ${index.id}`, [
      { path: "chunkId", message: `unknown passage id in build ${index.id}: search again` },
    ]);
  }
  const chunk = index.chunks[at] as Chunk;
  if (passageVersion(chunk) !== request.version) {
    throw new LinkError("PASSAGE_CHANGED", `passage ${chunk.id} changed since it was shown (build ${index.id} is live now)`, [
      { path: "version", message: `the passage's text in build ${index.id} differs from the one shown: search again` },
    ]);
  }
  const questions = [...new Set(request.questions.map((q) => redact(q).trim()).filter(Boolean))];
  const entryCheck = LibraryEntrySchema.safeParse({ doc: chunk.docId, quote: "xxxx", questions: questions.slice(0, MAX_PER_ENTRY) });
  if (questions.length === 0 || !entryCheck.success) {
    throw new LinkError(
      "LINK_INVALID",
      "questions: 1 or more, each 2–200 characters",
      (entryCheck.success ? [] : entryCheck.error.issues).map((i) => ({ path: i.path.join("."), message: i.message })).concat(
        questions.length === 0 ? [{ path: "questions", message: "at least one question" }] : [],
      ),
    );
  }
  const docChunks = index.chunks.filter((c) => c.docId === chunk.docId);
  const quote = quoteFor(chunk, docChunks);

  const file = path.join(seedsDir, LIBRARY_DIR, PENDING_FILE);
  const fresh = `${HEADER}area: 待整理\nentries:\n`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const existing = parseDocument(current).contents === null ? fresh : current;
  const doc = parseDocument(existing);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new LinkError("LINK_INVALID", `${LIBRARY_DIR}/${PENDING_FILE} is not a valid library file: fix it first`, [
      { path: PENDING_FILE, message: doc.errors[0]?.message.split("\n")[0] ?? "not a mapping with entries:" },
    ]);
  }
  const entries = entriesOf(doc);
  // An entry of this passage (same document, its quote inside this passage) takes the questions.
  const own = entries.items.find((item) => {
    if (!isMap(item)) return false;
    const d = item.get("doc");
    const q = item.get("quote");
    const qs = item.get("questions");
    return d === chunk.docId && typeof q === "string" && squash(chunk.text).includes(squash(q)) && isSeq(qs) && qs.items.length < MAX_PER_ENTRY;
  }) as YAMLMap | undefined;
  const seen = new Set<string>();
  for (const item of entries.items) {
    const qs = isMap(item) ? item.get("questions") : undefined;
    if (isMap(item) && item.get("doc") === chunk.docId && isSeq(qs)) for (const q of qs.items) seen.add(squash(String((q as { value?: unknown }).value ?? q)));
  }
  const added = questions.filter((q) => !seen.has(squash(q)));
  if (added.length === 0) {
    throw new LinkError("LINK_INVALID", "these questions are already in pending.yaml for this document", [{ path: "questions", message: "nothing new to add" }]);
  }
  let rest = [...added];
  if (own) {
    const qs = own.get("questions") as { items: unknown[] };
    const room = MAX_PER_ENTRY - qs.items.length;
    for (const q of rest.slice(0, room)) qs.items.push(doc.createNode(q));
    rest = rest.slice(room);
  }
  for (let i = 0; i < rest.length; i += MAX_PER_ENTRY) {
    entries.items.push(doc.createNode({ doc: chunk.docId, quote: own ? String(own.get("quote")) : quote, questions: rest.slice(i, i + MAX_PER_ENTRY) }));
  }
  let text = doc.toString({ lineWidth: 0 });
  if (!existing.startsWith("#")) text = HEADER + text;

  const { before, after } = problemsWith(seedsDir, text, index);
  const known = new Set(before.map(problemKey));
  const introduced = after.filter((p) => !known.has(problemKey(p)));
  if (introduced.length > 0) {
    throw new LinkError(
      "LINK_INVALID",
      `the question library would not validate: ${introduced.map((p) => `${p.file} entry ${p.entry} ${p.field}: ${p.message}`).join("; ")}`,
      introduced.map((p) => ({ path: `${p.file}#${p.entry}.${p.field}`, message: p.message })),
    );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return { file: `${LIBRARY_DIR}/${PENDING_FILE}`, doc: chunk.docId, quote: own ? String(own.get("quote")) : quote, chunkId: chunk.id, added };
}
