import { readYamlFolder } from "../util/files.ts";
import { existsSync } from "node:fs";
import { STANDARDS_DIR, StandardsFileSchema } from "../corpus/standards.ts";
import type { Config } from "../config.ts";
import { loadCorpus } from "../corpus/load.ts";
import type { Chunk, DocumentMeta, IndicatorRow, ServiceArea } from "../corpus/types.ts";
import { AppError } from "../errors.ts";
import { loadRuleSources } from "../rules/catalog.ts";
import type { Rule } from "../rules/schema.ts";
import { figureChanges, lcs, similarity, type FigureChange } from "./compare.ts";
import { buildDir, parseCacheDir } from "./store.ts";
import type { StoredCorpus } from "./types.ts";
import { openBuild } from "./verify.ts";
import { squash } from "../util/normalize.ts";

/*
 * What a reindex would change: passages added, removed and changed (with the figures that moved),
 * indicator-table values, service-list items, and the rules whose quotes disappeared or whose quoted
 * passage changed (they need a maintainer's review). Between the live build and the seeds on disk
 * (a dry run), or between two builds. Comparing two versions of a passage is compare.ts; the diff
 * as text for the terminal is format-diff.ts.
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
