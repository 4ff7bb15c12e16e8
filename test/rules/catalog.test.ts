import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { loadCorpus } from "../../src/corpus/load.ts";
import { isAppError, type AppError } from "../../src/errors.ts";
import { buildIndex } from "../../src/index/build.ts";
import { currentBuildId } from "../../src/index/store.ts";
import { silentLogger } from "../../src/log.ts";
import { buildCatalog, findConflicts, loadRuleSources, runRuleTests, type RuleSource } from "../../src/rules/catalog.ts";
import { RuleFileSchema } from "../../src/rules/schema.ts";
import { ROOT } from "../helpers.ts";

const seeds = path.join(ROOT, "seeds");
const sources = loadRuleSources(seeds);
const corpus = await loadCorpus(seeds);
const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-rules-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("the rule catalog in seeds/rules", () => {
  it("covers all nine areas and both cities with at least 30 rules", () => {
    const rules = buildCatalog(sources, corpus);
    expect(rules.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rules.map((r) => r.area)).size).toBe(9);
    for (const city of ["六安市", "淮南市"]) expect(rules.filter((r) => r.cities.includes(city)).length).toBeGreaterThan(10);
  });

  it.each(sources.map((s) => [s.spec.id, s] as const))("%s passes its own test cases", (_id, source) => {
    expect(runRuleTests(source.spec)).toEqual([]);
    expect(source.spec.tests.some((t) => t.verdict === "eligible" || t.verdict === "conditional" || t.verdict === "unknown")).toBe(true);
  });

  it("ties every quote to the chunk that holds it", () => {
    for (const rule of buildCatalog(sources, corpus)) {
      for (const q of rule.quoteChunks) {
        const chunk = corpus.chunks.find((c) => c.id === q.chunkId);
        expect(chunk?.text.replace(/\s+/g, "")).toContain(q.text.replace(/\s+/g, ""));
      }
    }
  });
});

describe("bad rules fail with a message naming the file, rule and field", () => {
  const first = sources[0] as RuleSource;
  const mutate = (change: (s: RuleSource) => RuleSource) => [change(structuredClone(first)), ...sources.slice(1)];

  it("a quote that is not in the corpus", () => {
    const error = thrown(() =>
      buildCatalog(mutate((s) => ({ ...s, spec: { ...s.spec, quotes: [{ doc: s.spec.quotes[0]!.doc, text: "规划里没有这句话的原文" }] } })), corpus),
    );
    expect(isAppError(error, "RULES_INVALID")).toBe(true);
    expect(error.message).toContain(first.file);
    expect(error.message).toContain(first.spec.id);
    expect(error.message).toContain("规划里没有这句话的原文");
  });

  it("every broken rule is reported in one pass, not just the first", () => {
    const second = sources[1] as RuleSource;
    const bad = [
      { ...structuredClone(first), spec: { ...first.spec, quotes: [{ doc: first.spec.quotes[0]!.doc, text: "第一条不存在的原文" }] } },
      { ...structuredClone(second), spec: { ...second.spec, quotes: [{ doc: second.spec.quotes[0]!.doc, text: "第二条不存在的原文" }] } },
      ...sources.slice(2),
    ];
    const error = thrown(() => buildCatalog(bad, corpus));
    expect(error.message).toMatch(/^2 problems in the rule catalog/);
    expect(error.message).toContain(`rule ${first.spec.id}: quote not found`);
    expect(error.message).toContain(`rule ${second.spec.id}: quote not found`);
    expect((error as AppError).details?.["problems"]).toHaveLength(2);
  });

  it("a quote from another city's plan, or an unknown document", () => {
    const other = mutate((s) => ({ ...s, spec: { ...s.spec, quotes: [{ doc: "no-such-doc", text: "公租房保障" }] } }));
    expect(thrown(() => buildCatalog(other, corpus)).message).toMatch(/no-such-doc/);
  });

  it("a failing test case", () => {
    const bad = mutate((s) => ({ ...s, spec: { ...s.spec, tests: [...s.spec.tests, { profile: {}, verdict: "eligible" as const }] } }));
    expect(thrown(() => buildCatalog(bad, corpus)).message).toMatch(/test cases fail/);
  });

  it("an unknown fact name or a wrong value type in a condition", () => {
    const base = { area: "住有所居", rules: [structuredClone(first.spec)] };
    const unknownFact = structuredClone(base);
    unknownFact.rules[0]!.group = [{ salary: 3000 }];
    const r1 = RuleFileSchema.safeParse(unknownFact);
    expect(r1.success).toBe(false);
    expect(JSON.stringify(r1.error?.issues)).toContain('unknown fact \\"salary\\"');
    const wrongType = structuredClone(base);
    wrongType.rules[0]!.group = [{ age: { gte: "sixty" } as never }];
    expect(RuleFileSchema.safeParse(wrongType).success).toBe(false);
    const wrongValue = structuredClone(base);
    wrongValue.rules[0]!.group = [{ employment: "宇航员" }];
    const r3 = RuleFileSchema.safeParse(wrongValue);
    expect(JSON.stringify(r3.error?.issues)).toContain("not a valid value of employment");
  });

  it("a malformed rule file names the file", () => {
    const dir = path.join(work, "bad-yaml");
    cpSync(seeds, dir, { recursive: true });
    writeFileSync(path.join(dir, "rules", "zz-broken.yaml"), "area: 住有所居\nrules:\n  - id: [unclosed\n");
    const error = thrown(() => loadRuleSources(dir));
    expect(isAppError(error, "RULES_INVALID")).toBe(true);
    expect(error.message).toContain("zz-broken.yaml");
  });

  it("two rules that contradict each other for the same person", () => {
    const a = { id: "x.a.b", service: "公租房", cities: ["六安市"], group: [{ employment: "灵活就业" }], requires: [], verdict: "eligible" as const };
    const b = {
      id: "x.c.d",
      service: "公租房",
      cities: ["六安市"],
      group: [{ employment: "灵活就业" }],
      requires: [{ any: [{ housing: "有房" }], fail: "x" }],
      verdict: "eligible" as const,
    };
    const conflicts = findConflicts([a, b]);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatch(/x\.a\.b and x\.c\.d contradict/);
    expect(findConflicts([a, { ...b, service: "另一项服务" }])).toEqual([]);
  });
});

describe("index build checks the rules", () => {
  it("a rule whose quote was removed from a seed fails the build naming the rule; the live index stays", async () => {
    const dir = path.join(work, "seeds-edit");
    cpSync(seeds, dir, { recursive: true });
    const indexDir = path.join(work, "index");
    const config = loadConfig({ env: { MINSHENG_SEEDS_DIR: dir, MINSHENG_INDEX_DIR: indexDir, LOG_LEVEL: "silent" }, root: ROOT });
    const { id } = await buildIndex(config, { log: silentLogger });
    const file = path.join(dir, "000_efc89e334599d1ca.txt");
    writeFileSync(file, readFileSync(file, "utf8").replace("鼓励灵活就业人员参加住房公积金制度。", ""));
    let caught: unknown;
    await buildIndex(config, { log: silentLogger }).catch((e: unknown) => (caught = e));
    expect(isAppError(caught, "RULES_INVALID")).toBe(true);
    expect((caught as Error).message).toContain("luan.housing-fund.flexible-workers");
    expect(currentBuildId(indexDir)).toBe(id);
  });
});
