import path from "node:path";
import { z } from "zod";
import { readYamlFile } from "../util/files.ts";
import { concreteValues, factSchema, FACT_NAMES, type FactName, type FactValue } from "../contract/profile.ts";
import type { RuleSpec } from "./schema.ts";

/*
 * How facts are shown and asked (prompts/facts.zh.yaml), and the answer options of each fact:
 * enum values with their labels, booleans, and for numbers ranges cut at the rules' thresholds (any
 * value inside a range decides every rule the same way, so the wizard can offer buttons).
 */

const FactTextSchema = z
  .object({
    label: z.string().min(1),
    question: z.string().min(1),
    group: z.string().min(1),
    options: z.record(z.string(), z.string()).optional(),
    unit: z.string().optional(),
  })
  .strict();

export const FactTextsSchema = z
  .record(z.string(), FactTextSchema)
  .superRefine((texts, ctx) => {
    for (const name of FACT_NAMES) if (!texts[name]) ctx.addIssue({ code: "custom", path: [name], message: "missing" });
    for (const name of Object.keys(texts)) {
      if (!(FACT_NAMES as string[]).includes(name)) ctx.addIssue({ code: "custom", path: [name], message: "not a profile fact" });
    }
  });
export type FactTexts = Record<FactName, z.infer<typeof FactTextSchema>>;

export function loadFactTexts(promptsDir: string): FactTexts {
  return readYamlFile(path.join(promptsDir, "facts.zh.yaml"), FactTextsSchema, "CONFIG_INVALID") as FactTexts;
}

/** One answer option: the value stored in the profile and what people see. */
export interface FactOption {
  value: FactValue;
  label: string;
}

function enumValues(fact: FactName): FactValue[] | undefined {
  const schema = factSchema(fact) as z.ZodType & { options?: unknown[]; def?: { type?: string } };
  if (Array.isArray(schema.options)) return schema.options as FactValue[];
  if (schema.def?.type === "boolean") return [true, false];
  return undefined;
}

/** Show a fact's value the way people say it ("灵活就业", "是", "1999年"). */
export function valueLabel(texts: FactTexts, fact: FactName, value: FactValue): string {
  const t = texts[fact];
  if (typeof value === "boolean") return t.options?.[String(value)] ?? (value ? "是" : "否");
  if (typeof value === "number") return `${value}${t.unit ?? ""}`;
  return value;
}

/**
 * Answer options for a fact. Numbers become ranges between the thresholds the rules use, each
 * represented by its lowest value.
 */
export function factOptions(texts: FactTexts, fact: FactName, rules: readonly Pick<RuleSpec, "group" | "requires">[]): FactOption[] {
  // A vague value ("有残疾") is something people say, not an answer to offer: the wizard asks exactly.
  const values = enumValues(fact)?.filter((v) => concreteValues(fact, v) === undefined);
  if (values) return values.map((value) => ({ value, label: texts[fact].options?.[String(value)] ?? String(value) }));
  const unit = texts[fact].unit ?? "";
  const min = fact === "age" ? 0 : 1900;
  const starts = [min, ...thresholdCuts(fact, rules).filter((c) => c > min)];
  return starts.map((start, i) => {
    const next = starts[i + 1];
    const label = next === undefined ? `${start}${unit}及以上` : next - 1 === start ? `${start}${unit}` : `${start}–${next - 1}${unit}`;
    return { value: start, label };
  });
}

/** Where a number fact's conditions can change: ≥t and <t cut at t, >t and ≤t at t+1. */
export function thresholdCuts(fact: FactName, rules: readonly Pick<RuleSpec, "group" | "requires">[]): number[] {
  const cuts = new Set<number>();
  for (const rule of rules) {
    for (const map of [...rule.group, ...rule.requires.flatMap((r) => r.any)]) {
      const c = map[fact];
      if (typeof c === "number") [c, c + 1].forEach((x) => cuts.add(x));
      else if (typeof c === "object" && c !== null && !("in" in c) && !("notIn" in c)) {
        const cmp = c as { gte?: number; lte?: number; gt?: number; lt?: number };
        if (cmp.gte !== undefined) cuts.add(cmp.gte);
        if (cmp.lt !== undefined) cuts.add(cmp.lt);
        if (cmp.gt !== undefined) cuts.add(cmp.gt + 1);
        if (cmp.lte !== undefined) cuts.add(cmp.lte + 1);
      }
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

/** Parse a typed answer to a fact (for the terminal wizard): an option label/value or a number. */
export function parseFactAnswer(texts: FactTexts, fact: FactName, input: string, options: readonly FactOption[]): FactValue | undefined {
  const s = input.trim();
  const byIndex = /^\d+$/.test(s) ? options[Number(s) - 1] : undefined;
  if (byIndex && enumValues(fact)) return byIndex.value;
  const byLabel = options.find((o) => o.label === s || String(o.value) === s);
  if (byLabel && enumValues(fact)) return byLabel.value;
  if (!enumValues(fact)) {
    const n = Number(s.replace(/[岁年]$/, ""));
    if (Number.isInteger(n) && factSchema(fact).safeParse(n).success) return n;
  }
  return undefined;
}
