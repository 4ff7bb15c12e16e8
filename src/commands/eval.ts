import path from "node:path";
import { escapeControls } from "../channels/cli/terminal.ts";
import { formatReport, runEval } from "../eval/run.ts";
import { defineCommand, UsageError } from "./command.ts";

/** The development set the evaluation scores when none is named. */
const DEFAULT_QUESTIONS = "../shared/eval/dev.jsonl";

/** `eval`: score the answers and the BM25 baseline on a question set. */
export const evalCommand = defineCommand({
  name: "eval",
  summary: "score answers and the BM25 baseline on a question set",
  usage: "eval [FILE | --questions FILE] [--json] [--verbose]",
  options: {
    questions: { type: "string" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
  async run({ values, positionals }, rt) {
    // The set may be named either way ("npm run eval -- FILE"); two names, or a second file, are a mistake.
    if (positionals.length > 1 || (positionals.length === 1 && values.questions !== undefined)) {
      throw new UsageError("eval takes one question set: FILE or --questions FILE");
    }
    const questions = positionals[0] ?? values.questions ?? DEFAULT_QUESTIONS;
    const report = await runEval(await rt.app(), path.resolve(rt.config.root, questions));
    if (values.verbose) {
      for (const [id, why] of report.failures) rt.stderr.write(`minsheng ${escapeControls(`${id}\t${why}`)}\n`);
    }
    rt.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatReport(report)) + "\n");
    return 0;
  },
});
