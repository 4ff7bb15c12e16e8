import { splitSentences } from "../corpus/chunk.ts";
import { squash } from "../util/normalize.ts";
import type { IndexDiff } from "./diff.ts";

/* A diff between builds as text for the terminal (`index --diff`). */

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
