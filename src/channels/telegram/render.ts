import { InlineKeyboard } from "grammy";
import type { SourceView } from "../../answer/lookup.ts";
import type { Answer, Citation } from "../../contract/answer.ts";
import { fill } from "../../prompts.ts";
import type { BotMessages } from "./messages.ts";
import { squash } from "../../util/normalize.ts";

/*
 * Answers rendered for Telegram (HTML parse mode): the answer first, then numbered sources; long
 * answers split at block or sentence boundaries under Telegram's 4096-character limit, never inside
 * a source line or an HTML entity; buttons for the cited passages and for feedback.
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

/** "[n] 《title》（status） › location" as HTML, for citation `i`. */
export function sourceLine(bm: BotMessages, c: Citation, i: number): string {
  return fill(bm.source_line, { n: i + 1, title: escapeHtml(c.docTitle), status: escapeHtml(c.docStatus), location: escapeHtml(c.location ? ` › ${c.location}` : "") });
}

/** The messages for an answer and the keyboard under the last one. */
export function renderAnswer(answer: Answer, bm: BotMessages, answerId: string, limit = MESSAGE_LIMIT): { messages: string[]; keyboard?: InlineKeyboard } {
  const blocks = answer.text.split("\n").map(escapeHtml);
  if (answer.citations.length > 0) {
    const text = squash(answer.text);
    blocks.push("", `<b>${escapeHtml(bm.sources_title)}</b>`);
    answer.citations.forEach((c, i) => {
      const line = sourceLine(bm, c, i);
      blocks.push(text.includes(squash(c.quote)) ? line : `${line}\n${fill(bm.source_quote, { quote: escapeHtml(c.quote) })}`);
    });
    blocks.push(`<i>${escapeHtml(bm.more_sources)}</i>`);
  }
  const messages = packMessages(blocks, limit);
  if (answer.citations.length === 0) return { messages };
  const keyboard = new InlineKeyboard();
  answer.citations.slice(0, MAX_SOURCE_BUTTONS).forEach((_c, i) => {
    keyboard.text(fill(bm.button_source, { n: i + 1 }), `src:${answerId}:${i + 1}`);
    if (i % 3 === 2) keyboard.row();
  });
  keyboard.row().text(bm.button_up, `fb:${answerId}:+`).text(bm.button_down, `fb:${answerId}:-`);
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
