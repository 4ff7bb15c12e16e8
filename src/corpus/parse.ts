import { chineseNumeral } from "../util/text.ts";
import type { Block, DocumentMeta, Heading, Location, ParsedDocument } from "./types.ts";
import { parseIndicatorTables, parseServiceLists } from "./tables.ts";

/*
 * Seeds → structured documents.
 *
 * The seeds are Word exports flattened to text. Cleaning removes only what carries no content
 * ([bookmark: …] tags, ** bold markers, the table of contents) and re-joins sentences a page break
 * split across lines; no character of the content is changed, so every quote stays findable in
 * the source once whitespace is ignored.
 */

const BOOKMARK = /\[bookmark: [^\]]*\]/g;
const CN_NUM = "一二三四五六七八九十百零〇";
const CHAPTER = new RegExp(`^第([${CN_NUM}]+)章\\s*(\\S.*)?$`);
const SECTION = new RegExp(`^第([${CN_NUM}]+)节\\s*(\\S.*)?$`);
const SUBSECTION = new RegExp(`^([${CN_NUM}]+)、\\s*([^。，；]{2,20})$`);
const PREFACE = /^序\s*言$/;
const BOX_TITLE = /^专栏\s*(\d+)\s*(.*)$/;
const TOC_LINE = new RegExp(`^(目\\s*录|(序\\s*言|第[${CN_NUM}]+[章节]).*\\t\\s*\\d+)$`);
const NUMBERED = /^(\d{1,2})[.．、](?!\d)\s*/;
const NOTE = /^注[:：]/;
const LEAD = /^(?:——)?([^。，；：！？,;:]{2,32}?)。/;
const SENTENCE_END = /[。！？；：…”’）)」』｡.!?]$/;
const MAX_HEADING_CHARS = 40;

/**
 * Verbs that open a plan's own lead phrases ("提升养老服务质量。"). Items of a 专栏 without numbers
 * lead with a noun phrase ("公共卫生。"), so a verb-led paragraph after such a box is body text again.
 */
const BODY_LEAD_VERBS =
  /^(推动|推进|强化|提高|提升|促进|完善|加强|加快|扩大|改善|实施|健全|建立|建设|深化|创新|优化|发挥|支持|构建|落实|缩小|坚持|积极|大力|培育|鼓励|保障|统筹|巩固|做好|规范|探索|丰富|聚焦|营造|增强|实现|全面|持续|着力|切实|有序|稳步|合理|严格|依法)/;

const CN_UNITS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
/** 14 → "十四", 5 → "五" (1–99). */
export function toChineseNumeral(n: number): string {
  if (n < 10) return CN_UNITS[n] ?? String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : CN_UNITS[tens]}十${CN_UNITS[ones]}`;
}

type Unit =
  | { type: "blank"; line: number }
  | { type: "para"; text: string; line: number }
  | { type: "row"; cells: string[]; text: string; line: number };

function cleanLine(raw: string): string {
  return raw.replace(BOOKMARK, "").replaceAll("**", "").replace(/\r$/, "");
}

const isTabLine = (line: string) => /^[ \u3000]*\t/.test(line);
const hasInnerTab = (line: string) => line.replace(/^[ \u3000\t]+/, "").includes("\t");

function isHeadingText(t: string): boolean {
  if (t.length > MAX_HEADING_CHARS) return false;
  return CHAPTER.test(t) || SECTION.test(t) || PREFACE.test(t) || SUBSECTION.test(t) || BOX_TITLE.test(t);
}

/** Split raw lines into paragraphs, table rows and blanks; drop the table of contents. */
function toUnits(rawText: string): Unit[] {
  const lines = rawText.replace(/^\uFEFF/, "").split("\n").map(cleanLine);
  const units: Unit[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    const trimmed = line.trim();
    if (isTabLine(line) && hasInnerTab(line)) {
      // One row per line, cells separated by tabs (a leading tab is an empty first cell).
      const cells = line.replace(/^[ \u3000]+/, "").split("\t").map((c) => c.trim());
      units.push({ type: "row", cells, text: cells.join("\t"), line: lineNo });
      continue;
    }
    if (!isTabLine(line) && hasInnerTab(line) && !TOC_LINE.test(trimmed)) {
      const cells = line.split("\t").map((c) => c.trim());
      units.push({ type: "row", cells, text: cells.join("\t"), line: lineNo });
      continue;
    }
    if (isTabLine(line)) {
      // One cell per line, a row ends at a blank line.
      let j = i;
      while (j + 1 < lines.length && isTabLine(lines[j + 1] as string) && !hasInnerTab(lines[j + 1] as string)) j++;
      if (j > i) {
        const cells = lines.slice(i, j + 1).map((c) => c.trim());
        units.push({ type: "row", cells, text: cells.join("\t"), line: lineNo });
        i = j;
        continue;
      }
      units.push({ type: "para", text: trimmed, line: lineNo });
      continue;
    }
    if (trimmed === "") {
      units.push({ type: "blank", line: lineNo });
      continue;
    }
    if (TOC_LINE.test(trimmed)) continue;
    units.push({ type: "para", text: trimmed, line: lineNo });
  }
  return joinPageBreaks(units);
}

/** A paragraph line that does not end a sentence continues in the next paragraph line. */
function joinPageBreaks(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    if (u.type !== "para" || isHeadingText(u.text) || SENTENCE_END.test(u.text)) {
      out.push(u);
      continue;
    }
    let text = u.text;
    let j = i + 1;
    for (;;) {
      while (j < units.length && units[j]?.type === "blank") j++;
      const next = units[j];
      if (!next || next.type !== "para" || isHeadingText(next.text) || NUMBERED.test(next.text)) break;
      text += next.text;
      j++;
      if (SENTENCE_END.test(next.text)) break;
    }
    if (j === i + 1 || text === u.text) {
      out.push(u);
      continue;
    }
    out.push({ type: "para", text, line: u.line });
    i = j - 1;
  }
  return out;
}

function headingLabel(prefix: string, title: string | undefined): string {
  return title ? `${prefix} ${title.replace(/\s+/g, " ").trim()}` : prefix;
}

/** The lead phrase of a paragraph: its first clause when it ends in 。 before any comma. */
export function leadPhrase(text: string): string | undefined {
  const body = text.replace(NUMBERED, "");
  return LEAD.exec(body)?.[1];
}

interface OpenBox {
  heading: Heading;
  numbered: boolean | undefined;
  hasTable: boolean;
  items: number;
}

/**
 * Parse one seed document: clean it, recover 章/节/专栏 (inferring headings the source lost, and
 * labelling them as such), and extract indicator tables and service lists.
 *
 * @example
 * const doc = parseDocument(meta, readFileSync("seeds/000_….txt", "utf8"));
 * doc.blocks.filter((b) => b.kind === "paragraph").length;
 */
export function parseDocument(meta: DocumentMeta, rawText: string): ParsedDocument {
  const units = toUnits(rawText);
  const blocks: Block[] = [];
  const notes: string[] = [];
  let text = "";

  let chapter: Heading | undefined;
  let section: Heading | undefined;
  let subsection: Heading | undefined;
  let box: OpenBox | undefined;
  let seenHeading = false;
  let lastChapterNumber = 0;
  let lastBoxNumber = 0;
  let pendingChapters: Heading[] = [];
  let pendingBoxes: Heading[] = [];
  let previousKind: "body" | "box" | "heading" | undefined;

  const location = (): Location => ({
    ...(chapter ? { chapter } : {}),
    ...(section ? { section } : {}),
    ...(subsection ? { subsection } : {}),
    ...(box ? { box: box.heading } : {}),
  });

  const push = (block: Omit<Block, "start" | "end" | "text" | "location">, blockText: string) => {
    const start = text.length;
    text += blockText + "\n";
    blocks.push({ ...block, text: blockText, start, end: start + blockText.length, location: location() });
  };

  // Inferred headings get their number only when the next real heading confirms the gap.
  const settleChapters = (nextNumber: number | undefined) => {
    const gap = nextNumber === undefined ? -1 : nextNumber - lastChapterNumber - 1;
    pendingChapters.forEach((h, i) => {
      const n = lastChapterNumber + 1 + i;
      h.label = gap === pendingChapters.length ? `第${toChineseNumeral(n)}章（原文缺少章标题）` : "（原文缺少章标题）";
      if (gap === pendingChapters.length) h.number = n;
      notes.push(`${meta.id}: inferred a chapter without heading: ${h.label}`);
    });
    pendingChapters = [];
  };
  const settleBoxes = (nextNumber: number | undefined) => {
    const gap = nextNumber === undefined ? -1 : nextNumber - lastBoxNumber - 1;
    pendingBoxes.forEach((h, i) => {
      const n = lastBoxNumber + 1 + i;
      h.label = gap === pendingBoxes.length ? `专栏 ${n}（原文缺少标题）` : "专栏（原文缺少标题）";
      if (gap === pendingBoxes.length) h.number = n;
      notes.push(`${meta.id}: inferred a 专栏 without title: ${h.label}`);
    });
    pendingBoxes = [];
  };

  // A chapter heading (numbered, or the 序言) closes the section, subsection and 专栏 before it.
  const openChapter = (heading: Heading, line: number, headingText: string) => {
    chapter = heading;
    section = subsection = undefined;
    box = undefined;
    seenHeading = true;
    push({ kind: "heading", headingLevel: "chapter", line }, headingText);
    previousKind = "heading";
  };

  for (const u of units) {
    if (u.type === "blank") continue;
    if (u.type === "row") {
      if (!seenHeading) continue;
      if (box) {
        box.hasTable = true;
        box.items++;
      }
      const firstNonEmpty = u.cells.findIndex((c) => c !== "");
      push({ kind: "table-row", line: u.line, cells: u.cells }, u.text);
      // Quote the row from its first non-empty cell: a blank leading cell means "same as above".
      const b = blocks[blocks.length - 1] as Block;
      const skip = u.cells.slice(0, Math.max(firstNonEmpty, 0)).reduce((n, c) => n + c.length + 1, 0);
      b.start += skip;
      b.text = b.text.slice(skip);
      previousKind = "box";
      continue;
    }

    const t = u.text;
    let m: RegExpExecArray | null;
    if (t.length <= MAX_HEADING_CHARS && (m = CHAPTER.exec(t))) {
      const number = chineseNumeral(m[1] as string);
      settleChapters(number);
      lastChapterNumber = number;
      openChapter({ label: headingLabel(`第${m[1]}章`, m[2]), number }, u.line, t);
      continue;
    }
    if (t.length <= MAX_HEADING_CHARS && PREFACE.test(t)) {
      openChapter({ label: "序言" }, u.line, t);
      continue;
    }
    if (t.length <= MAX_HEADING_CHARS && (m = SECTION.exec(t))) {
      section = { label: headingLabel(`第${m[1]}节`, m[2]), number: chineseNumeral(m[1] as string) };
      subsection = undefined;
      box = undefined;
      seenHeading = true;
      push({ kind: "heading", headingLevel: "section", line: u.line }, t);
      previousKind = "heading";
      continue;
    }
    if (seenHeading && t.length <= MAX_HEADING_CHARS && (m = SUBSECTION.exec(t))) {
      subsection = { label: t.replace(/\s+/g, ""), number: chineseNumeral(m[1] as string) };
      box = undefined;
      push({ kind: "heading", headingLevel: "subsection", line: u.line }, t);
      previousKind = "heading";
      continue;
    }
    if (seenHeading && t.length <= MAX_HEADING_CHARS && (m = BOX_TITLE.exec(t))) {
      const number = Number(m[1]);
      settleBoxes(number);
      box = {
        heading: { label: headingLabel(`专栏 ${number}`, m[2]), number },
        numbered: undefined,
        hasTable: false,
        items: 0,
      };
      lastBoxNumber = number;
      push({ kind: "box-title", line: u.line }, t);
      previousKind = "heading";
      continue;
    }

    // A plan's text before its first heading is front matter; a notice has no headings, only body.
    if (!seenHeading && meta.kind !== "notice") {
      push({ kind: "front", line: u.line }, t);
      continue;
    }

    // A paragraph: inside the open 专栏, or body text.
    const numberMatch = NUMBERED.exec(t);
    const itemNumber = numberMatch ? Number(numberMatch[1]) : undefined;
    const lead = leadPhrase(t);
    const isNote = NOTE.test(t);
    let closedNumberedBox = false;
    if (box) {
      let inBox: boolean;
      if (box.items === 0) {
        inBox = true;
        box.numbered = itemNumber !== undefined;
      } else if (isNote || (itemNumber !== undefined && (box.numbered || box.hasTable))) {
        inBox = true;
      } else if (box.numbered || box.hasTable) {
        inBox = false;
        closedNumberedBox = true;
      } else {
        inBox = !(lead && BODY_LEAD_VERBS.test(lead));
      }
      if (inBox) {
        box.items++;
        push(
          {
            kind: "paragraph",
            line: u.line,
            ...(lead ? { lead } : {}),
            ...(itemNumber !== undefined ? { itemNumber } : {}),
            ...(isNote || box.hasTable ? { note: true } : {}),
          },
          t,
        );
        previousKind = "box";
        continue;
      }
      box = undefined;
    }

    if (closedNumberedBox && !lead) {
      // Body text right after a numbered 专栏, opening without a lead phrase, is a chapter
      // introduction whose heading the source lost. It must not be attributed to the chapter before.
      const inferred: Heading = { label: "（原文缺少章标题）", inferred: true };
      pendingChapters.push(inferred);
      chapter = inferred;
      section = subsection = undefined;
    } else if (itemNumber === 1 && previousKind === "body") {
      // A numbered list starting in body text is a 专栏 whose title line the source lost.
      const inferred: Heading = { label: "专栏（原文缺少标题）", inferred: true };
      pendingBoxes.push(inferred);
      box = { heading: inferred, numbered: true, hasTable: false, items: 1 };
      push({ kind: "paragraph", line: u.line, itemNumber, ...(lead ? { lead } : {}) }, t);
      previousKind = "box";
      continue;
    }
    push({ kind: "paragraph", line: u.line, ...(lead ? { lead } : {}) }, t);
    previousKind = "body";
  }
  settleChapters(undefined);
  settleBoxes(undefined);

  const parsed: ParsedDocument = { meta, text, blocks, indicators: [], serviceAreas: [], notes };
  parsed.indicators = parseIndicatorTables(parsed);
  parsed.serviceAreas = parseServiceLists(parsed);
  return parsed;
}

/** "第九章 … › 第二节 … › 专栏 9 …" for a block's location. */
export function locationPath(location: Location): string {
  return [location.chapter, location.section, location.subsection, location.box]
    .filter((h): h is Heading => h !== undefined)
    .map((h) => h.label)
    .join(" › ");
}
