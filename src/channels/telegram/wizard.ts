import { Composer, InlineKeyboard } from "grammy";
import type { App, NextQuestion } from "../../app.ts";
import type { FactName, Profile } from "../../contract/profile.ts";
import { fill } from "../../prompts.ts";
import type { BotContext } from "./context.ts";
import { isPrivate, optionalCalls, type FeatureDeps, type OnOptionalFailure } from "./feature.ts";
import type { BotMessages } from "./messages.ts";
import { finish, showFolded, type Judged } from "./wizard-result.ts";

/*
 * /check: the eligibility wizard. The resident picks an area; the bot asks only the facts still
 * missing for that area's still-open rules (the one that decides the most rules first), one
 * question at a time with buttons; 不知道 skips a fact, 返回 re-asks the previous one, 取消 ends at
 * any time. Answers stay in the wizard until it finishes: a cancelled check stores nothing, and a
 * range ("0–59岁") is shown as a range and never stored as a number. The verdicts are shown by
 * wizard-result.ts. All state lives in the session, so any replica can continue a wizard. Callback
 * data stays short: wz:…, nx:…. A pressed question is edited to show the answer given and loses its
 * buttons, so the chat reads as a record and old buttons cannot be pressed again (edits are
 * optional calls: failing, they are logged and the wizard goes on).
 */

const NO_BUTTONS = { inline_keyboard: [] };

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

/** The service-list areas, in the plans' order (without building the whole service catalog). */
function areaNames(app: App): string[] {
  return [...new Set(app.index.corpus.serviceAreas.map((a) => a.area))];
}

/** Where the wizard stands: the area's rules, the facts known so far, and the next question. */
interface Pending extends Judged {
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
async function startWizard(ctx: BotContext, app: App, bm: BotMessages): Promise<void> {
  ctx.session.wizard = undefined;
  const kb = new InlineKeyboard();
  areaNames(app).forEach((a, i) => {
    kb.text(a, `wz:t:${i}`);
    if (i % 3 === 2) kb.row();
  });
  kb.row().text(bm.wizard_cancel, "wz:c");
  await ctx.reply(bm.wizard_choose_area, { reply_markup: kb });
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
  const sent = await ctx.reply(fill(bm.wizard_question, { question: q.question, step }), { reply_markup: kb });
  wizard.messageId = sent?.message_id;
}

/** Handle a wz:… button. */
async function handleWizardCallback(ctx: BotContext, app: App, bm: BotMessages, optional: OnOptionalFailure): Promise<void> {
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

/** The wizard: /check (private chats only: it asks about the resident), its wz:… buttons and the folded verdicts' nx:…. */
export function wizard({ core, log, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.command("check", async (ctx) => {
    if (!isPrivate(ctx)) {
      await ctx.reply(bm.wizard_private_only);
      return;
    }
    await startWizard(ctx, core(), bm);
  });
  composer.callbackQuery(/^wz:/, async (ctx) => handleWizardCallback(ctx, core(), bm, optional));
  composer.callbackQuery(/^nx:([0-9a-z]+)$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    await showFolded(ctx, core(), bm, ctx.match[1] as string);
  });
  return composer;
}

/** A copy of a record without one key. */
function withoutKey<T extends object>(record: T, key: string): T {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key)) as T;
}
