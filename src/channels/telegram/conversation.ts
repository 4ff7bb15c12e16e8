import type { App } from "../../app.ts";
import { fill } from "../../prompts.ts";
import { withoutPersonalNumbers } from "../../redact.ts";
import type { FactName, Profile } from "../../contract/profile.ts";
import type { BotMessages } from "./messages.ts";
import type { BotSession } from "./session.ts";

/*
 * What the bot keeps of a conversation: the chat's last messages, passed to the core as `history`
 * so that "那淮南呢？" after "六安低保标准是多少" is understood, and the facts the core says the
 * resident stated about themselves (`answer.remember`). The bot never reads facts out of messages
 * itself: the core decides what is a statement, a question, a negation or about a relative.
 */

/** Messages kept per chat (the core reads the last 10 of `history`). */
export const TURNS_KEPT = 10;

/**
 * A message as it may be kept: personal numbers (ID card, phone, bank card) taken out with the
 * words that introduce them ("我电话") — the placeholders too, they are not words of the question —
 * and undefined when nothing is left or the message is longer than a question may be (the core
 * refuses it; it is no context either).
 *
 * @example
 * turnToKeep("我电话13956781234，六安公租房谁能申请", 500) // "六安公租房谁能申请"
 */
export function turnToKeep(text: string, maxChars: number): string | undefined {
  const clean = withoutPersonalNumbers(text).trim();
  if (!clean || [...clean].length > maxChars) return undefined;
  return clean;
}

/** Add a message to the chat's turns (at most TURNS_KEPT, oldest dropped). */
export function keepTurn(session: BotSession, text: string, maxChars: number): void {
  const turn = turnToKeep(text, maxChars);
  if (turn === undefined) return;
  session.turns = [...(session.turns ?? []), turn].slice(-TURNS_KEPT);
}

/**
 * Merge the facts the core says the resident stated about themselves into the profile; returns the
 * ones that are new or changed (to say so). The city is chosen with /city, never remembered here.
 */
export function rememberFacts(session: BotSession, remember: Profile | undefined): Profile {
  const changed: Profile = {};
  for (const [fact, value] of Object.entries(remember ?? {}) as [FactName, Profile[FactName]][]) {
    if (fact === "city" || value === undefined || session.profile[fact] === value) continue;
    (changed as Record<string, unknown>)[fact] = value;
  }
  session.profile = { ...session.profile, ...changed };
  return changed;
}

/**
 * "已记住：就业状态：灵活就业（发 /forget 可删除）。" in the core's wording (labels and values from its
 * fact texts); undefined when nothing was remembered.
 */
export function rememberedLine(app: App, bm: BotMessages, facts: Profile): string | undefined {
  const entries = Object.entries(facts) as [FactName, NonNullable<Profile[FactName]>][];
  if (entries.length === 0) return undefined;
  const m = app.messages;
  const door = app.eligibility;
  const listed = entries.map(([fact, value]) => fill(m.eligibility.fact, { label: door.facts[fact].label, value: door.valueLabel(fact, value) })).join(bm.remembered_separator);
  return fill(m.conversation.remembered, { facts: listed });
}
