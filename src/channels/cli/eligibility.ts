import { existsSync, readFileSync } from "node:fs";
import readline from "node:readline";
import type { App } from "../../app.ts";
import { renderResults } from "../../answer/compose/eligibility.ts";
import { resultDeps } from "../../answer/compose/common.ts";
import type { Citation } from "../../contract/answer.ts";
import { loadCorpus } from "../../corpus/load.ts";
import { AppError } from "../../errors.ts";
import { buildCatalog, loadRuleSources, runRuleTests } from "../../rules/catalog.ts";
import { nextQuestion, rulesFor } from "../../answer/check.ts";
import { parseFactAnswer } from "../../rules/facts.ts";
import { parseProfile, type FactName, type Profile } from "../../contract/profile.ts";
import { ruleCitations } from "../../rules/results.ts";
import { stripBom } from "./terminal.ts";

/*
 * The eligibility commands of the CLI: `check` (a profile file, or questions one at a time in the
 * terminal) and `rules` (the catalog, or its test cases).
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

/** The catalog as the contract lists it: [{id,title,city,area,service,citations}]. */
export function ruleCatalog(app: App): { id: string; title: string; city: string[]; area: string; service: string; citations: Citation[] }[] {
  const rd = resultDeps(app.deps);
  return app.index.rules.map((r) => ({
    id: r.id,
    title: r.title,
    city: r.cities,
    area: r.area,
    service: r.service,
    citations: r.cities.flatMap((c) => ruleCitations(rd, r, c)),
  }));
}

/** Run every rule's test cases and the catalog checks on the seeds on disk. */
export async function testRules(seedsDir: string): Promise<{ rules: number; cases: number; failures: string[] }> {
  const sources = loadRuleSources(seedsDir);
  const failures = sources.flatMap((s) => runRuleTests(s.spec).map((f) => `${s.file}: ${f}`));
  if (failures.length === 0) {
    try {
      buildCatalog(sources, await loadCorpus(seedsDir));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  return { rules: sources.length, cases: sources.reduce((n, s) => n + s.spec.tests.length, 0), failures };
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
  try {
    let topic = start.topic;
    if (topic === undefined) {
      topic = await ask("想了解哪项服务？（如：公租房、住房公积金、养老院；直接回车看全部）> ");
      if (topic === undefined) return 0;
    }
    const profile: Profile = { ...start.profile };
    const { rules } = rulesFor(app.deps, profile, topic);
    if (rules.length === 0) {
      io.output.write(`没有找到与“${topic}”有关的资格规则。可以换个说法，或直接回车查看全部。\n`);
      return 0;
    }
    const declined = new Set<FactName>();
    for (;;) {
      const q = nextQuestion(app.deps, rules, profile, declined);
      if (!q) break;
      const options = q.options.map((o, i) => `  ${i + 1}. ${o.label}`).join("\n");
      const answer = await ask(`${q.question}\n${options}\n  0. 不知道\n> `);
      if (answer === undefined || /^(q|quit|取消|退出)$/i.test(answer)) return 0;
      if (DONT_KNOW.test(answer)) {
        declined.add(q.fact);
        continue;
      }
      const value = parseFactAnswer(app.deps.facts, q.fact, answer, q.options);
      if (value === undefined) {
        io.output.write("没看懂这个回答，请输入选项编号；不知道请输入 0。\n");
        continue;
      }
      (profile as Record<string, unknown>)[q.fact] = value;
    }
    const { results } = app.check(profile, topic);
    io.output.write("\n" + renderResults(app.deps, results).text + "\n");
    return 0;
  } finally {
    rl.close();
  }
}
