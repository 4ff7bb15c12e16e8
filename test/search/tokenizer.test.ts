import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/search/normalize.ts";
import { expandSynonyms, loadSynonyms, synonymTerms } from "../../src/search/synonyms.ts";
import { createTokenizer, parseDictionary } from "../../src/search/tokenizer.ts";
import path from "node:path";
import { ROOT } from "../helpers.ts";

const synonyms = loadSynonyms(path.join(ROOT, "seeds"));
const tokenizer = createTokenizer(["灵活就业", "住房公积金", "新就业形态", "特困供养", "两项补贴"]);

describe("normalizeText", () => {
  it("converts traditional to simplified, full-width to half-width, and lower-cases", () => {
    expect(normalizeText("住房公積金 靈活就業")).toBe("住房公积金 灵活就业");
    expect(normalizeText("ＡＢＣ　１２３％（个）")).toBe("abc 123%(个)");
    expect(normalizeText("  多个   空格 ")).toBe("多个 空格");
  });
});

describe("tokenizer", () => {
  it("keeps domain words whole and drops question words", () => {
    const words = tokenizer.cut("打零工的能交住房公积金吗？灵活就业人员");
    expect(words).toContain("住房公积金");
    expect(words).toContain("灵活就业");
    expect(words).not.toContain("吗");
    expect(words).not.toContain("的");
  });

  it("search mode also yields the parts of long words", () => {
    expect(tokenizer.words("住房公积金")).toEqual(expect.arrayContaining(["住房", "公积金", "住房公积金"]));
  });

  it("reads traditional characters like simplified ones", () => {
    expect(tokenizer.cut("靈活就業人員參加住房公積金")).toEqual(tokenizer.cut("灵活就业人员参加住房公积金"));
  });

  it("makes character bigrams of CJK runs only", () => {
    expect(tokenizer.bigrams("公租房abc低保")).toEqual(["公租", "租房", "低保"]);
  });

  it("parses a jieba user dictionary", () => {
    expect(parseDictionary("住房公积金 2000 n\n# comment\n\n灵活就业\n")).toEqual(["住房公积金", "灵活就业"]);
  });
});

describe("synonyms", () => {
  it("adds the official term for colloquial words", () => {
    expect(expandSynonyms("打零工的能交公积金吗", synonyms).added).toEqual(expect.arrayContaining(["灵活就业", "住房公积金"]));
    expect(expandSynonyms("五保户有什么待遇", synonyms).added).toContain("特困人员");
    expect(expandSynonyms("外卖骑手有工伤保险吗", synonyms).added).toContain("新就业形态");
    expect(expandSynonyms("廉租房怎么申请", synonyms).added).toContain("公租房");
  });

  it("does not add a term the question already has, and prefers the longest variant", () => {
    expect(expandSynonyms("住房公积金", synonyms).added).not.toContain("住房公积金");
    const m = expandSynonyms("送外卖的骑手", synonyms).matched.map((x) => x.variant);
    expect(m).toContain("送外卖");
  });

  it("lists every term for the tokenizer dictionary", () => {
    expect(synonymTerms(synonyms)).toEqual(expect.arrayContaining(["特困人员", "五保户", "灵活就业", "打零工"]));
  });
});
