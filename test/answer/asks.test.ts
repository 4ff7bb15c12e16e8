import { describe, expect, it } from "vitest";
import { statesAsked } from "../../src/answer/asks.ts";
import { detectAsks } from "../../src/answer/intent.ts";
import { normalizeText } from "../../src/util/normalize.ts";
import { seedLexicon } from "../helpers.ts";

const lexicon = seedLexicon();
const asks = (q: string) => detectAsks(lexicon, normalizeText(q));

describe("what a question asks for", () => {
  it.each([
    ["六安低保一个月多少钱", ["rate", "amount"]],
    ["淮南公租房要带什么材料，去哪办", ["materials", "office"]],
    ["养老院有几家", ["count"]],
    ["巩固率是多少", ["percent"]],
    ["人社电话多少", ["phone"]],
    ["育儿假能休几天", ["duration"]],
    ["体育馆收费吗", ["cost"]],
    ["老年助餐什么时候建成", ["date"]],
  ])("%s → %j", (q, expected) => {
    expect(asks(q)).toEqual(expect.arrayContaining(expected));
  });
});

describe("whether a passage states what is asked", () => {
  it("money needs 元, and a per-month question needs a rate, not a total", () => {
    expect(statesAsked(["rate", "amount"], "城乡低保标准提高至630元/人/月")).toBe(true);
    expect(statesAsked(["rate", "amount"], "全市累计发放租赁补贴2.07亿元")).toBe(false);
    expect(statesAsked(["amount"], "全市累计发放租赁补贴2.07亿元")).toBe(true);
    expect(statesAsked(["amount"], "每村卫生室村医2.48名")).toBe(false);
  });

  it("counts need a counting unit, shares a percent sign", () => {
    expect(statesAsked(["count"], "社会体育指导员超过1万名")).toBe(true);
    expect(statesAsked(["count"], "两项补贴覆盖率100%")).toBe(false);
    expect(statesAsked(["percent"], "两项补贴覆盖率100%")).toBe(true);
  });

  it("an indicator row's unit cell states its kind", () => {
    expect(statesAsked(["percent"], "九年义务教育巩固率", "%")).toBe(true);
    expect(statesAsked(["amount"], "每千人口拥有3岁以下婴幼儿托位数", "个")).toBe(false);
  });

  it("details: a phone number, materials, an office", () => {
    expect(statesAsked(["phone"], "“12333”人力资源和社会保障电话服务")).toBe(true);
    expect(statesAsked(["phone"], "建立未成年人保护工作热线")).toBe(false);
    expect(statesAsked(["materials"], "对城镇户籍低保、低收入住房困难家庭依申请应保尽保")).toBe(false);
    expect(statesAsked(["office", "cost"], "培训家政服务人员7.5万人次以上")).toBe(false);
  });
});
