import { readFileSync } from "node:fs";
import { z } from "zod";
import { formatAnswerText } from "../channels/cli/format.ts";
import { stripBom } from "../channels/cli/terminal.ts";
import { HistorySchema } from "../contract/answer.ts";
import { defineCommand, requireKnownCity, unknownCity, UsageError, type Runtime } from "./command.ts";

/** `ask`: one question, or a file of them as JSON lines (one answer per line, same order). */
export const askCommand = defineCommand({
  name: "ask",
  summary: "answer a question (or a batch file with --batch)",
  usage: 'ask "问题" [--city 六安市|淮南市] [--json]   |   ask --json --batch FILE',
  options: {
    city: { type: "string" },
    json: { type: "boolean", default: false },
    batch: { type: "string" },
  },
  async run({ values, positionals }, rt) {
    const city = values.city;
    if (values.batch) {
      if (!values.json) throw new UsageError("--batch writes JSON lines: add --json");
      requireKnownCity(await rt.app(), city, "--city");
      return askBatch(values.batch, rt, city);
    }
    const question = positionals.join(" ");
    if (!question.trim()) throw new UsageError("give a question, e.g. ask \"六安低保标准是多少\"");
    const app = await rt.app();
    requireKnownCity(app, city, "--city");
    const answer = await app.ask(question, { city });
    rt.stdout.write((values.json ? JSON.stringify(answer, null, 2) : formatAnswerText(answer, app.messages)) + "\n");
    return 0;
  },
});

const BatchLineSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  question: z.string(),
  city: z.string().nullish(),
  history: HistorySchema.optional(),
});

async function askBatch(file: string, rt: Runtime, savedCity: string | undefined): Promise<number> {
  let content: string;
  try {
    content = stripBom(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read batch file ${file}: ${(error as Error).message}`);
  }
  const app = await rt.app();
  const lines = content.split("\n");
  let n = 0;
  for (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let parsed: z.infer<typeof BatchLineSchema>;
    try {
      parsed = BatchLineSchema.parse(JSON.parse(line));
    } catch (error) {
      const message = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
      rt.log.warn(`batch line ${n} skipped: ${message}`);
      let id: unknown = null;
      try {
        id = (JSON.parse(line) as { id?: unknown }).id ?? null;
      } catch {
        id = null;
      }
      rt.stdout.write(JSON.stringify({ id, line: n, error: { code: "INPUT_INVALID", message } }) + "\n");
      continue;
    }
    const unknown = unknownCity(app, parsed.city ?? undefined, "city");
    if (unknown) {
      rt.stdout.write(JSON.stringify({ id: parsed.id, line: n, error: { code: "INPUT_INVALID", message: unknown } }) + "\n");
      continue;
    }
    try {
      const answer = await app.ask(parsed.question, { id: parsed.id, city: parsed.city ?? savedCity, history: parsed.history });
      rt.stdout.write(JSON.stringify(answer) + "\n");
    } catch (error) {
      // A bug answering one line fails that line, not the batch; the log has the stack, not the question.
      rt.log.error(`batch line ${n} failed`, { err: error });
      rt.stdout.write(JSON.stringify({ id: parsed.id, line: n, error: { code: "INTERNAL", message: "internal error answering this line" } }) + "\n");
    }
  }
  return 0;
}