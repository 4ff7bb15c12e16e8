import type { App, Rule } from "../../app.ts";
import type { Citation, EligibilityResult } from "../../contract/answer.ts";
import type { FactName, Profile } from "../../contract/profile.ts";
import { fill } from "../../prompts.ts";
import { refs } from "../../util/text.ts";
import type { BotContext } from "./context.ts";
import { rememberedLine, rememberFacts } from "./conversation.ts";
import type { BotMessages } from "./messages.ts";
import { escapeHtml, newRow, packMessages, sourceButtons, sourceList } from "./render.ts";
import { ANSWERS_KEPT } from "./session.ts";

/*
 * The end of a /check (wizard.ts asks the questions): the verdicts, eligible and conditional first;
 * the not-eligible ones fold into one button ("另有N项不符合，点此查看", callback nx:…) that shows
 * them. The wizard's exact answers join the profile here, and the bot says so.
 */

/** Folded verdict lists kept per chat (older "另有N项不符合" buttons then say the result expired). */
const FOLDED_KEPT = 5;

/** What the wizard knows when nothing is left to ask: the area's rules, the cities, the profile. */
export interface Judged {
  rules: Rule[];
  cities: string[];
  profile: Profile;
  /** Facts earlier answers made pointless to ask. */
  irrelevant: Set<FactName>;
}

/** A new id for something the chat's buttons refer to (answers, folded lists). */
function nextId(ctx: BotContext): string {
  return (++ctx.session.counter).toString(36);
}

function keepAnswer(ctx: BotContext, id: string, citations: readonly Citation[]): void {
  ctx.session.answers = [...ctx.session.answers, { id, chunkIds: citations.map((c) => c.chunkId), kind: "check" }].slice(-ANSWERS_KEPT);
}

/** The folded not-eligible verdicts as message blocks: each verdict line with its reason, then the sources. */
function foldedBlocks(app: App, bm: BotMessages, folded: readonly EligibilityResult[]): { blocks: string[]; citations: Citation[] } {
  const m = app.messages.eligibility;
  const citations: Citation[] = [];
  const cite = (r: EligibilityResult) =>
    refs(
      r.citations.map((c) => {
        const n = citations.findIndex((x) => x.chunkId === c.chunkId && x.quote === c.quote) + 1;
        return n > 0 ? n : citations.push(c);
      }),
    );
  const lines = [fill(bm.wizard_folded_title, { count: folded.length })];
  for (const r of folded) {
    lines.push(escapeHtml(fill(m.heading, { city: r.city, title: r.title, verdict: m.verdict[r.verdict], refs: cite(r) })));
    if (r.reasons[0]) lines.push(escapeHtml(r.reasons[0]));
  }
  const disclaimer = app.eligibility.sourcesLine(citations);
  return { blocks: [...lines, ...(disclaimer ? [escapeHtml(disclaimer)] : []), ...sourceList(bm, citations)], citations };
}

/**
 * Show the verdicts: eligible and conditional first, the not-eligible ones folded into one line and
 * a button. The wizard's exact answers join the profile now (ranges never), and the bot says so.
 */
export async function finish(ctx: BotContext, app: App, bm: BotMessages, at: Judged): Promise<void> {
  const wizard = ctx.session.wizard;
  ctx.session.wizard = undefined;
  if (!wizard) return;
  const results = app.eligibility
    .judge(at.rules, at.cities, at.profile, wizard.ranges ?? {})
    // Rules left open only by a fact earlier answers made pointless are not for this person.
    .filter((r) => !(r.verdict === "unknown" && r.missingFacts.length > 0 && r.missingFacts.every((f) => at.irrelevant.has(f as FactName))));
  const exact = Object.fromEntries(Object.entries(wizard.values ?? {}).filter(([fact]) => wizard.ranges?.[fact as FactName] === undefined)) as Profile;
  const remembered = rememberedLine(app, bm, rememberFacts(ctx.session, exact));
  if (results.length === 0) {
    await ctx.reply([bm.wizard_none, ...(remembered ? [remembered] : [])].join("\n"));
    return;
  }
  // As in renderResults: when nothing else is left, the first not-eligible verdict is shown in full.
  const folded = results.filter((r, i) => r.verdict === "not_eligible" && i > 0);
  const shown = results.filter((r) => !folded.includes(r));
  // The wizard asked those facts already (the resident said 不知道): no "告诉我您的…" line.
  const main = app.eligibility.render(shown, { disclaimer: false, tellMore: false });
  const id = nextId(ctx);
  keepAnswer(ctx, id, main.citations);
  const lines = [bm.wizard_done, ...main.text.split("\n").map(escapeHtml)];
  const keyboard = sourceButtons(bm, id, main.citations.length);
  if (folded.length > 0) {
    // The fold is one button under the verdicts ("另有4项不符合，点此查看"), not a list of titles.
    const view = foldedBlocks(app, bm, folded);
    const foldId = nextId(ctx);
    keepAnswer(ctx, foldId, view.citations);
    ctx.session.folded = [...(ctx.session.folded ?? []), { id: foldId, blocks: view.blocks }].slice(-FOLDED_KEPT);
    newRow(keyboard).text(fill(bm.wizard_folded_button, { count: folded.length }), `nx:${foldId}`);
  }
  const disclaimer = app.eligibility.sourcesLine([...main.citations, ...folded.flatMap((r) => r.citations)]);
  if (disclaimer) lines.push(escapeHtml(disclaimer));
  if (remembered) lines.push(`<i>${escapeHtml(remembered)}</i>`);
  lines.push(...sourceList(bm, main.citations));
  const messages = packMessages(lines, app.config.telegram.messageLimit);
  for (const [i, text] of messages.entries()) {
    await ctx.reply(text, { parse_mode: "HTML", ...(i === messages.length - 1 && keyboard.inline_keyboard.flat().length > 0 ? { reply_markup: keyboard } : {}) });
  }
}

/** Show the not-eligible verdicts folded under a /check result ("另有N项不符合，点此查看"). */
export async function showFolded(ctx: BotContext, app: App, bm: BotMessages, id: string): Promise<void> {
  const saved = ctx.session.folded?.find((f) => f.id === id);
  if (!saved) {
    await ctx.reply(bm.wizard_folded_expired);
    return;
  }
  const count = ctx.session.answers.find((a) => a.id === id)?.chunkIds.length ?? 0;
  const keyboard = sourceButtons(bm, id, count);
  const messages = packMessages(saved.blocks, app.config.telegram.messageLimit);
  for (const [i, text] of messages.entries()) {
    await ctx.reply(text, { parse_mode: "HTML", ...(i === messages.length - 1 && count > 0 ? { reply_markup: keyboard } : {}) });
  }
}
