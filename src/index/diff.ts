import { readYamlFolder } from "../util/files.ts";
import { charBigrams } from "../util/text.ts";
import { existsSync } from "node:fs";
import { STANDARDS_DIR, StandardsFileSchema } from "../corpus/standards.ts";
import type { Config } from "../config.ts";
import { splitSentences } from "../corpus/chunk.ts";
import { loadCorpus } from "../corpus/load.ts";
import type { Chunk, DocumentMeta, IndicatorRow, ServiceArea } from "../corpus/types.ts";
import { AppError } from "../errors.ts";
import { loadRuleSources } from "../rules/catalog.ts";
import type { Rule } from "../rules/schema.ts";
import { buildDir, parseCacheDir } from "./store.ts";
import { openBuild } from "./verify.ts";
import type { StoredCorpus } from "./types.ts";
import { squash } from "../util/normalize.ts";

/*
 * What a reindex would change: passages added, removed and changed (with the figures that moved),
 * indicator-table values, service-list items, and the rules whose quotes disappeared or whose quoted
 * passage changed (they need a maintainer's review). Between the live build and the seeds on disk
 * (a dry run), or between two builds.
 */

export interface Snapshot {
  label: string;
  documents: { meta: DocumentMeta; text: string }[];
  chunks: Chunk[];
  indicators: IndicatorRow[];
  serviceAreas: ServiceArea[];
  rules: { id: string; file?: string; quotes: { doc: string; text: string }[] }[];
  /** Dated standards, one row per entry. */
  standards: StandardRow[];
}

/** One dated value of a standard (for comparing builds). */
export interface StandardRow {
  id: string;
  name: string;
  city: string;
  from: string;
  value: string;
  unit: string;
  doc: string;
}

function standardRows(standards: readonly { id: string; name: string; entries: readonly { city: string; from: string; value: string; unit: string; source: { doc: string } }[] }[]): StandardRow[] {
  return standards.flatMap((s) => s.entries.map((e) => ({ id: s.id, name: s.name, city: e.city, from: e.from, value: e.value, unit: e.unit, doc: e.source.doc })));
}

/** The standards files on disk, read leniently (a diff shows what is there; `index --check` validates). */
function standardsOnDisk(seedsDir: string): StandardRow[] {
  return readYamlFolder(seedsDir, STANDARDS_DIR, StandardsFileSchema).flatMap((f) => ("data" in f ? standardRows(f.data.standards) : []));
}

/** A stored build as a snapshot (verified first). */
export function snapshotFromBuild(indexDir: string, id: string): Snapshot {
  const dir = buildDir(indexDir, id);
  if (!existsSync(dir)) throw new AppError("INDEX_MISSING", `no build ${id} in ${indexDir}`);
  const build = openBuild(dir);
  const corpus = build.json<StoredCorpus>("corpus.json");
  const rules = build.json<Rule[]>("rules.json");
  return {
    label: `build ${id}`,
    documents: corpus.documents.map((d) => ({ meta: d.meta, text: d.text })),
    chunks: corpus.chunks,
    indicators: corpus.indicators,
    serviceAreas: corpus.serviceAreas,
    rules: rules.map((r) => ({ id: r.id, file: r.file, quotes: r.quotes })),
    standards: standardRows(corpus.standards ?? []),
  };
}

/** The seeds on disk as a snapshot (parsed, not built; rules read but not required to validate). */
export async function snapshotFromSeeds(config: Config): Promise<Snapshot> {
  const corpus = await loadCorpus(config.seedsDir, { cacheDir: parseCacheDir(config.indexDir) });
  return {
    label: "seeds on disk",
    documents: corpus.documents.map((d) => ({ meta: d.meta, text: d.text })),
    chunks: corpus.chunks,
    indicators: corpus.documents.flatMap((d) => d.indicators),
    serviceAreas: corpus.documents.flatMap((d) => d.serviceAreas),
    rules: loadRuleSources(config.seedsDir).map((s) => ({ id: s.spec.id, file: s.file, quotes: s.spec.quotes })),
    standards: standardsOnDisk(config.seedsDir),
  };
}

export interface FigureChange {
  label: string;
  old: string;
  new: string;
}

export interface DocumentDiff {
  docId: string;
  title: string;
  change: "added" | "removed" | "changed" | "unchanged";
  passages: {
    added: { location: string; text: string }[];
    removed: { location: string; text: string }[];
    changed: { location: string; old: string; new: string; figures: FigureChange[] }[];
  };
  indicators: { table: string; indicator: string; column: string; old: string; new: string }[];
  services: { area: string; added: string[]; removed: string[] }[];
}

export interface RuleReview {
  ruleId: string;
  file?: string | undefined;
  doc: string;
  quote: string;
  reason: "quote-missing" | "passage-changed";
}

export interface IndexDiff {
  from: string;
  to: string;
  documents: DocumentDiff[];
  rulesNeedingReview: RuleReview[];
  /** Dated values added, removed or changed (key: standard, city and date). */
  standards: { change: "added" | "removed" | "changed"; row: StandardRow; old?: string }[];
  /** True when nothing at all changed. */
  unchanged: boolean;
}

const TEXT_KINDS = new Set(["paragraph", "box-item", "note"]);

function bigramSet(s: string): Set<string> {
  return new Set(charBigrams(squash(s)));
}

/** Jaccard similarity of character bigrams (0–1). */
export function similarity(a: string, b: string): number {
  const x = bigramSet(a);
  const y = bigramSet(b);
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

/** Indexes of the longest common subsequence of two string lists (pairs [i, j]). */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  // dp[i][j] in one flat table: the LCS length of a[i..] and b[j..].
  const width = b.length + 1;
  const dp = new Int32Array((a.length + 1) * width);
  const at = (i: number, j: number): number => dp[i * width + j] as number;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return pairs;
}

const NUMBER = /(\d+(?:\.\d+)?)\s*(%|‰|元\/人\/月|元\/人\/年|万人次|万人|万元|亿元|万套|万户|万张|平方米|公里|元|个|人|名|家|所|户|套|张|项|岁|次)?/g;

/**
 * Figures that differ between two versions of a passage, labelled by the words before them:
 * "城乡低保标准提高至630元/人/月" → "…700元/人/月" gives {label: "城乡低保标准提高至", old: "630元/人/月", new: "700元/人/月"}.
 */
export function figureChanges(oldText: string, newText: string): FigureChange[] {
  const figures = (t: string) =>
    [...t.matchAll(NUMBER)].map((m) => {
      const before = t.slice(0, m.index).split(/[，。；：、,;:（）()\s]/).pop() ?? "";
      return { value: m[0].trim(), label: before.slice(-12) };
    });
  const a = figures(oldText);
  const b = figures(newText);
  const out: FigureChange[] = [];
  if (a.length === b.length) {
    a.forEach((x, i) => {
      const y = b[i];
      if (y && x.value !== y.value) out.push({ label: y.label || x.label, old: x.value, new: y.value });
    });
    return out;
  }
  // Different counts: pair by label.
  for (const y of b) {
    const x = a.find((f) => f.label === y.label && f.label !== "");
    if (x && x.value !== y.value) out.push({ label: y.label, old: x.value, new: y.value });
  }
  return out;
}

function diffPassages(from: Chunk[], to: Chunk[]): DocumentDiff["passages"] {
  const a = from.filter((c) => TEXT_KINDS.has(c.kind));
  const b = to.filter((c) => TEXT_KINDS.has(c.kind));
  const kept = lcs(
    a.map((c) => squash(c.text)),
    b.map((c) => squash(c.text)),
  );
  const keptA = new Set(kept.map(([i]) => i));
  const keptB = new Set(kept.map(([, j]) => j));
  const removed = a.filter((_, i) => !keptA.has(i));
  const added = b.filter((_, j) => !keptB.has(j));
  const changed: DocumentDiff["passages"]["changed"] = [];
  for (const r of [...removed]) {
    const best = added
      .filter((x) => x.location === r.location)
      .map((x) => ({ x, s: similarity(r.text, x.text) }))
      .sort((p, q) => q.s - p.s)[0];
    if (best && best.s >= 0.5) {
      changed.push({ location: r.location, old: r.text, new: best.x.text, figures: figureChanges(r.text, best.x.text) });
      removed.splice(removed.indexOf(r), 1);
      added.splice(added.indexOf(best.x), 1);
    }
  }
  return {
    added: added.map((c) => ({ location: c.location, text: c.text })),
    removed: removed.map((c) => ({ location: c.location, text: c.text })),
    changed,
  };
}

function diffIndicators(from: IndicatorRow[], to: IndicatorRow[]): DocumentDiff["indicators"] {
  const key = (r: IndicatorRow) => `${r.box}|${r.indicator}`;
  const old = new Map(from.map((r) => [key(r), r]));
  const out: DocumentDiff["indicators"] = [];
  for (const r of to) {
    const o = old.get(key(r));
    for (const [column, value] of Object.entries(r.values)) {
      const before = o?.values[column];
      if (before !== value) out.push({ table: r.table, indicator: r.indicatorText, column, old: before ?? "（无）", new: value });
    }
    old.delete(key(r));
  }
  for (const r of old.values()) {
    for (const [column, value] of Object.entries(r.values)) out.push({ table: r.table, indicator: r.indicatorText, column, old: value, new: "（删除）" });
  }
  return out;
}

function diffServices(from: ServiceArea[], to: ServiceArea[]): DocumentDiff["services"] {
  const areas = [...new Set([...from, ...to].map((a) => a.area))];
  return areas
    .map((area) => {
      const a = from.find((x) => x.area === area)?.items ?? [];
      const b = to.find((x) => x.area === area)?.items ?? [];
      return { area, added: b.filter((i) => !a.includes(i)), removed: a.filter((i) => !b.includes(i)) };
    })
    .filter((d) => d.added.length > 0 || d.removed.length > 0);
}

function rulesToReview(from: Snapshot, to: Snapshot): RuleReview[] {
  const chunkWith = (s: Snapshot, doc: string, quote: string) => s.chunks.find((c) => c.docId === doc && squash(c.text).includes(squash(quote)));
  const out: RuleReview[] = [];
  for (const rule of to.rules) {
    for (const q of rule.quotes) {
      const now = chunkWith(to, q.doc, q.text);
      const before = chunkWith(from, q.doc, q.text);
      if (!now) out.push({ ruleId: rule.id, file: rule.file, doc: q.doc, quote: q.text, reason: "quote-missing" });
      else if (before && squash(before.text) !== squash(now.text)) out.push({ ruleId: rule.id, file: rule.file, doc: q.doc, quote: q.text, reason: "passage-changed" });
    }
  }
  return out;
}

/**
 * Compare two snapshots.
 *
 * @example
 * const diff = diffSnapshots(snapshotFromBuild("index", live), await snapshotFromSeeds(config));
 */
export function diffSnapshots(from: Snapshot, to: Snapshot): IndexDiff {
  const ids = [...new Set([...from.documents, ...to.documents].map((d) => d.meta.id))];
  const documents = ids.map((id): DocumentDiff => {
    const a = from.documents.find((d) => d.meta.id === id);
    const b = to.documents.find((d) => d.meta.id === id);
    const title = (b ?? a)?.meta.title ?? id;
    const passages = diffPassages(
      from.chunks.filter((c) => c.docId === id),
      to.chunks.filter((c) => c.docId === id),
    );
    const indicators = diffIndicators(
      from.indicators.filter((r) => r.docId === id),
      to.indicators.filter((r) => r.docId === id),
    );
    const services = diffServices(
      from.serviceAreas.filter((r) => r.docId === id),
      to.serviceAreas.filter((r) => r.docId === id),
    );
    const changedAny = passages.added.length + passages.removed.length + passages.changed.length + indicators.length + services.length > 0;
    return { docId: id, title, change: !a ? "added" : !b ? "removed" : changedAny ? "changed" : "unchanged", passages, indicators, services };
  });
  const rulesNeedingReview = rulesToReview(from, to);
  const key = (r: StandardRow) => `${r.id}|${r.city}|${r.from}`;
  const before = new Map(from.standards.map((r) => [key(r), r]));
  const after = new Map(to.standards.map((r) => [key(r), r]));
  const standards: IndexDiff["standards"] = [
    ...to.standards.filter((r) => !before.has(key(r))).map((row) => ({ change: "added" as const, row })),
    ...from.standards.filter((r) => !after.has(key(r))).map((row) => ({ change: "removed" as const, row })),
    ...to.standards
      .filter((r) => before.has(key(r)) && (before.get(key(r)) as StandardRow).value !== r.value)
      .map((row) => ({ change: "changed" as const, row, old: (before.get(key(row)) as StandardRow).value })),
  ];
  return {
    from: from.label,
    to: to.label,
    documents,
    rulesNeedingReview,
    standards,
    unchanged: documents.every((d) => d.change === "unchanged") && rulesNeedingReview.length === 0 && standards.length === 0,
  };
}

const clip = (s: string, n = 120) => (s.length > n ? s.slice(0, n) + "…" : s);

/** Sentences of `b` not in `a`. */
function newSentences(a: string, b: string): string[] {
  const old = new Set(splitSentences(a).map((s) => squash(s.text)));
  return splitSentences(b)
    .map((s) => s.text.trim())
    .filter((s) => s && !old.has(squash(s)));
}

/** The diff for people: per document, then the rules to review. */
export function formatDiff(diff: IndexDiff): string {
  const lines = [`Diff: ${diff.from} → ${diff.to}`];
  if (diff.unchanged) return [...lines, "No changes."].join("\n");
  for (const d of diff.documents) {
    if (d.change === "unchanged") continue;
    const p = d.passages;
    lines.push(
      "",
      `${d.title} (${d.docId}): ${d.change}; passages +${p.added.length} −${p.removed.length} ~${p.changed.length}; ` +
        `indicator values ${d.indicators.length}; service-list areas ${d.services.length}`,
    );
    for (const c of p.changed) {
      lines.push(`  ~ ${c.location}`);
      for (const s of newSentences(c.new, c.old)) lines.push(`    - ${clip(s)}`);
      for (const s of newSentences(c.old, c.new)) lines.push(`    + ${clip(s)}`);
      for (const f of c.figures) lines.push(`    figure: ${f.label} ${f.old} → ${f.new}`);
    }
    for (const a of p.added) lines.push(`  + ${a.location}: ${clip(a.text)}`);
    for (const r of p.removed) lines.push(`  − ${r.location}: ${clip(r.text)}`);
    for (const i of d.indicators) lines.push(`  indicator ${i.table}: ${i.indicator} ${i.column} ${i.old} → ${i.new}`);
    for (const s of d.services) {
      lines.push(`  service list ${s.area}: ${[...s.added.map((x) => `+${x}`), ...s.removed.map((x) => `−${x}`)].join(" ")}`);
    }
  }
  if (diff.standards.length > 0) {
    lines.push("", "Standards:");
    for (const { change, row, old } of diff.standards) {
      const sign = change === "added" ? "+" : change === "removed" ? "−" : "~";
      lines.push(`  ${sign} ${row.name} (${row.city}) from ${row.from}: ${old !== undefined ? `${old} → ` : ""}${row.value} ${row.unit} [${row.doc}]`);
    }
  }
  if (diff.rulesNeedingReview.length > 0) {
    lines.push("", "Rules needing review:");
    for (const r of diff.rulesNeedingReview) {
      const why = r.reason === "quote-missing" ? "quote no longer in the document" : "the quoted passage changed";
      lines.push(`  ${r.ruleId}${r.file ? ` (${r.file})` : ""}: ${why}: “${clip(r.quote, 60)}” [${r.doc}]`);
    }
  }
  return lines.join("\n");
}
