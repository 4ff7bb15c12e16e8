import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { App } from "../app.ts";
import { loadManifest } from "../corpus/load.ts";
import { AppError } from "../errors.ts";
import { baselineAnswer, buildBaseline } from "./baseline.ts";
import { EvalQuestionSchema, scoreAnswers, type EvalQuestion, type Metrics, type ScoredAnswer } from "./score.ts";

export interface EvalReport {
  questions: string;
  system: Metrics;
  baseline: Metrics;
  failures: [string, string][];
  baselineFailures: [string, string][];
}

/** Read a question set (JSON lines); a malformed line is an `INPUT_INVALID` naming the line. */
export function readQuestions(file: string): EvalQuestion[] {
  if (!existsSync(file)) throw new AppError("INPUT_INVALID", `question set ${file} not found`);
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim())
    .map(({ line, n }) => {
      try {
        return EvalQuestionSchema.parse(JSON.parse(line));
      } catch (error) {
        throw new AppError("INPUT_INVALID", `${file}:${n}: not a valid question: ${(error as Error).message}`);
      }
    });
}

/** Raw plan text by city, from the manifest (what citations must be found in). */
export function sourcesByCity(seedsDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of loadManifest(seedsDir).documents) {
    out[d.city] = (out[d.city] ?? "") + "\n" + readFileSync(path.join(seedsDir, d.file), "utf8");
  }
  return out;
}

/**
 * Score the system and the baseline on a question set in one run. Questions are asked as the
 * shared scorer asks them: id, question and history only (no saved city).
 */
export async function runEval(app: App, questionsFile: string): Promise<EvalReport> {
  const questions = readQuestions(questionsFile);
  const sources = sourcesByCity(app.config.seedsDir);
  const answers = new Map<string, ScoredAnswer>();
  for (const q of questions) answers.set(q.id, await app.ask(q.question, { id: q.id, ...(q.history ? { history: q.history } : {}) }));
  const system = scoreAnswers(questions, answers, sources);

  const baseline = buildBaseline(sources);
  const baseAnswers = new Map(questions.map((q) => [q.id, baselineAnswer(baseline, q.id, q.question)]));
  const base = scoreAnswers(questions, baseAnswers, sources);
  return {
    questions: questionsFile,
    system: system.metrics,
    baseline: base.metrics,
    failures: system.failures,
    baselineFailures: base.failures,
  };
}

/** Side-by-side table of the two metric sets. */
export function formatReport(report: EvalReport): string {
  const keys = Object.keys(report.system) as (keyof Metrics)[];
  const rows = keys.map((k) => `${k.padEnd(18)} ${String(report.system[k]).padStart(9)} ${String(report.baseline[k]).padStart(9)}`);
  return [`questions: ${report.questions}`, `${"metric".padEnd(18)} ${"minsheng".padStart(9)} ${"baseline".padStart(9)}`, ...rows].join("\n");
}
