import { fill } from "../../prompts.ts";
import { existsSync, readFileSync } from "node:fs";
import readline from "node:readline";
import type { App } from "../../app.ts";
import { AppError } from "../../errors.ts";
import { parseProfile, type FactName, type Profile } from "../../contract/profile.ts";
import { stripBom } from "./terminal.ts";

/*
 * The eligibility commands of the CLI: `check` (a profile file, or questions one at a time in the
 * terminal); the catalog and its test cases come from `app.eligibility`.
 */

/** Read and validate a profile JSON file; problems name the file and the field. */
export function readProfileFile(file: string): Profile {
  if (!existsSync(file)) throw new AppError("INPUT_INVALID", `profile file ${file} not found`);
  let data: unknown;
  try {
    data = JSON.parse(stripBom(readFileSync(file, "utf8")));
  } catch (error) {
    throw new AppError("INPUT_INVALID", `${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseProfile(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(profile)"}: ${i.message}${"keys" in i ? ` ${JSON.stringify(i.keys)}` : ""}`);
    throw new AppError("INPUT_INVALID", `${file} is not a valid profile:\n  ${issues.join("\n  ")}`);
  }
  return parsed.data;
}

const DONT_KNOW = /^(0|不知道|不清楚|跳过|skip|)$/i;

/**
 * The terminal wizard: asks only the facts still missing for the chosen topic, one at a time
 * (a number, an option, or 0/不知道 to skip; q quits), then prints the verdicts.
 */
export async function interactiveCheck(
  app: App,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; tty: boolean },
  start: { topic?: string | undefined; profile: Profile },
): Promise<number> {
  const rl = readline.createInterface({ input: io.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | undefined> => {
    io.output.write(prompt);
    const next = await lines.next();
    if (io.tty === false && !next.done) io.output.write("\n");
    return next.done ? undefined : String(next.value).trim();
  };
  const t = app.messages.terminal;
  try {
    let topic = start.topic;
    if (topic === undefined) {
      topic = await ask(t.check_topic);
      if (topic === undefined) return 0;
    }
    const profile: Profile = { ...start.profile };
    const { rules } = app.eligibility.rulesFor(profile, topic);
    if (rules.length === 0) {
      io.output.write(fill(t.check_no_rules, { topic }) + "\n");
      return 0;
    }
    const declined = new Set<FactName>();
    for (;;) {
      const q = app.eligibility.nextQuestion(rules, profile, declined);
      if (!q) break;
      const options = q.options.map((o, i) => `  ${i + 1}. ${o.label}`).join("\n");
      const answer = await ask(`${q.question}\n${options}\n  0. ${t.check_dont_know}\n> `);
      if (answer === undefined || /^(q|quit|取消|退出)$/i.test(answer)) return 0;
      if (DONT_KNOW.test(answer)) {
        declined.add(q.fact);
        continue;
      }
      const value = app.eligibility.parseAnswer(q.fact, answer, q.options);
      if (value === undefined) {
        io.output.write(t.check_unclear + "\n");
        continue;
      }
      (profile as Record<string, unknown>)[q.fact] = value;
    }
    const { results } = app.check(profile, topic);
    io.output.write("\n" + app.eligibility.render(results).text + "\n");
    return 0;
  } finally {
    rl.close();
  }
}
