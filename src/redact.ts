/*
 * Personal numbers out of text: Chinese ID-card numbers, mobile numbers (with or without +86 / 86 /
 * 0086, grouped by spaces or hyphens, in full-width digits) and bank-card numbers (16–19 digits that
 * pass the Luhn check). Used on every log line, on feedback before it is stored, and on error texts.
 */

const DIGITS = "0-9\uFF10-\uFF19";
/** What people put between digit groups: spaces (incl. no-break and ideographic) and hyphens/dashes. */
const SEPARATORS = " \u00A0\u3000\\-\u2010\u2011\u2012\u2013\u2014\uFF0D";
const CHECK_LETTER = "Xx\uFF38\uFF58";

/** A run of digit groups, each joined to the next by one or two separators, optionally after + and before X. */
const CANDIDATE = new RegExp(`[+\uFF0B]?[${DIGITS}]+(?:[${SEPARATORS}]{1,2}[${DIGITS}]+)*[${CHECK_LETTER}]?`, "g");
const GROUP = new RegExp(`[${DIGITS}]+`, "g");
/** Longest run of groups tried as one number ("+86 138 1234 5678" is five). */
const MAX_GROUPS = 8;

export const PLACEHOLDERS = { idCard: "[身份证号]", mobile: "[手机号]", bankCard: "[银行卡号]", number: "[号码]" } as const;

const halfWidth = (s: string) => s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** The Luhn checksum of a digit string (bank cards). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const plausibleBirth = (d: string) => /^(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/.test(d.slice(6, 14));

/** What kind of personal number `digits` (ASCII, separators removed) is, if any. */
function classify(digits: string, checkLetter: boolean): string | undefined {
  const n = digits.length;
  if (checkLetter) return n === 17 ? PLACEHOLDERS.idCard : n >= 20 ? PLACEHOLDERS.number : undefined;
  if (n === 11 && /^1[3-9]/.test(digits)) return PLACEHOLDERS.mobile;
  if (n === 13 && /^861[3-9]/.test(digits)) return PLACEHOLDERS.mobile;
  if (n === 15 && /^00861[3-9]/.test(digits)) return PLACEHOLDERS.mobile;
  if (n === 18 && (plausibleBirth(digits) || !luhnValid(digits))) return PLACEHOLDERS.idCard;
  if (n >= 16 && n <= 19 && luhnValid(digits)) return PLACEHOLDERS.bankCard;
  // Longer runs may be several numbers written together: hidden whole.
  if (n >= 20) return PLACEHOLDERS.number;
  return undefined;
}

/** Redact the personal numbers inside one candidate run, trying groups from the longest span down. */
function redactRun(run: string): string {
  const groups = [...run.matchAll(GROUP)].map((m) => ({ start: m.index, end: m.index + m[0].length, digits: halfWidth(m[0]) }));
  const last = groups.length - 1;
  const letter = new RegExp(`[${CHECK_LETTER}]$`).test(run);
  let out = "";
  let copied = 0;
  for (let i = 0; i <= last; ) {
    let matched = -1;
    let label: string | undefined;
    for (let j = Math.min(last, i + MAX_GROUPS - 1); j >= i && matched < 0; j--) {
      const digits = groups
        .slice(i, j + 1)
        .map((g) => g.digits)
        .join("");
      label = classify(digits, letter && j === last) ?? (letter && j === last ? classify(digits, false) : undefined);
      if (label) matched = j;
    }
    if (matched < 0 || !label) {
      i++;
      continue;
    }
    const from = i === 0 ? 0 : (groups[i] as { start: number }).start;
    const to = matched === last ? run.length : (groups[matched] as { end: number }).end;
    out += run.slice(copied, from) + label;
    copied = to;
    i = matched + 1;
  }
  return out + run.slice(copied);
}

/**
 * Replace ID-card, mobile and bank-card numbers in `text` with placeholders ([身份证号], [手机号],
 * [银行卡号]; a run of 20+ digits, which may hide several, becomes [号码]).
 *
 * @example
 * redact("电话+86 138-1234-5678") // "电话[手机号]"
 */
export function redact(text: string): string {
  if (!/[0-9\uFF10-\uFF19]/.test(text)) return text;
  return text.replace(CANDIDATE, (run) => (run.length < 11 ? run : redactRun(run)));
}

/** Words that introduce a personal number ("我的手机号是", "电话：", "身份证"): they go with the number. */
const LABEL = "(?:我的|我|本人)?(?:联系电话|电话号码|电话号|电话|手机号码|手机号|手机|身份证号码|身份证号|身份证|银行卡号|银行卡|卡号|号码)\\s*(?:是|为)?\\s*[:：]?\\s*";
const PLACEHOLDER_RE = Object.values(PLACEHOLDERS)
  .map((p) => p.replace(/[[\]]/g, "\\$&"))
  .join("|");
const LABELLED = new RegExp(`(?:${LABEL})?(?:${PLACEHOLDER_RE})`, "g");

/**
 * The text as it is read: personal numbers taken out together with the words that introduce them
 * (so "我电话13956781234 六安低保标准是多少" asks for the 低保 standard, not a phone number) and
 * the placeholders (they are not words of a question). Text without a personal number is returned as is.
 *
 * @example
 * withoutPersonalNumbers("我电话13956781234 六安低保标准是多少") // "六安低保标准是多少"
 */
export function withoutPersonalNumbers(text: string): string {
  const redacted = redact(text);
  if (redacted === text) return text;
  return redacted
    .replace(LABELLED, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[，,。；;：:、\s]+/, "");
}
