import type { Answer } from "../../contract/answer.ts";
import type { Messages } from "../../prompts.ts";

/** Plain-text rendering of an answer for a terminal: the text, then the sources. */
export function formatAnswerText(answer: Answer, messages: Messages): string {
  const lines = [answer.text];
  if (answer.citations.length > 0) {
    lines.push("", messages.terminal.sources);
    answer.citations.forEach((c, i) => {
      lines.push(`[${i + 1}] 《${c.docTitle}》（${c.docStatus}）${c.location ? " › " + c.location : ""}`);
      lines.push(`    “${c.quote.replace(/\s+/g, " ")}”`);
    });
  }
  return lines.join("\n");
}
