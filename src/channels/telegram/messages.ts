import path from "node:path";
import { z } from "zod";
import { readYamlFile } from "../../util/files.ts";

const s = z.string().min(1);

/** Wording of the bot (prompts/bot.zh.yaml); every key the bot uses must be present. */
export const BotMessagesSchema = z.object({
  welcome: s, choose_city: s, city_both: s, city_saved: s, city_cleared: s, help: s,
  sources_document: s, sources_section: s, sources_separator: s,
  button_source: s, button_up: s, button_down: s,
  feedback_thanks: s, feedback_prompt: s, feedback_saved: s,
  source_expired: s, source_title: s, non_text: s, rate_limited: s, busy: s, forgot: s,
  about: s, about_document: s, services_choose: s, services_none: s, services_heading: s, services_item: s, services_source: s,
  compare_title: s, compare_line: s, compare_separator: s, compare_nothing: s, compare_same: s,
  wizard_choose_area: s, wizard_question: s, wizard_dont_know: s, wizard_back: s, wizard_cancel: s, wizard_answered: s,
  wizard_cancelled: s, wizard_none: s, wizard_done: s, wizard_stale: s, wizard_private_only: s, group_hint: s,
  remembered_separator: s,
  wizard_folded_button: s, wizard_folded_title: s, wizard_folded_expired: s,
  commands: z.object({ start: s, city: s, check: s, services: s, compare: s, about: s, help: s, forget: s, feedback: s }),
});
export type BotMessages = z.infer<typeof BotMessagesSchema>;

export function loadBotMessages(promptsDir: string): BotMessages {
  return readYamlFile(path.join(promptsDir, "bot.zh.yaml"), BotMessagesSchema, "CONFIG_INVALID");
}
