import { refs } from "../../util/text.ts";
import { InlineKeyboard } from "grammy";
import type { SourceView } from "../../app.ts";
import type { Answer, Citation } from "../../contract/answer.ts";
import { fill } from "../../prompts.ts";
import type { BotMessages } from "./messages.ts";

/*
 * Answers rendered for Telegram (HTML parse mode): the answer first, then a compact list of the
 * cited sections; long answers split at block or sentence boundaries under Telegram's 4096-character
 * limit, never inside a source line or an HTML entity; buttons for the cited passages and for feedback.
 */

/** Telegram's limit is 4096; a margin keeps every message safely under it. */
export const MESSAGE_LIMIT = 4000;
const MAX_SOURCE_BUTTONS = 6;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cut an over-long plain (escaped) block at sentence ends, never inside an entity. */
function cutBlock(block: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = block;
  while (rest.length > limit) {
    let at = Math.max(...["。", "！", "？", "；", "\n"].map((p) => rest.lastIndexOf(p, limit - 1)));
    if (at <= 0) {
      at = limit - 1;
      const amp = rest.lastIndexOf("&", at);
      if (amp > 0 && rest.indexOf(";", amp) > at) at = amp - 1;
    }
    pieces.push(rest.slice(0, at + 1));
    rest = rest.slice(at + 1);
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/**
 * Pack blocks (self-contained HTML lines) into messages of at most `limit` characters; a block is
 * only ever cut (at sentence ends) when it alone exceeds the limit.
 */
export function packMessages(blocks: readonly string[], limit = MESSAGE_LIMIT): string[] {
  const out: string[] = [];
  let current = "";
  for (const block of blocks.flatMap((b) => (b.length > limit ? cutBlock(b, limit) : [b]))) {
    const next = current ? `${current}\n${block}` : block;
    if (next.length > limit) {
      if (current) out.push(current);
      current = block;
    } else {
      current = next;
    }
  }
  if (current.trim()) out.push(current);
  return out;
}

/** The last part of a location ("第九章 … › 第二节 住有宜居" → "第二节 住有宜居"). */
function sectionOf(location: string): string {
  return location.split("›").map((p) => p.trim()).filter(Boolean).at(-1) ?? "";
}

/**
 * The compact source list: one line per document, its cited sections numbered as in the text
 * ("《六安市“十四五”公共服务规划》：[1] 第二节 住有宜居；[2][3] 第三节 …"; the document's status is
 * in the disclaimer line above it). The
 * passages themselves are one press away (the "原文 [n]" buttons).
 */
export function sourceList(bm: BotMessages, citations: readonly Citation[]): string[] {
  const docs = new Map<string, { title: string; sections: Map<string, number[]> }>();
  citations.forEach((c, i) => {
    const doc = docs.get(c.docId) ?? { title: c.docTitle, sections: new Map<string, number[]>() };
    docs.set(c.docId, doc);
    const section = sectionOf(c.location);
    doc.sections.set(section, [...(doc.sections.get(section) ?? []), i + 1]);
  });
  return [...docs.values()].map((d) => {
    const sections = [...d.sections].map(([section, ns]) => fill(bm.sources_section, { refs: refs(ns), section: escapeHtml(section) }).trim());
    return fill(bm.sources_document, { title: escapeHtml(d.title), sections: sections.join(bm.sources_separator) });
  });
}

/** Buttons for the first `count` cited passages ("原文 [n]", three a row) under an answer or a /check result. */
export function sourceButtons(bm: BotMessages, answerId: string, count: number): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const shown = Math.min(count, MAX_SOURCE_BUTTONS);
  for (let i = 0; i < shown; i++) {
    keyboard.text(fill(bm.button_source, { n: i + 1 }), `src:${answerId}:${i + 1}`);
    if (i % 3 === 2 && i + 1 < shown) keyboard.row();
  }
  return keyboard;
}

/** Start a new row of buttons unless the current one is still empty (Telegram shows no empty rows). */
export function newRow(keyboard: InlineKeyboard): InlineKeyboard {
  return (keyboard.inline_keyboard.at(-1)?.length ?? 0) > 0 ? keyboard.row() : keyboard;
}

/**
 * The messages for an answer and the keyboard under the last one. A typical answer is one message:
 * the core's text (answer first, one disclaimer line), `notes` (e.g. what was remembered), then the
 * compact source list; buttons open the cited passages and record feedback. Answers without
 * citations (small talk, requests it cannot do, refusals) are plain text without buttons.
 */
export function renderAnswer(answer: Answer, bm: BotMessages, answerId: string, limit = MESSAGE_LIMIT, notes: readonly string[] = []): { messages: string[]; keyboard?: InlineKeyboard } {
  const blocks = [...answer.text.split("\n").map(escapeHtml), ...notes.map((n) => `<i>${escapeHtml(n)}</i>`)];
  if (answer.citations.length > 0) blocks.push(...sourceList(bm, answer.citations));
  const messages = packMessages(blocks, limit);
  if (answer.citations.length === 0) return { messages };
  const keyboard = newRow(sourceButtons(bm, answerId, answer.citations.length));
  keyboard.text(bm.button_up, `fb:${answerId}:+`).text(bm.button_down, `fb:${answerId}:-`);
  return { messages, keyboard };
}

/** A cited passage in its section, the cited paragraphs in bold. */
export function renderSource(view: SourceView, bm: BotMessages, limit = MESSAGE_LIMIT): string[] {
  const blocks = [
    fill(bm.source_title, { title: escapeHtml(view.docTitle), status: escapeHtml(view.docStatus) }),
    `<i>${escapeHtml(view.section.location)}</i>`,
    "",
    ...view.section.paragraphs.map((p) => (p.cited ? `<b>${escapeHtml(p.text)}</b>` : escapeHtml(p.text))),
  ];
  // A bold paragraph too long for one message is sent plain rather than with a broken tag.
  return packMessages(blocks.map((b) => (b.length > limit && b.startsWith("<b>") ? b.slice(3, -4) : b)), limit);
}
