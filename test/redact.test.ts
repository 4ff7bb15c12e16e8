import { describe, expect, it } from "vitest";
import { luhnValid, redact, withoutPersonalNumbers } from "../src/redact.ts";

describe("redact", () => {
  it.each([
    ["电话13812345678", "电话[手机号]"],
    ["+8613812345678", "[手机号]"],
    ["8613812345678", "[手机号]"],
    ["0086 138 1234 5678", "[手机号]"],
    ["打138-1234-5678找我", "打[手机号]找我"],
    ["１３８ １２３４ ５６７８", "[手机号]"],
    ["身份证34150219900101123x", "身份证[身份证号]"],
    ["341502 19900101 1234", "[身份证号]"],
    ["３４１５０２１９９００１０１１２３Ｘ", "[身份证号]"],
    ["34150219900101123X13812345678", "[身份证号][手机号]"],
    ["卡6222 0212 3456 7890 128", "卡[银行卡号]"],
    ["4111-1111-1111-1111", "[银行卡号]"],
    ["2021年 13812345678", "2021年 [手机号]"],
  ])("%s → %s", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    "城乡低保标准提高至630元/人/月",
    "“12333”人力资源和社会保障电话服务",
    "index 20261123T131912.123Z-caae9bc7-a1b2c3",
    "2026-11-23T13:19:12.123Z",
    "订单1234567890123456（不过 Luhn 校验）",
    "人均体育场地面积（平方米）2.09 2.6",
    "共计9项，2025年达到95%",
  ])("leaves ordinary numbers: %s", (text) => {
    expect(redact(text)).toBe(text);
  });

  it("checks bank cards with Luhn", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });
});

describe("withoutPersonalNumbers (the text that is read)", () => {
  it.each([
    ["我电话13956781234 六安低保标准是多少", "六安低保标准是多少"],
    ["我的手机号是：139-5678-1234，淮南公租房谁能申请", "淮南公租房谁能申请"],
    ["身份证号34150219900101123X，六安低保标准是多少", "六安低保标准是多少"],
    ["银行卡 6222 0212 3456 7890 128 能领补贴吗", "能领补贴吗"],
    ["13956781234 六安低保标准是多少", "六安低保标准是多少"],
  ])("%s → %s", (text, read) => {
    expect(withoutPersonalNumbers(text)).toBe(read);
  });

  it("leaves a message without a personal number as it is (a question for a phone keeps 电话)", () => {
    expect(withoutPersonalNumbers("六安低保办电话多少")).toBe("六安低保办电话多少");
    expect(withoutPersonalNumbers("低保标准630元")).toBe("低保标准630元");
  });
});
