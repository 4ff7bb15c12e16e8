import { escapeControls } from "../channels/cli/terminal.ts";
import { auditRuleCoverage } from "../index/seeds.ts";
import { testRuleSeeds } from "../rules/catalog.ts";
import { defineCommand } from "./command.ts";

/** `rules`: the eligibility rule catalog, its test cases, or how much of the plans the rules cover. */
export const rulesCommand = defineCommand({
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
});
