import { InlineKeyboard } from "grammy";
import type { App } from "../../app.ts";
import { renderResults } from "../../answer/compose/eligibility.ts";
import { nextQuestion, rulesFor } from "../../rules/check.ts";
import type { FactName } from "../../rules/profile.ts";
import type { Rule } from "../../rules/schema.ts";
import type { BotContext } from "./bot.ts";
import type { BotMessages } from "./messages.ts";
import { fill } from "../../prompts.ts";
import { escapeHtml, packMessages, sourceList } from "./render.ts";

/*
 * /check: the eligibility wizard. The resident picks an area; the bot asks only the facts still
 * missing for that area's rules (the one that decides the most rules first), one question at a time
 * with buttons; 不知道 skips a fact, 返回 re-asks the previous one, 取消 ends at any time. All state
 * lives in the session, so any replica can continue a wizard. Callback data stays short: wz:….
 * A pressed question is edited to show the answer given and loses its buttons, so the chat reads as
 * a record and old buttons cannot be pressed again (edits are optional calls: failing, they are
 * logged and the wizard goes on).
 */

/** What to do when an optional Bot API call fails (log and go on). */
export type OnOptionalFailure = (what: string) => (error: unknown) => void;

const NO_BUTTONS = { inline_keyboard: [] };

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

function wizardRules(app: App, ctx: BotContext, area: string): Rule[] {
  const city = ctx.session.city;
  return rulesFor(app.deps, city ? { city } : {}).rules.filter((r) => r.area === area);
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

async function finish(ctx: BotContext, app: App, bm: BotMessages, rules: readonly Rule[]): Promise<void> {
  const city = ctx.session.city;
  const ids = new Set(rules.map((r) => r.id));
  const { results } = app.check({ ...ctx.session.profile, ...(city ? { city } : {}) });
  const mine = results.filter((r) => ids.has(r.ruleId));
  ctx.session.wizard = undefined;
  if (mine.length === 0) {
    await ctx.reply(bm.wizard_none);
    return;
  }
  const { text, citations } = renderResults(app.deps, mine);
  const sources = sourceList(bm, citations);
  const messages = packMessages([`<b>${escapeHtml(bm.wizard_done)}</b>`, ...text.split("\n").map(escapeHtml), "", ...sources], app.config.telegram.messageLimit);
  for (const m of messages) await ctx.reply(m, { parse_mode: "HTML" });
}

/** Ask the next missing fact, or show the verdicts when nothing is left to ask. */
async function askNext(ctx: BotContext, app: App, bm: BotMessages): Promise<void> {
  const wizard = ctx.session.wizard;
  if (!wizard) return;
  const rules = wizardRules(app, ctx, wizard.area);
  const profile = { ...ctx.session.profile, ...(ctx.session.city ? { city: ctx.session.city } : {}) };
  const q = nextQuestion(app.deps, rules, profile, new Set(wizard.declined));
  if (!q) {
    await finish(ctx, app, bm, rules);
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
  const asked = wizard?.asking ? app.deps.facts[wizard.asking].question : bm.wizard_choose_area;
  if (action === "c") {
    ctx.session.wizard = undefined;
    await settle(ctx, bm, optional, asked, bm.wizard_cancel);
    await ctx.reply(bm.wizard_cancelled);
    return;
  }
  if (action === "t") {
    const area = areaNames(app)[Number(arg)];
    if (!area) return startWizard(ctx, app, bm);
    await settle(ctx, bm, optional, bm.wizard_choose_area, area);
    ctx.session.wizard = { area, answered: [], declined: [] };
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
    delete ctx.session.profile[previous];
  } else if (action === "a") {
    const rules = wizardRules(app, ctx, wizard.area);
    const profile = { ...ctx.session.profile, ...(ctx.session.city ? { city: ctx.session.city } : {}) };
    const q = nextQuestion(app.deps, rules, profile, new Set(wizard.declined));
    const option = q?.fact === fact ? q.options[Number(arg)] : undefined;
    if (!option) {
      await dropButtons(ctx, optional);
      return askNext(ctx, app, bm);
    }
    await settle(ctx, bm, optional, asked, option.label);
    (ctx.session.profile as Record<string, unknown>)[fact] = option.value;
    wizard.answered.push(fact);
  }
  await askNext(ctx, app, bm);
}
