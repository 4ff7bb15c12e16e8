/* Small text formatters every layer shares. */

/** Citation markers for some numbers: [1][2]. */
export function refs(numbers: readonly number[]): string {
  return numbers.map((n) => `[${n}]`).join("");
}

const CN_DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

/** A Chinese numeral as a number: "十四" → 14, "二十一" → 21, "一百零二" → 102, "两" → 2. */
export function chineseNumeral(s: string): number {
  let total = 0;
  let current = 0;
  for (const ch of s) {
    if (ch === "百") {
      total += (current || 1) * 100;
      current = 0;
    } else if (ch === "十") {
      total += (current || 1) * 10;
      current = 0;
    } else {
      current = CN_DIGITS[ch] ?? 0;
    }
  }
  return total + current;
}

/** Adjacent character pairs of a text, in order ("低保标准" → 低保, 保标, 标准); none for one character. */
export function charBigrams(text: string): string[] {
  const chars = [...text];
  return chars.slice(1).map((c, i) => (chars[i] as string) + c);
}

/**
 * The clauses of a message, split at punctuation and spaces ("我是淮南的 想问下蚌埠低保多少" → two):
 * the last one is usually what is asked.
 */
export function messageClauses(text: string): string[] {
  return text.split(/[，,。；;！!？?\s]+/).filter(Boolean);
}

/** A text to match literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
