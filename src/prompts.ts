import path from "node:path";
import { z } from "zod";
import { readYamlFile } from "./util/files.ts";
import { ERROR_CODES } from "./errors.ts";

/*
 * Resident-facing wording lives in prompts/messages.zh.yaml; this module loads and validates it
 * (every key the code uses must be there) and fills {placeholders}.
 */

const s = z.string().min(1);
const byStatus = z.object({ plan: s, "draft-for-comment": s, notice: s });

export const MessagesSchema = z.object({
  status: byStatus,
  disclaimer: z.object({ line: s, joiner: s, draft_mark: s, ended: s }),
  pointer: z.object({ general: s, hrss: s }),
  greeting: s,
  small_talk: z.object({ thanks: s, laughter: s, identity: s, farewell: s, help: s }),
  conversation: z.object({ resolved: s, cannot_act: s, instruction_ignored: s, remembered: s, personal_numbers: s }),
  answer: z.object({ lead: s, in_list: s, more: s, city_missing: s }),
  figure: z.object({
    row: s,
    value: s,
    value_separator: s,
    no_value: s,
    attribute: s,
    cumulative: s,
    columns: z.record(z.string(), s),
    sentence: s,
    when_achieved: s,
    when_achieved_only: s,
  }),
  standard: z.object({ plan_only: s, notice: s, plan_said: s }),
  list: z.object({ area: s, item_separator: s, item_separator_alt: s }),
  not_stated: z.object({
    lead: s,
    lead_plain: s,
    elsewhere: s,
    this_topic: s,
    ask_office: s,
    what: z.record(z.string(), s).refine((w) => "standard" in w, "needs at least `standard`"),
  }),
  compare: z.object({ list_diff: s, list_diff_one_side: s, same_item: s, list_same: s }),
  eligibility: z.object({
    verdict: z.object({ eligible: s, conditional: s, not_eligible: s, unknown: s }),
    heading: s,
    known: s,
    fact: s,
    not_told: s,
    basis: s,
    missing: s,
    to_confirm: s,
    confirm: s,
    confirm_prefix: s,
    folded: s,
    tell_more: s,
  }),
  clarify: z.object({ empty: s, too_long: s, unreadable: s, no_text: s, punctuation: s, vague: s, which_city: s }),
  out_of_scope: z.object({ topic: s, city: s, injection: s, chitchat: s, never: s, never_what: z.record(z.string(), s) }),
  errors: z.object({ ...Object.fromEntries(ERROR_CODES.map((c) => [c, s])), city_unknown: s }),
  terminal: z.object({
    sources: s,
    chat_banner: s,
    chat_prompt: s,
    city_set: s,
    city_cleared: s,
    check_topic: s,
    check_no_rules: s,
    check_dont_know: s,
    check_unclear: s,
    console_started: s,
    bot_started: s,
    bot_polling: s,
  }),
});
export type Messages = z.infer<typeof MessagesSchema>;

/** Load and validate `messages.zh.yaml` from the prompts folder. */
export function loadMessages(promptsDir: string): Messages {
  return readYamlFile(path.join(promptsDir, "messages.zh.yaml"), MessagesSchema, "CONFIG_INVALID");
}

/**
 * Fill `{name}` placeholders. A placeholder without a value is a bug and throws.
 *
 * @example
 * fill("共计{count}项", { count: 9 }) // "共计9项"
 */
export function fill(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template placeholder {${name}} has no value in: ${template}`);
    return String(v);
  });
}

/** The resident-facing text for an error code (the generic "系统繁忙" text for anything unknown). */
export function errorText(messages: Messages, code: string): string {
  const errors = messages.errors as Record<string, string | undefined>;
  return errors[code] ?? errors.INTERNAL ?? "系统繁忙，请稍后再试。";
}
