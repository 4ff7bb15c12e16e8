import { z } from "zod";

/** Document status as the manifest records it; wording for residents lives in prompts. */
export const DocumentStatusSchema = z.enum(["plan", "draft-for-comment", "notice"]);
export type DocumentStatus = z.infer<typeof DocumentStatusSchema>;

/** One entry of `seeds/manifest.yaml`: a plan, or a notice (a dated document that sets a standard). */
export const DocumentMetaSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and dashes"),
    file: z.string().min(1),
    title: z.string().min(2),
    city: z.string().min(2),
    /** `plan` (default) or `notice`: a dated announcement of a new standard (no 章/节 needed). */
    kind: z.enum(["plan", "notice"]).default("plan"),
    /** A notice's date (YYYY-MM-DD); required for notices. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD").optional(),
    aliases: z.array(z.string().min(2)).default([]),
    counties: z.array(z.string().min(2)).default([]),
    status: DocumentStatusSchema.optional(),
    period: z.string().min(4).optional(),
    /** The id of the edition that replaces this one: then this one is not indexed or cited. */
    supersededBy: z.string().optional(),
  })
  .superRefine((d, ctx) => {
    if (d.kind === "notice" && !d.date) ctx.addIssue({ code: "custom", path: ["date"], message: "a notice needs its date (YYYY-MM-DD)" });
    if (d.kind === "plan" && !d.status) ctx.addIssue({ code: "custom", path: ["status"], message: "a plan needs its status (plan | draft-for-comment)" });
    if (d.kind === "plan" && !d.period) ctx.addIssue({ code: "custom", path: ["period"], message: "a plan needs its period (e.g. 2021-2025)" });
  })
  .transform((d) => ({
    ...d,
    status: d.status ?? ("notice" as const),
    period: d.period ?? (d.date ?? "").slice(0, 4),
  }));
export type DocumentMeta = z.infer<typeof DocumentMetaSchema>;

export const ManifestSchema = z
  .object({ documents: z.array(DocumentMetaSchema).min(1) })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.documents.forEach((d, i) => {
      if (seen.has(d.id)) {
        ctx.addIssue({ code: "custom", path: ["documents", i, "id"], message: `duplicate document id ${d.id}` });
      }
      seen.add(d.id);
    });
    const ids = new Set(m.documents.map((d) => d.id));
    m.documents.forEach((d, i) => {
      if (d.supersededBy !== undefined && (!ids.has(d.supersededBy) || d.supersededBy === d.id)) {
        ctx.addIssue({ code: "custom", path: ["documents", i, "supersededBy"], message: `"${d.supersededBy}" is not another document of the manifest` });
      }
    });
    if (m.documents.every((d) => d.supersededBy)) {
      ctx.addIssue({ code: "custom", path: ["documents"], message: "every document is superseded: nothing left to index" });
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;

/** A heading the parser found (or inferred where the source lost it). */
export interface Heading {
  /** As shown to people: "第九章 舒适宜人的住房保障服务", "第五章（原文缺少章标题）". */
  label: string;
  number?: number;
  /** True when the source has no heading here and the parser inferred one. */
  inferred?: boolean;
}

/** Where a block sits: document › 章 › 节 › 小节 › 专栏. */
export interface Location {
  chapter?: Heading;
  section?: Heading;
  subsection?: Heading;
  box?: Heading;
}

export type BlockKind = "front" | "heading" | "box-title" | "paragraph" | "table-row";

/** One structural unit of a cleaned document, with offsets into the cleaned text. */
export interface Block {
  kind: BlockKind;
  /** Exactly `document.text.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  /** 1-based line of the raw file where the block starts. */
  line: number;
  location: Location;
  /** Paragraph lead phrase ("提升学前教育普及普惠水平"), without its full stop. */
  lead?: string;
  /** Number of a numbered box item ("1.学前教育。…" → 1). */
  itemNumber?: number;
  /** Table cells (table-row), trimmed; an empty string is an empty cell. */
  cells?: string[];
  /** A note under a table ("注：…", "1.[ ]内数据为五年累计数。"). */
  note?: boolean;
  headingLevel?: "chapter" | "section" | "subsection";
}

/** One row of an indicator table (专栏1/专栏2). */
export interface IndicatorRow {
  city: string;
  docId: string;
  /** "专栏 2 “十四五”社会发展与公共服务主要指标". */
  table: string;
  box: number;
  category: string;
  /** Indicator name without its unit: "九年义务教育巩固率". */
  indicator: string;
  /** The indicator cell as written: "九年义务教育巩固率（%）". */
  indicatorText: string;
  unit: string;
  /** Column header → cell, e.g. {"2020年": "109.6", "2025年": "＞95"}. */
  values: Record<string, string>;
  attribute?: string;
  /** Offsets of the row in the cleaned text. */
  start: number;
  end: number;
}

/** One area of a 基本公共服务项目清单 (e.g. 幼有所育 with its items). */
export interface ServiceArea {
  city: string;
  docId: string;
  /** "专栏 13 六安市基本公共服务项目清单". */
  table: string;
  box: number;
  area: string;
  items: string[];
  /** The "（共计N项）" the source states. */
  declaredCount: number;
  start: number;
  end: number;
}

/** A document after cleaning and structure recovery. */
export interface ParsedDocument {
  meta: DocumentMeta;
  /** The cleaned text: the source minus bookmarks, bold markers, table of contents and page-break splits. */
  text: string;
  blocks: Block[];
  indicators: IndicatorRow[];
  serviceAreas: ServiceArea[];
  /** Things the parser noticed and handled (inferred headings …), for maintainers. */
  notes: string[];
}

export type ChunkKind = "paragraph" | "box-item" | "note" | "table-row" | "service-area";

/** A retrievable passage: never crosses a 节 or 专栏; offsets point into the cleaned text. */
export interface Chunk {
  id: string;
  docId: string;
  city: string;
  kind: ChunkKind;
  /** "第九章 舒适宜人的住房保障服务 › 第二节 住有宜居". */
  location: string;
  lead?: string;
  /** Verbatim: `document.text.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  /** Headings, box title and table headers: searched with a lower weight than `text`. */
  context: string;
}
