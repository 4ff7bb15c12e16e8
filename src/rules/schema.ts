import { z } from "zod";
import { AREA_NAMES } from "../contract/areas.ts";
import { factSchema, FACT_NAMES, isFactName, type FactName } from "../contract/profile.ts";

/*
 * Eligibility rules as data (seeds/rules/*.yaml). A rule says whom a plan speaks of (`group`:
 * any of some fact combinations), what else must hold (`requires`), and the verdict then. Every
 * rule carries the verbatim quotes it rests on and its own test cases.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A condition on one fact: a value, or a comparison. */
export const ConditionSchema = z.union([
  scalar,
  z.object({ in: z.array(scalar).min(1) }).strict(),
  z.object({ notIn: z.array(scalar).min(1) }).strict(),
  z
    .object({ gte: z.number(), lte: z.number(), gt: z.number(), lt: z.number() })
    .partial()
    .strict()
    .refine((c) => Object.keys(c).length > 0, "a comparison needs gte, lte, gt or lt"),
]);
export type Condition = z.infer<typeof ConditionSchema>;

/** Facts that must all hold (fact name → condition). */
export const ConditionMapSchema = z
  .record(z.string(), ConditionSchema)
  .superRefine((map, ctx) => {
    if (Object.keys(map).length === 0) ctx.addIssue({ code: "custom", message: "needs at least one fact" });
    for (const [name, condition] of Object.entries(map)) {
      if (!isFactName(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `unknown fact "${name}" (known: ${FACT_NAMES.join(", ")})` });
        continue;
      }
      const values =
        typeof condition === "object" && condition !== null
          ? "in" in condition
            ? condition.in
            : "notIn" in condition
              ? condition.notIn
              : Object.values(condition)
          : [condition];
      const schema = factSchema(name);
      for (const v of values) {
        if (!schema.safeParse(v).success) {
          ctx.addIssue({ code: "custom", path: [name], message: `${JSON.stringify(v)} is not a valid value of ${name}` });
        }
      }
    }
  });
export type ConditionMap = Record<string, Condition>;

export const RequirementSchema = z
  .object({
    /** Alternatives: the requirement holds when any of these condition maps holds. */
    any: z.array(ConditionMapSchema).min(1),
    /** Why the requirement fails, shown to the resident ({fact} placeholders allowed). */
    fail: z.string().min(1),
  })
  .strict();
export type Requirement = z.infer<typeof RequirementSchema>;

export const RuleVerdictSchema = z.enum(["eligible", "conditional", "unknown"]);

export const RuleTestSchema = z
  .object({
    profile: z.record(z.string(), z.unknown()),
    verdict: z.enum(["eligible", "conditional", "not_eligible", "unknown"]),
    note: z.string().optional(),
  })
  .strict();

/** Every condition map of a rule: group, requirements and unclear cases. */
export function conditionMaps(rule: { group: readonly ConditionMap[]; requires: readonly Requirement[]; unclear?: readonly { when: ConditionMap }[] }): ConditionMap[] {
  return [...rule.group, ...rule.requires.flatMap((r) => r.any), ...(rule.unclear ?? []).map((u) => u.when)];
}

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z]+(\.[a-z0-9]+(-[a-z0-9]+)*){2,}$/, 'dotted lowercase id, e.g. "luan.housing-fund.flexible-workers"'),
    title: z.string().min(2),
    /** One city, or several when the same text appears in several plans. */
    city: z.union([z.string().min(2), z.array(z.string().min(2)).min(1)]),
    service: z.string().min(2),
    /** Words that tie a question to this rule (the service's own and everyday names). */
    topics: z.array(z.string().min(1)).min(1),
    /** Every fact the rule reads (checked against group and requires). */
    needs: z.array(z.string()).min(1),
    /** Whom the plan speaks of: any of these condition maps. */
    group: z.array(ConditionMapSchema).min(1),
    requires: z.array(RequirementSchema).default([]),
    /**
     * The verdict when the group and all requirements hold: eligible (the plan guarantees),
     * conditional (encourages, pilots, prioritises), unknown (the plan has not decided yet).
     */
    verdict: RuleVerdictSchema,
    /** What the plan says, in one line, for the resident. */
    basis: z.string().min(4),
    /** Why someone outside the group is not covered by this rule. */
    outside: z.string().min(4),
    /**
     * People outside the group whom the plan neither names nor excludes (a 新就业形态 worker for a
     * rule about 灵活就业人员): for them the verdict is unknown with this note, never not_eligible.
     */
    unclear: z.array(z.object({ when: ConditionMapSchema, note: z.string().min(4) }).strict()).default([]),
    /** Where to confirm (a kind of office, never an invented address or number). */
    confirm: z.string().min(2),
    quotes: z.array(z.object({ doc: z.string(), text: z.string().min(4) }).strict()).min(1),
    effective: z.object({ from: z.number().int(), to: z.number().int() }).strict().optional(),
    tests: z.array(RuleTestSchema).min(2),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const used = new Set<string>();
    for (const map of conditionMaps(rule)) for (const k of Object.keys(map)) used.add(k);
    const needs = new Set(rule.needs);
    for (const f of used) {
      if (!needs.has(f)) ctx.addIssue({ code: "custom", path: ["needs"], message: `uses fact "${f}" but does not list it in needs` });
    }
    for (const f of needs) {
      if (!used.has(f)) ctx.addIssue({ code: "custom", path: ["needs"], message: `lists "${f}" in needs but never uses it` });
    }
    if (new Set(rule.tests.map((t) => t.verdict)).size < 2) {
      ctx.addIssue({ code: "custom", path: ["tests"], message: "tests must cover at least two different verdicts" });
    }
    if (!rule.tests.some((t) => t.verdict === rule.verdict)) {
      ctx.addIssue({ code: "custom", path: ["tests"], message: `needs a positive test case (a profile in the group, verdict ${rule.verdict})` });
    }
    if (!rule.tests.some((t) => t.verdict !== rule.verdict && (t.verdict === "not_eligible" || t.verdict === "unknown"))) {
      ctx.addIssue({ code: "custom", path: ["tests"], message: "needs a negative test case (a profile outside the group: not_eligible, or unknown when the plan decides nothing for it)" });
    }
  });
export type RuleSpec = z.infer<typeof RuleSchema>;

export const RuleFileSchema = z
  .object({
    area: z.enum(AREA_NAMES),
    rules: z.array(RuleSchema).min(1),
  })
  .strict();

/** A rule of the catalog: its spec plus where it came from and its quotes resolved to chunks. */
export interface Rule extends RuleSpec {
  area: string;
  file: string;
  cities: string[];
  needs: FactName[];
  /** Per quote: the chunk it is found in. */
  quoteChunks: { doc: string; text: string; chunkId: string; city: string }[];
}
