import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/util/normalize.ts";
import { expandQuery } from "../../src/search/expand.ts";
import { createTokenizer, parseDictionary } from "../../src/search/tokenizer.ts";
import { seedLexicon } from "../helpers.ts";

const lexicon = seedLexicon();
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

describe("expansion from the lexicon", () => {
  it("adds the official term for colloquial words", () => {
    expect(expandQuery("打零工的能交公积金吗", lexicon).added).toEqual(expect.arrayContaining(["住房公积金"]));
    expect(expandQuery("五保户有什么待遇", lexicon).added).toContain("特困人员");
    expect(expandQuery("外卖骑手有工伤保险吗", lexicon).added.join()).toMatch(/新就业形态/);
    expect(expandQuery("廉租房怎么申请", lexicon).added).toContain("公租房");
  });

  it("does not add a term the question already has, and prefers the longest variant", () => {
    expect(expandQuery("住房公积金", lexicon).added).not.toContain("住房公积金");
    const m = expandQuery("送外卖的骑手", lexicon).matched.map((x) => x.variant);
    expect(m).toContain("送外卖");
  });
});
