import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lexiconEntries, LexiconSchema, lexiconProblems, loadLexicon, type Lexicon } from "../../src/corpus/lexicon.ts";
import { matchLexicon } from "../../src/corpus/lexicon-match.ts";
import { normalizeText } from "../../src/util/normalize.ts";
import { seedLexicon } from "../helpers.ts";

function lexiconOf(spec: unknown): Lexicon {
  return { entries: lexiconEntries(LexiconSchema.parse(spec)) };
}

function writeLexicon(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lexicon-"));
  writeFileSync(path.join(dir, "lexicon.yaml"), yaml);
  return dir;
}

describe("the lexicon", () => {
  const lexicon = seedLexicon();

  it("has at least 1,000 variants across its kinds, and every kind is used", () => {
    const variants = lexicon.entries.reduce((n, e) => n + e.forms.filter((f) => f !== e.term).length, 0);
    expect(variants).toBeGreaterThanOrEqual(1000);
    for (const kind of ["services", "groups", "areas", "facts", "asks", "persons", "places", "intents"]) {
      expect(lexicon.entries.some((e) => e.kind === kind), kind).toBe(true);
    }
  });

  it("matches leftmost-longest: a standard term is never read as a shorter variant inside it", () => {
    const m = matchLexicon(lexicon, "低保边缘户能申请吗", ["facts"]);
    expect(m.map((x) => x.entry.term)).toEqual(["incomeStatus=低保边缘"]);
    const spec = lexiconOf({ services: [{ term: "大病保险", variants: ["大病"] }, { term: "医疗救助", variants: ["看病救助"] }] });
    expect(matchLexicon(spec, "大病保险报销", ["services"]).map((x) => x.form)).toEqual(["大病保险"]);
  });

  it("reads gap forms ('在…打工') and traditional characters", () => {
    expect(matchLexicon(lexicon, "在六安打工", ["facts"]).map((x) => x.entry.term)).toContain("migrantWorkerFamily=true");
    expect(matchLexicon(lexicon, normalizeText("我是農村戶口"), ["facts"]).map((x) => x.entry.term)).toContain("hukou=农村");
  });

  it("a variant standing for two terms of one kind fails, naming both entries", () => {
    const problems = lexiconProblems(
      lexiconOf({ services: [{ term: "公租房", variants: ["廉租房"] }, { term: "保障性租赁住房", variants: ["廉租房"] }] }).entries,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe("services[1] (保障性租赁住房)");
    expect(problems[0]?.message).toContain("services[0] (公租房)");
  });

  it("a standard term used as another entry's variant is a cycle", () => {
    const problems = lexiconProblems(lexiconOf({ groups: [{ term: "残疾人", variants: ["残障人士"] }, { term: "残障人士", variants: ["残疾人"] }] }).entries);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/cycle/);
  });

  it("the same word may stand for one term in each kind", () => {
    const spec = lexiconOf({
      services: [{ term: "最低生活保障", variants: ["低保"] }],
      facts: [{ fact: "incomeStatus", value: "低保", variants: ["低保"] }],
    });
    expect(lexiconProblems(spec.entries)).toEqual([]);
  });

  it("loading fails with LEXICON_INVALID naming the file: malformed YAML, wrong shape, unknown fact, conflicts", () => {
    expect(() => loadLexicon(writeLexicon("services: [ {term: 公租房"))).toThrow(expect.objectContaining({ code: "LEXICON_INVALID" }));
    expect(() => loadLexicon(writeLexicon("services:\n  - term: 公租房\n    variants: 廉租房\n"))).toThrow(/lexicon\.yaml does not validate/);
    expect(() => loadLexicon(writeLexicon("asks:\n  - term: salary\n    variants: [工资]\n"))).toThrow(/asks/);
    const knownFact = (fact: string) => (fact === "hukou" ? undefined : `unknown fact "${fact}"`);
    expect(() => loadLexicon(writeLexicon("facts:\n  - fact: shoeSize\n    value: 42\n    variants: [大脚]\n"), knownFact)).toThrow(
      /facts\[0\] \(shoeSize=42\): unknown fact "shoeSize"/,
    );
    expect(() =>
      loadLexicon(writeLexicon("groups:\n  - term: 残疾人\n    variants: [残障]\n  - term: 残疾儿童\n    variants: [残障]\n")),
    ).toThrow(/groups\[1\] \(残疾儿童\): "残障" also stands for groups\[0\] \(残疾人\)/);
  });
});
