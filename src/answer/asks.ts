import type { Ask } from "../corpus/lexicon.ts";

/*
 * What a question asks for, and whether a passage states that kind of fact. A figure is shown only
 * when a cited sentence gives a number of the asked kind (money with 元, a count with 个/所/名/人 …);
 * details the plans do not give (materials, an office's address, a phone number, a deadline) make
 * the answer `not_stated` instead of an unrelated quote or number.
 */

/** Details the plans rarely state; answered `not_stated` unless a passage does state them. */
export const DETAIL_ASKS: readonly Ask[] = ["office", "phone", "materials", "deadline", "hours", "cost", "date"];

/** What no plan ever states: a question asking only these is refused without quoting a passage. */
export const NEVER_STATED: readonly Ask[] = ["route", "recommend"];

const NUMBER = String.raw`\d+(?:\.\d+)?\s*(?:多|余|左右)?\s*(?:万|千|百|亿)?`;

/** A number of each asked kind, as a passage writes it. */
const STATES: Partial<Record<Ask, RegExp>> = {
  amount: new RegExp(`${NUMBER}\\s*元`),
  count: new RegExp(`${NUMBER}\\s*(?:个|所|家|名|人|张|套|户|项|处|座|间|支|次|条|台|辆|块|位|床|万人|万个|万张|万套)`),
  percent: /\d+(?:\.\d+)?\s*[%％‰]|百分之/,
  area_size: new RegExp(`${NUMBER}\\s*(?:平方米|平方公里|亩|㎡|公顷)`),
  duration: new RegExp(`${NUMBER}\\s*(?:年|个月|月|天|日|小时|周)`),
  length: new RegExp(`${NUMBER}\\s*(?:公里|千米|米|里)`),
  standard: /\d/,
  phone: /(?<!\d)(?:\d{5}|\d{3,4}-?\d{7,8}|1\d{10})(?!\d)|“\d{5}”/,
  office: /(设在|位于|地址|窗口|服务大厅|办事大厅)/,
  materials: /(材料|证明|证件|身份证|户口簿)/,
  deadline: /(截止|之前报名|报名时间)/,
  hours: /(开放时间|开放时长|小时开放|全天开放|\d+\s*[点时])/,
  cost: /(免费|收费|免除|减免|免学费|免学杂费|费用|自付|不收)/,
  // "什么时候建成": a year or month ("到2025年底"), not "十四五期间".
  date: /\d{4}\s*年|\d{1,2}\s*月(?:底|份|前)?|年底前|年内/,
};

/** An amount per person or period ("630元/人/月", "每人每年…元"). */
const RATE = /元\s*[/／]|每[^，。；]{0,8}\d+(?:\.\d+)?\s*(?:万|千)?\s*元|元\s*每/;

/** Units an indicator row's unit cell may name, by kind. */
const ROW_UNITS: Partial<Record<Ask, RegExp>> = {
  amount: /元/,
  count: /(个|所|家|名|人|张|套|户|项|处|座|床)/,
  percent: /(%|％|‰)/,
  area_size: /(平方米|亩|㎡|公顷)/,
  duration: /(年|月|天)/,
  length: /(公里|千米|米)/,
};

/** The figure kinds a question asks for (a generic "多少" is `standard`). */
export function figureAsks(asks: readonly Ask[]): Ask[] {
  return asks.filter((a) => a in ROW_UNITS || a === "standard");
}

/**
 * Whether `text` states what the question asks for. With several figure kinds any one will do; a
 * question per person or period ("一个月多少钱") needs a rate, not a total. An indicator row's
 * unit cell counts as stating its kind.
 *
 * @example
 * statesAsked(["amount", "rate"], "城乡低保标准提高至630元/人/月") // true
 * statesAsked(["amount"], "每村卫生室村医2.48名") // false
 */
export function statesAsked(asks: readonly Ask[], text: string, unit?: string): boolean {
  const figures = figureAsks(asks).filter((a) => a !== "standard");
  const details = asks.filter((a) => DETAIL_ASKS.includes(a));
  if (figures.length > 0) {
    const ok = figures.some((a) => {
      if (unit !== undefined && ROW_UNITS[a]?.test(unit)) return true;
      if (!STATES[a]?.test(text)) return false;
      return a !== "amount" || !asks.includes("rate") || RATE.test(text);
    });
    if (!ok) return false;
  } else if (asks.includes("standard") && !/\d/.test(text) && unit === undefined) {
    return false;
  }
  return details.every((a) => STATES[a]?.test(text) ?? false);
}

/** True when the question asks for something only a stated fact can answer (a figure or a detail). */
export function asksForFact(asks: readonly Ask[]): boolean {
  return figureAsks(asks).length > 0 || asks.some((a) => DETAIL_ASKS.includes(a));
}
