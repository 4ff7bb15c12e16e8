import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { createApp, type App } from "./app.ts";
import { formatAnswerText } from "./channels/cli/format.ts";
import { HistorySchema } from "./contract/answer.ts";
import { createProgress } from "./channels/cli/progress.ts";
import { escapeControls, stripBom } from "./channels/cli/terminal.ts";
import { loadConfig, type Config } from "./config.ts";
import { isAppError } from "./errors.ts";
import { testRuleSeeds } from "./rules/catalog.ts";
import { interactiveCheck, readProfileFile } from "./channels/cli/eligibility.ts";
import { formatReport, runEval } from "./eval/run.ts";
import { auditRuleCoverage, buildIndex, checkSeeds } from "./index/build.ts";
import { diffSnapshots, formatDiff, snapshotFromBuild, snapshotFromSeeds, type Snapshot } from "./index/diff.ts";
import { currentBuildId, rollbackBuild } from "./index/store.ts";
import { AppError } from "./errors.ts";
import { startHttpServer } from "./channels/http/server.ts";
import { startBot, type BotHandle } from "./channels/telegram/run.ts";
import { resilientCounter } from "./limits.ts";
import { closeRedis, connectRedis, redisWindowCounter } from "./redis.ts";
import { LiveApp } from "./live.ts";
import { createLogger, type Logger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { fileFeedbackSink, type FeedbackSink } from "./channels/telegram/feedback.ts";
import { loggedCore, openQuestionLog, ratingsToLog, type QuestionLog } from "./questions/log.ts";
import { parseSince, toCsv, unansweredReview } from "./questions/review.ts";
import { writeFileSync } from "node:fs";

/*
 * The command line: commands are plain data (name, usage, options, run). A user error prints the
 * usage and the message and exits 1; a bug prints its stack and exits 1 too.
 */

interface Runtime {
  config: Config;
  log: Logger;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  app(): Promise<App>;
}

interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(args: { values: Record<string, unknown>; positionals: string[] }, rt: Runtime): Promise<number>;
}

class UsageError extends Error {}

/** Why `city` cannot be used (a city the plans do not cover), or undefined when it can (or is absent). */
function unknownCity(app: App, city: string | undefined, field: string): string | undefined {
  if (city === undefined || app.cities().includes(city)) return undefined;
  return `${field} ${JSON.stringify(city)} is not covered; use one of ${app.cities().join(", ")}`;
}

/** Refuse a city given on the command line that the plans do not cover (it was silently ignored). */
function requireKnownCity(app: App, city: string | undefined, option: string): void {
  const problem = unknownCity(app, city, option);
  if (problem) throw new UsageError(problem);
}

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
    const answer = await app.ask(parsed.question, { id: parsed.id, city: parsed.city ?? savedCity, history: parsed.history });
    rt.stdout.write(JSON.stringify(answer) + "\n");
  }
  return 0;
}

async function interactive(rt: Runtime, city: string | undefined): Promise<number> {
  const base = await rt.app();
  requireKnownCity(base, city, "--city");
  // Residents' questions typed at a hotline terminal are logged like the API's and the bot's.
  const questionLog = openQuestionLog(rt.config, rt.log);
  const app = loggedCore(() => base, "cli", { questionLog })();
  const tty = Boolean(process.stdin.isTTY);
  let savedCity = city;
  const cities = app.index.corpus.documents.map((d) => d.meta.city);
  if (tty) {
    rt.stdout.write(
      `minsheng ${app.index.id} · 收录：${app.index.manifest.documents.map((d) => d.title).join("、")}\n` +
        `输入问题后回车；:city ${cities.join("|")} 设置所在城市；:q 退出。\n`,
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: tty ? rt.stdout : undefined, terminal: tty });
  const prompt = () => tty && rl.prompt();
  rl.setPrompt("问题> ");
  prompt();
  for await (const line of rl) {
    const input = line.trim();
    if (input === ":q" || input === ":quit" || input === "exit") break;
    if (input.startsWith(":city")) {
      const c = input.slice(5).trim();
      savedCity = cities.includes(c) ? c : undefined;
      rt.stdout.write(savedCity ? `已设置城市：${savedCity}\n` : `已清除城市（可选：${cities.join("、")}）\n`);
      prompt();
      continue;
    }
    if (input) {
      const answer = await app.ask(input, { city: savedCity });
      rt.stdout.write(formatAnswerText(answer) + "\n\n");
    }
    prompt();
  }
  rl.close();
  await questionLog.close();
  return 0;
}

/**
 * Run the long-lived services until SIGINT/SIGTERM, then close them gracefully (in reverse order of
 * start). A start that fails part-way closes what had started, so the process can exit.
 */
async function runServices(rt: Runtime, want: { serve: boolean; bot: boolean; port?: number; host?: string }): Promise<number> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    // One Redis connection for everything replicas share (fails fast on a bad REDIS_URL); closed last.
    const redis = rt.config.redisUrl ? await connectRedis(rt.config.redisUrl, { log: rt.log, commandTimeoutMs: rt.config.redisCommandTimeoutMs }) : undefined;
    if (redis) stops.push(() => closeRedis(redis));
    // The question log is written to the end: closed after the channels, before Redis.
    const questionLog: QuestionLog = openQuestionLog(rt.config, rt.log);
    stops.push(() => questionLog.close());
    const metrics = rt.config.metrics ? createMetrics() : undefined;
    const live = new LiveApp(await rt.app(), rt.log);
    const core = () => live.current();
    const health = () => ({ ...(redis ? { redis: redis.status() } : {}), ...(questionLog.enabled ? { database: questionLog.status() } : {}) });
    if (metrics) {
      live.onReload((r) => metrics.reload(r.ok ? (r.unchanged ? "unchanged" : "ok") : "refused"));
      metrics.setSources({ build: () => core().index.id, health, questionLog: () => questionLog.stats() });
    }
    // Every channel's questions go through its logged view of the core (question log, metrics).
    const observe = metrics ? metrics.observeAnswer.bind(metrics) : undefined;
    const httpCore = loggedCore(core, "http", { questionLog, observe });
    const botCore = loggedCore(core, "telegram", { questionLog, observe });
    const feedback: FeedbackSink = ratingsToLog(questionLog, fileFeedbackSink(path.join(rt.config.stateDir, "feedback.jsonl")));
    const reload = (reason: string) => live.reload(reason);
    if (rt.config.indexWatch) live.watch();
    const onHup = () => void reload("SIGHUP");
    process.on("SIGHUP", onHup);
    stops.push(async () => {
      live.close();
      process.off("SIGHUP", onHup);
    });
    let bot: BotHandle | undefined;
    if (want.bot && rt.config.telegram.token) {
      const handle = await startBot(botCore, rt.config, rt.log, { feedback, ...(redis ? { redis } : {}) });
      bot = handle;
      // Stopped after the HTTP server has closed, so in-flight webhook updates finish first.
      stops.push(() => handle.stop());
      rt.stdout.write(`Telegram 机器人 @${bot.username} 已启动（${bot.mode === "webhook" ? "webhook" : "长轮询"}）\n`);
    } else if (want.bot && !want.serve) {
      throw new UsageError("the bot needs TELEGRAM_BOT_TOKEN (see .env.example)");
    }
    if (want.serve || bot?.mode === "webhook") {
      const { app: http, url } = await startHttpServer(httpCore, rt.config, rt.log, {
        ...(want.port !== undefined ? { port: want.port } : {}),
        ...(want.host ? { host: want.host } : {}),
        ...(bot?.plugin ? { plugins: [bot.plugin] } : {}),
        reload,
        health,
        questionLog,
        ...(metrics ? { metrics } : {}),
        // Counted in Redis (shared by replicas), in this process while Redis is down.
        ...(redis ? { rateLimitCounter: resilientCounter(redisWindowCounter(redis, "minsheng:ratelimit:http:")) } : {}),
      });
      rt.stdout.write(`民生问答热线工作台：${url}/\n`);
      stops.push(() => http.close());
    }
    if (bot) await bot.afterListen();
  } catch (error) {
    await stopAll();
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      rt.log.info(`${signal}: shutting down`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await stopAll();
  return 0;
}

const commands: Command[] = [
  {
    name: "index",
    summary: "build the index from seeds/ and make it live; --check, --diff, --rollback",
    usage: "index [--full] | --check | --diff [A B] [--json] | --rollback [ID]",
    options: {
      check: { type: "boolean", default: false },
      diff: { type: "boolean", default: false },
      rollback: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    async run({ values, positionals }, rt) {
      const modes = [values.check, values.diff, values.rollback].filter(Boolean).length;
      if (modes > 1) throw new UsageError("use one of --check, --diff, --rollback");
      if (values.check) {
        const report = await checkSeeds(rt.config, rt.log);
        if (values.json) rt.stdout.write(JSON.stringify(report, null, 2) + "\n");
        else {
          for (const d of report.documents) {
            rt.stdout.write(`ok ${d.id}: ${d.chunks} chunks, ${d.indicatorRows} indicator rows, service list ${d.serviceAreas.join(", ")}\n`);
          }
          for (const s of report.superseded) rt.stdout.write(`superseded (not indexed): ${s}\n`);
          rt.stdout.write(`ok ${report.rules} rules, ${report.ruleTests} test cases, every quote found\n`);
          rt.stdout.write(`ok lexicon: ${report.lexicon.terms} terms, ${report.lexicon.variants} variants, no conflicts or cycles\n`);
          const lib = report.library;
          rt.stdout.write(
            `ok question library: ${lib.questions} questions; ${lib.covered} of ${lib.passages} passages have at least 3 (${Math.round(lib.share * 1000) / 10} %)\n`,
          );
          if (lib.thin.length > 0) rt.stdout.write(`   passages with fewer than 3 questions: ${lib.thin.join(" ")}\n`);
          rt.stdout.write(`ok standards: ${report.standards.standards} standards, ${report.standards.entries} dated values, every source quote found\n`);
        }
        return 0;
      }
      if (values.diff) {
        if (positionals.length !== 0 && positionals.length !== 2) throw new UsageError("--diff takes no build id (live vs seeds) or two (A B)");
        let from: Snapshot;
        let to: Snapshot;
        if (positionals.length === 2) {
          from = snapshotFromBuild(rt.config.indexDir, positionals[0] as string);
          to = snapshotFromBuild(rt.config.indexDir, positionals[1] as string);
        } else {
          const live = currentBuildId(rt.config.indexDir);
          if (!live) throw new AppError("INDEX_MISSING", "no live build to compare with: run `index` first");
          from = snapshotFromBuild(rt.config.indexDir, live);
          to = await snapshotFromSeeds(rt.config);
        }
        const diff = diffSnapshots(from, to);
        rt.stdout.write((values.json ? JSON.stringify(diff, null, 2) : formatDiff(diff)) + "\n");
        return 0;
      }
      if (values.rollback) {
        if (positionals.length > 1) throw new UsageError("--rollback takes at most one build id");
        const { from, to } = rollbackBuild(rt.config.indexDir, positionals[0]);
        rt.stdout.write(`live build: ${from ?? "(none)"} → ${to}\n`);
        return 0;
      }
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const result = await buildIndex(rt.config, { log: rt.log, progress: createProgress(rt.stderr), cache: !values.full });
      const m = result.manifest;
      rt.stdout.write(
        `built ${m.id}: ${m.counts.documents} documents, ${m.counts.chunks} chunks, ` +
          `${m.counts.indicators} indicator rows, ${m.counts.serviceAreas} service areas, ${m.counts.rules} rules in ${m.buildMs} ms\n`,
      );
      return 0;
    },
  },
  {
    name: "ask",
    summary: "answer a question (or a batch file with --batch)",
    usage: 'ask "问题" [--city 六安市|淮南市] [--json]   |   ask --json --batch FILE',
    options: {
      city: { type: "string" },
      json: { type: "boolean", default: false },
      batch: { type: "string" },
    },
    async run({ values, positionals }, rt) {
      const city = values.city as string | undefined;
      if (values.batch) {
        if (!values.json) throw new UsageError("--batch writes JSON lines: add --json");
        requireKnownCity(await rt.app(), city, "--city");
        return askBatch(values.batch as string, rt, city);
      }
      const question = positionals.join(" ");
      if (!question.trim()) throw new UsageError("give a question, e.g. ask \"六安低保标准是多少\"");
      const app = await rt.app();
      requireKnownCity(app, city, "--city");
      const answer = await app.ask(question, { city });
      rt.stdout.write((values.json ? JSON.stringify(answer, null, 2) : formatAnswerText(answer)) + "\n");
      return 0;
    },
  },
  {
    name: "check",
    summary: "eligibility: a profile file, or questions one at a time",
    usage: "check [--json] [--profile FILE] [--topic 公租房] [--city 六安市]",
    options: {
      json: { type: "boolean", default: false },
      profile: { type: "string" },
      topic: { type: "string" },
      city: { type: "string" },
    },
    async run({ values }, rt) {
      const fromFile = values.profile ? readProfileFile(path.resolve(values.profile as string)) : {};
      const profile = values.city ? { ...fromFile, city: values.city as string } : fromFile;
      const app = await rt.app();
      requireKnownCity(app, profile.city, values.city ? "--city" : "the profile's city");
      if (!values.profile) {
        return interactiveCheck(app, { input: process.stdin, output: rt.stdout, tty: Boolean(process.stdin.isTTY) }, {
          topic: values.topic as string | undefined,
          profile,
        });
      }
      const result = app.check(profile, values.topic as string | undefined);
      rt.stdout.write((values.json ? JSON.stringify(result, null, 2) : app.eligibility.render(result.results).text) + "\n");
      return 0;
    },
  },
  {
    name: "rules",
    summary: "list the eligibility rule catalog, run every rule's test cases, or audit coverage of the plans",
    usage: "rules [--json] [--test] [--coverage]",
    options: {
      json: { type: "boolean", default: false },
      test: { type: "boolean", default: false },
      coverage: { type: "boolean", default: false },
    },
    async run({ values }, rt) {
      if (values.coverage) {
        const report = await auditRuleCoverage(rt.config, rt.log);
        const share = report.sentences ? (report.covered + report.explained) / report.sentences : 1;
        if (values.json) {
          const { unused, ...rest } = report;
          rt.stdout.write(JSON.stringify({ ...rest, uncovered: rest.uncovered.map(({ docId, quote }) => ({ docId, quote })), unusedExplanations: unused }, null, 2) + "\n");
        } else {
          for (const u of report.uncovered) rt.stdout.write(`uncovered ${u.docId}: [${u.groups.join("、")}] ${u.quote}\n`);
          for (const e of report.unused) rt.stdout.write(`stale explanation in rules/coverage.yaml (no such group sentence): ${e.doc}: ${e.quote}\n`);
          rt.stdout.write(
            `${report.sentences} group sentences: ${report.covered} covered by rules, ${report.explained} explained, ${report.uncovered.length} uncovered (${Math.round(share * 1000) / 10} % covered or explained)\n`,
          );
        }
        return 0;
      }
      if (values.test) {
        const { rules, cases, failures } = await testRuleSeeds(rt.config.seedsDir);
        for (const f of failures) rt.stderr.write(`FAIL ${escapeControls(f)}\n`);
        rt.stdout.write(`${rules} rules, ${cases} test cases: ${failures.length === 0 ? "all pass" : `${failures.length} failing`}\n`);
        return failures.length === 0 ? 0 : 1;
      }
      const catalog = (await rt.app()).eligibility.catalog();
      rt.stdout.write(
        (values.json
          ? JSON.stringify(catalog, null, 2)
          : catalog.map((r) => `${r.id.padEnd(52)} ${r.city.join("、").padEnd(8)} ${r.area.padEnd(7)} ${r.title}`).join("\n")) + "\n",
      );
      return 0;
    },
  },
  {
    name: "eval",
    summary: "score answers and the BM25 baseline on a question set",
    usage: "eval [--questions FILE] [--json] [--verbose]",
    options: {
      questions: { type: "string", default: "../shared/eval/dev.jsonl" },
      json: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
    async run({ values }, rt) {
      const report = await runEval(await rt.app(), path.resolve(rt.config.root, values.questions as string));
      if (values.verbose) {
        for (const [id, why] of report.failures) rt.stderr.write(`minsheng ${escapeControls(`${id}\t${why}`)}\n`);
      }
      rt.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatReport(report)) + "\n");
      return 0;
    },
  },
  {
    name: "review",
    summary: "the question log: unanswered questions grouped by wording, or every question as CSV",
    usage: "review --unanswered [--since 7d] [--linked] [--json]   |   review --export FILE [--since 7d]",
    options: {
      unanswered: { type: "boolean", default: false },
      export: { type: "string" },
      since: { type: "string" },
      linked: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    async run({ values, positionals }, rt) {
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (Boolean(values.unanswered) === (values.export !== undefined)) throw new UsageError("use one of --unanswered, --export FILE");
      const since = values.since === undefined ? undefined : parseSince(values.since as string);
      if (values.since !== undefined && since === undefined) throw new UsageError(`--since ${JSON.stringify(values.since)}: use a span (7d, 12h, 30m, 2w) or a date (2026-05-01)`);
      if (rt.config.questionLog.days === 0) throw new AppError("QUESTION_LOG_UNAVAILABLE", "the question log is off (QUESTION_LOG_DAYS=0)");
      const questionLog = openQuestionLog(rt.config, rt.log);
      try {
        if (values.export !== undefined) {
          const rows = await readLog(() => questionLog.list({ since }), questionLog);
          writeFileSync(path.resolve(values.export as string), toCsv(rows));
          rt.stdout.write(`wrote ${rows.length} question(s) to ${values.export as string}\n`);
          return 0;
        }
        const review = await readLog(() => unansweredReview(questionLog, { since, includeLinked: Boolean(values.linked) }), questionLog);
        if (values.json) rt.stdout.write(JSON.stringify(review.groups, null, 2) + "\n");
        else rt.stdout.write(formatReview(review));
        return 0;
      } finally {
        await questionLog.close();
      }
    },
  },
  {
    name: "serve",
    summary: "HTTP API + staff console",
    usage: "serve [--port 3000] [--host 127.0.0.1]",
    options: { port: { type: "string" }, host: { type: "string" } },
    async run({ values }, rt) {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError("--port must be 0–65535");
      return runServices(rt, { serve: true, bot: false, ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host as string } : {}) });
    },
  },
  {
    name: "start",
    summary: "the main job: index if missing, staff console (and the bot when TELEGRAM_BOT_TOKEN is set)",
    usage: "start",
    options: {},
    async run(_args, rt) {
      return runServices(rt, { serve: true, bot: true });
    },
  },
  {
    name: "bot",
    summary: "the Telegram bot (long polling; webhook mode with WEBHOOK_URL)",
    usage: "bot",
    options: {},
    async run(_args, rt) {
      return runServices(rt, { serve: false, bot: true });
    },
  },
  {
    name: "chat",
    summary: "an interactive question prompt in the terminal",
    usage: "chat [--city 六安市|淮南市]",
    options: { city: { type: "string" } },
    async run({ values }, rt) {
      return interactive(rt, values.city as string | undefined);
    },
  },
];

/** Read the question log, or fail with QUESTION_LOG_UNAVAILABLE naming the database and why. */
async function readLog<T>(read: () => Promise<T>, questionLog: QuestionLog): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new AppError("QUESTION_LOG_UNAVAILABLE", `cannot read the question log (${questionLog.description}): ${(error as Error).message}`);
  }
}

/** The unanswered review as text: one block per group, most asked first. */
function formatReview(review: Awaited<ReturnType<typeof unansweredReview>>): string {
  const { statuses: s } = review;
  const lines = [
    `${review.total} unanswered question(s)${review.since ? ` since ${review.since.slice(0, 16).replace("T", " ")} UTC` : ""} in ${review.groups.length} group(s): ` +
      `refused ${s.refused}, not stated ${s.not_stated}, thumbs down ${s.down}`,
  ];
  review.groups.forEach((g, i) => {
    const statuses = (["refused", "not_stated", "down"] as const).filter((k) => g.statuses[k] > 0).map((k) => `${k} ${g.statuses[k]}`);
    lines.push(
      "",
      `#${i + 1} ×${g.count}  ${g.firstAsked} … ${g.lastAsked}  ${statuses.join(", ")}  ${g.cities.join(" ") || "-"}  [${g.channels.join(", ")}]${g.linked.length ? `  linked: ${g.linked.join(" ")}` : ""}`,
      ...g.questions.map((q) => `    ${escapeControls(q.text)}  ×${q.count}`),
    );
  });
  if (review.omitted > 0) lines.push("", `${review.omitted} more question(s), the least asked wordings, are not grouped (see --export)`);
  return lines.join("\n") + "\n";
}

function usage(): string {
  return [
    "usage: npm run -s cli -- <command> [options]",
    "",
    ...commands.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`),
    "",
    "Settings come from the environment and .env (see .env.example).",
  ].join("\n");
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const stderr = process.stderr;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    (name ? process.stdout : stderr).write(usage() + "\n");
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    let args: { values: Record<string, unknown>; positionals: string[] };
    try {
      args = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    let app: Promise<App> | undefined;
    const rt: Runtime = {
      config,
      log,
      stdout: process.stdout,
      stderr,
      app: () => (app ??= createApp(config, { log, progress: createProgress(stderr) })),
    };
    return await command.run(args, rt);
  } catch (error) {
    // Messages may quote what was given (a city, a file name, a line): never raw control characters.
    if (error instanceof UsageError) {
      stderr.write(`${usage()}\n\nerror: ${escapeControls(error.message)}\n`);
    } else if (isAppError(error)) {
      stderr.write(`error [${error.code}]: ${escapeControls(error.message)}\n`);
    } else {
      stderr.write(`internal error: ${escapeControls((error as Error)?.stack ?? String(error))}\n`);
    }
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("src/cli.ts")) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`internal error: ${escapeControls((error as Error)?.stack ?? String(error))}\n`);
      process.exitCode = 1;
    },
  );
}

