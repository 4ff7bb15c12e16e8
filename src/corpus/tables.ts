import { AppError } from "../errors.ts";
import type { Block, IndicatorRow, ParsedDocument, ServiceArea } from "./types.ts";
import { squash } from "../util/normalize.ts";

/*
 * Tables inside 专栏: indicator tables (header with 指标) and the 基本公共服务项目清单 (header with
 * 服务领域/服务项目). A blank first cell means "same as above"; header rows repeated after a page
 * break are skipped.
 */

const UNIT_AT_END = /[（(]\s*([^（）()]+?)\s*[)）]\s*$/;
const DECLARED_COUNT = /[（(]共计\s*(\d+)\s*项[)）]\s*$/;

interface TableGroup {
  title: string;
  box: number;
  rows: Block[];
}

function groupTables(doc: ParsedDocument): TableGroup[] {
  const groups = new Map<string, TableGroup>();
  for (const b of doc.blocks) {
    if (b.kind !== "table-row" || !b.cells) continue;
    const box = b.location.box;
    const title = box?.label ?? "表格";
    let g = groups.get(title);
    if (!g) {
      g = { title, box: box?.number ?? 0, rows: [] };
      groups.set(title, g);
    }
    g.rows.push(b);
  }
  return [...groups.values()];
}

/** Rows after the header, header repeats removed, aligned to the header's width. */
function dataRows(g: TableGroup): { header: string[]; rows: { block: Block; cells: string[] }[] } {
  const [first, ...rest] = g.rows;
  const header = (first?.cells ?? []).map(squash);
  const key = header.join("|");
  const rows = rest
    .filter((b) => (b.cells ?? []).map(squash).join("|") !== key)
    .map((block) => {
      let cells = [...(block.cells ?? [])];
      if (cells.length === header.length - 1) cells = ["", ...cells];
      return { block, cells };
    });
  return { header, rows };
}

/**
 * Indicator rows of every table whose header names an 指标 column.
 *
 * @example
 * parseIndicatorTables(doc).find((r) => r.indicator === "九年义务教育巩固率")?.values["2025年"];
 */
export function parseIndicatorTables(doc: ParsedDocument): IndicatorRow[] {
  const out: IndicatorRow[] = [];
  for (const g of groupTables(doc)) {
    const { header, rows } = dataRows(g);
    const indicatorCol = header.indexOf("指标");
    if (indicatorCol < 0) continue;
    const categoryCol = indicatorCol > 0 ? 0 : -1;
    const attributeCol = header.indexOf("属性");
    let category = "";
    for (const { block, cells } of rows) {
      const indicatorText = cells[indicatorCol] ?? "";
      if (!indicatorText) continue;
      if (categoryCol >= 0 && cells[categoryCol]) category = cells[categoryCol] as string;
      const unitMatch = UNIT_AT_END.exec(indicatorText);
      const values: Record<string, string> = {};
      header.forEach((h, i) => {
        if (i === categoryCol || i === indicatorCol || i === attributeCol) return;
        values[h] = cells[i] ?? "";
      });
      out.push({
        city: doc.meta.city,
        docId: doc.meta.id,
        table: g.title,
        box: g.box,
        category,
        indicator: squash(unitMatch ? indicatorText.slice(0, unitMatch.index) : indicatorText),
        indicatorText,
        unit: unitMatch ? squash(unitMatch[1] as string) : "",
        values,
        ...(attributeCol >= 0 && cells[attributeCol] ? { attribute: cells[attributeCol] } : {}),
        start: block.start,
        end: block.end,
      });
    }
  }
  return out;
}

/**
 * Split a service-list cell into items. Items are separated by "、", except in rows whose items
 * contain "、" themselves, where "，" separates them; the split that matches the declared
 * "（共计N项）" wins. Returns undefined when none does.
 */
export function splitServiceItems(cell: string): { items: string[]; declared: number } | undefined {
  const m = DECLARED_COUNT.exec(cell);
  if (!m) return undefined;
  const declared = Number(m[1]);
  const body = cell.slice(0, m.index).trim();
  for (const sep of ["、", "，", /[、，]/] as const) {
    const items = body
      .split(sep)
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === declared) return { items, declared };
  }
  return undefined;
}

/**
 * The 基本公共服务项目清单 of a document: one entry per area with its items. Throws
 * `SEED_UNPARSABLE` when an area's items do not add up to its "（共计N项）".
 */
export function parseServiceLists(doc: ParsedDocument): ServiceArea[] {
  const out: ServiceArea[] = [];
  for (const g of groupTables(doc)) {
    const { header, rows } = dataRows(g);
    if (!header.includes("服务领域") || !header.includes("服务项目")) continue;
    const areaCol = header.indexOf("服务领域");
    const itemsCol = header.indexOf("服务项目");
    for (const { block, cells } of rows) {
      const area = squash(cells[areaCol] ?? "");
      const cell = cells[itemsCol] ?? "";
      if (!area || !cell) continue;
      const split = splitServiceItems(cell);
      if (!split) {
        throw new AppError(
          "SEED_UNPARSABLE",
          `${doc.meta.id}: service list "${g.title}", area ${area}: items do not add up to the declared count`,
          { docId: doc.meta.id, area, line: block.line },
        );
      }
      out.push({
        city: doc.meta.city,
        docId: doc.meta.id,
        table: g.title,
        box: g.box,
        area,
        items: split.items,
        declaredCount: split.declared,
        start: block.start,
        end: block.end,
      });
    }
  }
  return out;
}
