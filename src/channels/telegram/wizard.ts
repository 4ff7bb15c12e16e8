import { InlineKeyboard } from "grammy";
import type { App } from "../../app.ts";
import type { NextQuestion, Rule } from "../../app.ts";
import type { Citation, EligibilityResult } from "../../contract/answer.ts";
import type { FactName, Profile } from "../../contract/profile.ts";
import { refs } from "../../util/text.ts";
import type { BotContext } from "./context.ts";
import { rememberedLine, rememberFacts } from "./conversation.ts";
import type { BotMessages } from "./messages.ts";
import { ANSWERS_KEPT } from "./session.ts";
import { fill } from "../../prompts.ts";
import { escapeHtml, newRow, packMessages, sourceButtons, sourceList } from "./render.ts";

/*
 * /check: the eligibility wizard. The resident picks an area; the bot asks only the facts still
 * missing for that area's still-open rules (the one that decides the most rules first), one
 * question at a time with buttons; 不知道 skips a fact, 返回 re-asks the previous one, 取消 ends at
 * any time. Answers stay in the wizard until it finishes: a cancelled check stores nothing, and a
 * range ("0–59岁") is shown as a range and never stored as a number. The verdicts come eligible and
 * conditional first; the not-eligible ones fold into one button that shows them. All state lives in the session, so
 * any replica can continue a wizard. Callback data stays short: wz:…, nx:….
 * A pressed question is edited to show the answer given and loses its buttons, so the chat reads as
 * a record and old buttons cannot be pressed again (edits are optional calls: failing, they are
 * logged and the wizard goes on).
 */

/** What to do when an optional Bot API call fails (log and go on). */
export type OnOptionalFailure = (what: string) => (error: unknown) => void;

const NO_BUTTONS = { inline_keyboard: [] };
/** Folded verdict lists kept per chat (older "另有N项不符合" buttons then say the result expired). */
const FOLDED_KEPT = 5;

/**
 * Facts an earlier answer makes pointless to ask although a still-open rule names them: the year
 * one's residential compound was built means nothing to someone without a home of their own. The
 * rules left open only by such a fact are not for this person and are not listed either.
 */
const ASKED_ONLY_WHEN: Partial<Record<FactName, (profile: Profile) => boolean>> = {
  buildingYear: (p) => p.housing !== "无房",
};

/** Run an optional call; grammY's context shortcuts can also throw synchronously (no message to edit). */
async function tryCall(what: string, optional: OnOptionalFailure, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    optional(what)(error);
  }
}

/** Turn the pressed message into "question ✔ answer" without buttons. */
async function settle(ctx: BotContext, bm: BotMessages, optional: OnOptionalFailure, question: string, answer: string): Promise<void> {
  await tryCall("editMessageText", optional, () => ctx.editMessageText(fill(bm.wizard_answered, { question, answer }), { reply_markup: NO_BUTTONS }));
}

/** Remove the buttons of a pressed message that no longer applies. */
async function dropButtons(ctx: BotContext, optional: OnOptionalFailure): Promise<void> {
  await tryCall("editMessageReplyMarkup", optional, () => ctx.editMessageReplyMarkup({ reply_markup: NO_BUTTONS }));
}

function areaNames(app: App): string[] {
  return app.services().areas.map((a) => a.area);
}

/** Where the wizard stands: the area's rules, the facts known so far, and the next question. */
interface Pending {
  rules: Rule[];
  cities: string[];
  profile: Profile;
  /** Facts earlier answers made pointless to ask. */
  irrelevant: Set<FactName>;
  question: NextQuestion | undefined;
}

function pending(ctx: BotContext, app: App): Pending | undefined {
  const wizard = ctx.session.wizard;
  if (!wizard) return undefined;
  const city = ctx.session.city;
  const { cities, rules: all } = app.eligibility.rulesFor(city ? { city } : {});
  const rules = all.filter((r) => r.area === wizard.area);
  // The wizard only stores option values of the fact asked, so its answers are valid profile facts.
  const profile: Profile = { ...ctx.session.profile, ...(wizard.values as Profile), ...(city ? { city } : {}) };
  const irrelevant = new Set((Object.entries(ASKED_ONLY_WHEN) as [FactName, (p: Profile) => boolean][]).filter(([, asked]) => !asked(profile)).map(([fact]) => fact));
  // Without a chosen city every rule is judged for each of its cities: the city is never asked.
  const skipped = new Set<FactName>([...wizard.declined, ...irrelevant, "city"]);
  return { rules, cities, profile, irrelevant, question: app.eligibility.nextQuestion(rules, profile, skipped) };
}

/** Show the areas to choose from. */
export async function startWizard(ctx: BotContext, app: App, bm: BotMessages): Promise<void> {
  ctx.session.wizard = undefined;
  const kb = new InlineKeyboard();
  areaNames(app).forEach((a, i) => {
    kb.text(a, `wz:t:${i}`);
    if (i % 3 === 2) kb.row();
  });
  kb.row().text(bm.wizard_cancel, "wz:c");
  await ctx.reply(bm.wizard_choose_area, { reply_markup: kb });
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
  const lines = [`<b>${escapeHtml(fill(bm.wizard_folded_title, { count: folded.length }))}</b>`];
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
async function finish(ctx: BotContext, app: App, bm: BotMessages, at: Pending): Promise<void> {
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
  const main = app.eligibility.render(shown, { disclaimer: false });
  const id = nextId(ctx);
  keepAnswer(ctx, id, main.citations);
  const lines = [`<b>${escapeHtml(bm.wizard_done)}</b>`, ...withoutTellMore(app, main.text.split("\n")).map(escapeHtml)];
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

/**
 * The verdict lines without the core's "告诉我您的…，可以判断得更准确（也可以用 check 逐项核对）": in
 * the wizard the resident was asked those facts already and said 不知道.
 */
function withoutTellMore(app: App, lines: readonly string[]): string[] {
  const [before = "", after = ""] = app.messages.eligibility.tell_more.split("{facts}");
  return lines.filter((l) => !(l.startsWith(before) && l.endsWith(after)));
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

/** Ask the next missing fact, or show the verdicts when nothing is left to ask. */
async function askNext(ctx: BotContext, app: App, bm: BotMessages): Promise<void> {
  const wizard = ctx.session.wizard;
  const at = pending(ctx, app);
  if (!wizard || !at) return;
  const q = at.question;
  if (!q) {
    await finish(ctx, app, bm, at);
    return;
  }
  wizard.asking = q.fact;
  const kb = new InlineKeyboard();
  q.options.forEach((o, i) => {
    kb.text(o.label, `wz:a:${i}`);
    if (i % 2 === 1) kb.row();
  });
  kb.row().text(bm.wizard_dont_know, "wz:x").text(bm.wizard_back, "wz:b").text(bm.wizard_cancel, "wz:c");
  const step = wizard.answered.length + wizard.declined.length + 1;
  const sent = await ctx.reply(`${q.question}\n${fill(bm.wizard_progress, { step })}`, { reply_markup: kb });
  wizard.messageId = sent?.message_id;
}

/** Handle a wz:… button. */
export async function handleWizardCallback(ctx: BotContext, app: App, bm: BotMessages, optional: OnOptionalFailure): Promise<void> {
  await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
  const data = ctx.callbackQuery?.data ?? "";
  const [, action, arg] = data.split(":");
  const wizard = ctx.session.wizard;
  const asked = wizard?.asking ? app.eligibility.facts[wizard.asking].question : bm.wizard_choose_area;
  if (action === "c") {
    // Nothing answered in a cancelled check is kept.
    ctx.session.wizard = undefined;
    await settle(ctx, bm, optional, asked, bm.wizard_cancel);
    await ctx.reply(bm.wizard_cancelled);
    return;
  }
  if (action === "t") {
    const area = areaNames(app)[Number(arg)];
    if (!area) return startWizard(ctx, app, bm);
    await settle(ctx, bm, optional, bm.wizard_choose_area, area);
    ctx.session.wizard = { area, answered: [], declined: [], values: {}, ranges: {} };
    return askNext(ctx, app, bm);
  }
  if (!wizard || !wizard.asking) {
    await dropButtons(ctx, optional);
    await ctx.reply(bm.wizard_stale);
    return;
  }
  const pressed = ctx.callbackQuery?.message?.message_id;
  if (pressed !== undefined && wizard.messageId !== undefined && pressed !== wizard.messageId) {
    // A button of an earlier question: drop its buttons and ask the pending question again.
    await dropButtons(ctx, optional);
    return askNext(ctx, app, bm);
  }
  const fact: FactName = wizard.asking;
  if (action === "x") {
    await settle(ctx, bm, optional, asked, bm.wizard_dont_know);
    wizard.declined.push(fact);
  } else if (action === "b") {
    await settle(ctx, bm, optional, asked, bm.wizard_back);
    const previous = wizard.answered.pop();
    if (previous === undefined) return startWizard(ctx, app, bm);
    // The undone answer leaves both the values and the ranges given.
    if (wizard.values) wizard.values = withoutKey(wizard.values, previous);
    if (wizard.ranges) wizard.ranges = withoutKey(wizard.ranges, previous);
  } else if (action === "a") {
    const q = pending(ctx, app)?.question;
    const option = q?.fact === fact ? q.options[Number(arg)] : undefined;
    if (!option) {
      await dropButtons(ctx, optional);
      return askNext(ctx, app, bm);
    }
    await settle(ctx, bm, optional, asked, option.label);
    wizard.values = { ...wizard.values, [fact]: option.value };
    // A number is offered as a range ("0–59岁", "60岁及以上") represented by its first value; only a
    // one-value option ("2000年") is the exact number.
    const exact = `${String(option.value)}${app.eligibility.facts[fact].unit ?? ""}`;
    if (typeof option.value === "number" && option.label !== exact) wizard.ranges = { ...wizard.ranges, [fact]: option.label };
    wizard.answered.push(fact);
  }
  await askNext(ctx, app, bm);
}

/** A copy of a record without one key. */
function withoutKey<T extends object>(record: T, key: string): T {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key)) as T;
}
