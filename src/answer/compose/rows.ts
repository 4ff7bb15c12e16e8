import { chunkAt, rowAt } from "../anchors.ts";
import type { Chunk, IndicatorRow } from "../../corpus/types.ts";
import { fill } from "../../prompts.ts";
import type { ComposeDeps } from "./common.ts";

/*
 * Indicator-table rows read out as a sentence: "六安市九年义务教育巩固率（%）：2020年目标95，2020年实绩
 * 109.6". Column names get their meaning (2025年 → 2025年目标), and a bracketed value — the tables'
 * "[ ]内数据为五年累计数" — is written as a five-year total, never as "[103]", which reads like a
 * citation marker.
 */

/** The indicator row a table-row chunk holds. */
export function indicatorRowOf(deps: ComposeDeps, chunk: Chunk): IndicatorRow | undefined {
  return rowAt(deps.index, chunk.docId, chunk.start);
}

/** The chunk of an indicator row. */
export function rowChunk(deps: ComposeDeps, row: IndicatorRow): Chunk | undefined {
  return chunkAt(deps.index, row.docId, row.start, "table-row");
}

/** One cell value for reading: "[14.39]" → "14.39（五年累计）", ">2.3" → ">2.3". */
export function cellValue(deps: ComposeDeps, value: string): string {
  const m = /^\s*\[\s*([^\]]*?)\s*\]\s*$/.exec(value);
  return m ? fill(deps.messages.figure.cumulative, { value: m[1] as string }) : value.trim();
}

/** A column header as residents read it ("2025年" → "2025年目标"). */
export function columnLabel(deps: ComposeDeps, column: string): string {
  const labels = deps.messages.figure.columns as Record<string, string | undefined>;
  return labels[column.replace(/\s+/g, "")] ?? column;
}

/** A row as one sentence with its citation marker(s). `columns` limits and orders the values shown. */
export function rowLine(deps: ComposeDeps, row: IndicatorRow, refs: string, columns?: readonly string[]): string {
  const m = deps.messages.figure;
  const values = (columns ?? Object.keys(row.values))
    .map((column) => [column, row.values[column] ?? ""] as const)
    .filter(([, v]) => v.trim() !== "" && !/^[—–-]+$/.test(v.trim()))
    .map(([column, value]) => fill(m.value, { column: columnLabel(deps, column), value: cellValue(deps, value) }))
    .join(m.value_separator);
  return fill(m.row, {
    city: row.city,
    indicator: row.indicatorText.replace(/\s+/g, ""),
    values: values || m.no_value,
    attribute: row.attribute ? fill(m.attribute, { attribute: row.attribute }) : "",
    refs,
  });
}
