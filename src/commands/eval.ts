import path from "node:path";
import { escapeControls } from "../channels/cli/terminal.ts";
import { formatReport, runEval } from "../eval/run.ts";
import { defineCommand } from "./command.ts";

/** `eval`: score the answers and the BM25 baseline on a question set. */
export const evalCommand = defineCommand({
  name: "eval",
  summary: "score answers and the BM25 baseline on a question set",
  usage: "eval [--questions FILE] [--json] [--verbose]",
  options: {
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
  async run({ values }, rt) {
    const report = await runEval(await rt.app(), path.resolve(rt.config.root, values.questions));
    if (values.verbose) {
      for (const [id, why] of report.failures) rt.stderr.write(`minsheng ${escapeControls(`${id}\t${why}`)}\n`);
    }
    rt.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatReport(report)) + "\n");
    return 0;
  },
});
