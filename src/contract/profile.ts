import { z } from "zod";

/*
 * The profile: facts about the person a question is about. All optional — an unknown fact stays
 * absent. Names follow the answer contract; facts beyond it are marked "extension".
 */

export const EMPLOYMENT = ["单位职工", "灵活就业", "新就业形态", "失业", "退休", "学生", "务农", "其他"] as const;
export const INCOME = ["低保", "低保边缘", "特困", "低收入", "中等偏下收入", "一般"] as const;
export const HOUSING = ["无房", "住房困难", "有房"] as const;
export const DISABILITY = ["无", "一级", "二级", "三级", "四级", "有", "重度"] as const;
export const SELF_CARE = ["自理", "半失能", "失能", "失智"] as const;
export const FAMILY_PLANNING = ["独生子女家庭", "双女家庭", "计划生育特殊家庭", "无"] as const;
export const SCHOOL_STAGE = ["学前", "义务教育", "普通高中", "中职", "高校", "不在读"] as const;
export const CONDITION = ["慢性病", "严重精神障碍", "结核病", "艾滋病", "地方病", "尘肺病", "无"] as const;
export const MEDICAL_INSURANCE = ["职工医保", "城乡居民医保", "未参保", "已参保"] as const;

export const ProfileSchema = z
  .object({
    city: z.string().min(2),
    hukou: z.enum(["城镇", "农村"]),
    localHukou: z.boolean(),
    age: z.number().int().min(0).max(130),
    employment: z.enum(EMPLOYMENT),
    occupation: z.enum(["教师", "医护", "其他"]),
    newlyEmployed: z.boolean(),
    incomeStatus: z.enum(INCOME),
    housing: z.enum(HOUSING),
    disability: z.enum(DISABILITY),
    selfCare: z.enum(SELF_CARE),
    veteran: z.boolean(),
    familyPlanning: z.enum(FAMILY_PLANNING),
    buildingYear: z.number().int().min(1900).max(2100),
    // extensions
    gender: z.enum(["男", "女"]),
    schoolStage: z.enum(SCHOOL_STAGE),
    planningMarriage: z.boolean(),
    planningPregnancy: z.boolean(),
    migrantWorkerFamily: z.boolean(),
    /** Looks after a family member who is disabled, elderly and dependent, or ill (家庭照护者). */
    carer: z.boolean(),
    /** A serviceman's or martyr's family, or another 优抚对象 (军属、烈属). */
    militaryFamily: z.boolean(),
    /** A college graduate looking for or starting work (高校毕业生). */
    graduate: z.boolean(),
    /** Pregnant or recently gave birth (孕产妇). */
    pregnant: z.boolean(),
    /** Lives alone (独居、空巢、孤寡). */
    livingAlone: z.boolean(),
    /** A long-term condition the plans name groups by. */
    condition: z.enum(CONDITION),
    /** Which basic medical insurance the person has. */
    medicalInsurance: z.enum(MEDICAL_INSURANCE),
    /** Affected by a natural disaster or accident (受灾). */
    disasterAffected: z.boolean(),
    /** Has signed a labour contract with an employer or a platform (签了劳动合同). */
    laborContract: z.boolean(),
  })
  .partial()
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;
export type FactName = keyof Profile;
export type FactValue = string | number | boolean;

/**
 * Values that say less than the others: "我有残疾" (grade not said) is one of the grades, "重度残疾"
 * is 一级 or 二级. A rule decides on such a value only when every value it stands for decides the
 * same way; otherwise the fact is still open.
 */
export const VAGUE_VALUES: Partial<Record<FactName, Record<string, readonly FactValue[]>>> = {
  disability: { 有: ["一级", "二级", "三级", "四级"], 重度: ["一级", "二级"] },
  medicalInsurance: { 已参保: ["职工医保", "城乡居民医保"] },
};

/** The values a known value stands for: itself, or those of a vague value. */
export function concreteValues(fact: FactName, value: FactValue): readonly FactValue[] | undefined {
  return typeof value === "string" ? VAGUE_VALUES[fact]?.[value] : undefined;
}

/** Every fact name, in the order the wizard prefers to ask. */
export const FACT_NAMES = Object.keys(ProfileSchema.shape) as FactName[];

/** The zod schema of one fact (for validating rule conditions and test profiles). */
export function factSchema(name: FactName): z.ZodType {
  return ProfileSchema.shape[name].unwrap();
}

export function isFactName(name: string): name is FactName {
  return (FACT_NAMES as string[]).includes(name);
}

/**
 * Validate a profile. Expected outcome, not an exception: `{success:false}` carries zod's issues
 * (unknown fact names, wrong types) with their paths.
 */
export function parseProfile(input: unknown): ReturnType<typeof ProfileSchema.safeParse> {
  return ProfileSchema.safeParse(input);
}

/** Facts about a household or a place, which stay true when the question is about a relative. */
export const HOUSEHOLD_FACTS: readonly FactName[] = [
  "city",
  "hukou",
  "localHukou",
  "incomeStatus",
  "housing",
  "familyPlanning",
  "buildingYear",
  "migrantWorkerFamily",
];
