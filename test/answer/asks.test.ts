import { describe, expect, it } from "vitest";
import { statesAsked } from "../../src/answer/asks.ts";
import { detectAsks, settlement, settlementClash } from "../../src/answer/intent.ts";
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
    ["在哪个医院做，要不要预约", ["office", "procedure"]],
    ["到天堂寨怎么走", ["route"]],
    ["淮南哪家牛肉汤最好喝", ["recommend"]],
    ["公租房怎么去申请", ["procedure"]],
    ["到2025年养老护理员要达到多少人", ["count"]],
    ["淮南12333周末有人接吗", ["hours"]],
    ["老年食堂在哪条街", ["office"]],
    ["有没有补贴一个月多少钱", ["amount"]],
    ["护理培训一年有几次", ["count"]],
    ["12333几点上班", ["hours"]],
  ])("%s → %j", (q, expected) => {
    expect(asks(q)).toEqual(expect.arrayContaining(expected));
  });

  it.each([["有没有那种帮着照看几天让我喘口气的服务"], ["一家四口挤在十几平米，公租房能分到吗"], ["有没有每个月发钱的补贴"]])(
    "%s asks no figure",
    (q) => {
      expect(asks(q)).toEqual([]);
    },
  );
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

  it("when: a year or month, not a period without one", () => {
    expect(statesAsked(["date"], "到2025年底，全面建成覆盖城乡的老年助餐服务网络")).toBe(true);
    expect(statesAsked(["date"], "推进武王墩墓考古遗址公园建设工作")).toBe(false);
  });
});

describe("towns or villages", () => {
  it("a question about towns is not answered by a figure about villages, nor the other way round", () => {
    const clash = (q: string, text: string) => settlementClash(lexicon, normalizeText(q), text);
    expect(settlement(lexicon, normalizeText("淮南城里的低保多少"))).toBe("城镇");
    expect(settlement(lexicon, normalizeText("城乡低保标准"))).toBeUndefined();
    expect(clash("淮南城里的低保标准多少", "农村低保平均保障标准从 2400 元/年提高到 7641 元/年")).toBe(true);
    expect(clash("淮南农村低保标准多少", "农村低保平均保障标准从 2400 元/年提高到 7641 元/年")).toBe(false);
    expect(clash("乡下的低保多少", "城乡低保标准提高至630元/人/月")).toBe(false);
    expect(clash("低保多少", "农村低保平均保障标准")).toBe(false);
  });
});
