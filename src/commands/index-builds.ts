import { buildIndex } from "../index/build.ts";
import { checkSeeds } from "../index/seeds.ts";
import { diffSnapshots, snapshotFromBuild, snapshotFromSeeds, type Snapshot } from "../index/diff.ts";
import { formatDiff } from "../index/format-diff.ts";
import { currentBuildId, rollbackBuild } from "../index/store.ts";
import { createProgress } from "../channels/cli/progress.ts";
import { AppError } from "../errors.ts";
import { defineCommand, UsageError } from "./command.ts";

/** `index`: build the index from seeds/ and make it live; or check the seeds, diff two builds, roll back. */
export const indexCommand = defineCommand({
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
});
