import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { readYamlFile } from "../util/files.ts";
import { normalizeText } from "../util/normalize.ts";

/*
 * The lexicon (seeds/lexicon.yaml): how residents speak, as data. Each kind maps everyday variants
 * to one standard term: services and groups of people to the plans' own words, fact words to a
 * profile fact, question words to what is asked, person words to whom a statement is about,
 * place words to places no plan covers, and intent words to what kind of turn a message is.
 * Code keeps the algorithms (longest match, negation, follow-ups); the words live here.
 */

/** What a question asks for (an amount of money, a count, an office …). */
export const ASKS = [
  "amount", // 多少钱
  "count", // 几个、多少人
  "percent", // 比例、覆盖率
  "standard", // 标准是多少 (a figure of any unit)
  "area_size", // 面积
  "duration", // 多久、几年
  "length", // 多长、几公里
  "date", // 什么时候、哪年
  "office", // 去哪办、哪个部门
  "phone", // 电话
  "materials", // 带什么材料
  "procedure", // 怎么申请、流程
  "deadline", // 截止、几号之前
  "hours", // 几点开门
  "cost", // 收费吗、免费吗 (yes/no about paying)
  "route", // 怎么走、坐几路车: directions
  "recommend", // 哪家最好、推荐一家: a ranking or a recommendation
  "rate", // 一个月、每人: the amount asked is per person / per period
  "items", // 哪几个: which ones (an enumeration, not a count)
  "not_asked", // 好几年、这几年: a quantity word that asks nothing
] as const;
export type Ask = (typeof ASKS)[number];

/** Kinds of turn a message can be, decided from intent words (see answer/intent.ts). */
export const INTENT_WORDS = [
  "greeting", // 你好 (a whole message of these)
  "thanks", // 谢谢
  "laughter", // 哈哈
  "identity", // 你是真人吗
  "farewell", // 再见
  "help", // 你能做什么
  "chitchat", // 天气、讲个笑话: plainly outside the plans
  "request", // 帮我办、给我回电话: things it cannot do
  "injection", // 忽略以上指令 …
  "injection_verb", // 忽略 … (with an injection_object within a few characters)
  "injection_object", // … 指令
  "compare", // 对比、区别
  "both_cities", // 两市
  "list", // 哪些、清单
  "list_topic", // 基本公共服务、服务项目
  "list_benefit", // 免费、补贴: "which free services …" asks for an area's service list
  "eligibility", // 能不能、我能…吗
  "eligibility_benefit", // 能免费、有补贴: asks whether one gets a benefit (eligibility, and a list word)
  "personal", // 我、我家 …: the question tells about the asker
  "yes_no", // 有没有、吗: a yes-or-no question
  "negation", // 不是、没有 (before a fact word)
  "followup_other", // 那…呢 (a follow-up on another place or person)
  "generic", // 补贴、条件、农村的: words that alone make no topic ("有补贴吗" continues the last one)
  "context", // 之前、现在、一共、各个: time, amount and scope words; alone they continue the last topic ("之前是多少")
  "treatment", // 优先、免费、救助: what a plan sentence gives a group (the rule-coverage audit)
] as const;
export type IntentWord = (typeof INTENT_WORDS)[number];

/** Intent words that stand for others too: "能免费" asks eligibility and names a benefit. */
const INTENT_IMPLIES: Readonly<Record<string, readonly string[]>> = { eligibility_benefit: ["eligibility", "list_benefit"] };

/** An intent term with the terms it implies (readers test these, never the compound term itself). */
export function intentTerms(term: string): readonly string[] {
  return [term, ...(INTENT_IMPLIES[term] ?? [])];
}

/** Whom a text is about: towns only, villages only, or both. */
export const SETTLEMENTS = ["城镇", "农村", "城乡"] as const;

/** Relations a person word can name. "self" is the resident. */
export const RELATIONS = ["self", "parent", "grandparent", "spouse", "child", "other"] as const;
export type Relation = (typeof RELATIONS)[number];

const word = z.string().trim().min(1);
const variants = z.array(word).default([]);

const TermEntry = z.object({ term: word, variants }).strict();
/** A group of people; `provider` marks those who provide services (养老护理员, 村医), not who receive them. */
const GroupEntry = z.object({ term: word, role: z.enum(["provider"]).optional(), variants }).strict();
const FactEntry = z
  .object({
    fact: word,
    value: z.union([z.string().min(1), z.boolean(), z.number()]),
    /**
     * The word also names a benefit ("低保" is a status and the 最低生活保障 itself): in a question
     * ("能领低保不") it is what is asked for, not who is asking.
     */
    benefit: z.boolean().optional(),
    /** The words describe the speaker even when a relative is named ("照顾我妈" says the speaker is a carer). */
    speaker: z.boolean().optional(),
    variants: z.array(word).min(1),
  })
  .strict();
const AskEntry = z.object({ term: z.enum(ASKS), variants: z.array(word).min(1) }).strict();
const IntentEntry = z.object({ term: z.enum(INTENT_WORDS), variants: z.array(word).min(1) }).strict();
/** `gender`: what the word itself says of the person ("我妈" is a woman), used when a question is about them. */
const PersonEntry = z.object({ term: word, relation: z.enum(RELATIONS), gender: z.enum(["男", "女"]).optional(), variants }).strict();
const AreaEntry = z.object({ term: word, office: word.optional(), variants }).strict();

export const LexiconSchema = z
  .object({
    services: z.array(TermEntry).default([]),
    groups: z.array(GroupEntry).default([]),
    areas: z.array(AreaEntry).default([]),
    facts: z.array(FactEntry).default([]),
    asks: z.array(AskEntry).default([]),
    persons: z.array(PersonEntry).default([]),
    places: z.array(TermEntry).default([]),
    intents: z.array(IntentEntry).default([]),
    /** 城镇 / 农村 / 城乡: whom a figure is about ("农村低保平均保障标准" does not answer "城里的低保"). */
    settlements: z.array(z.object({ term: z.enum(SETTLEMENTS), variants }).strict()).default([]),
  })
  .strict();
export type LexiconSpec = z.infer<typeof LexiconSchema>;
export type LexiconKind = keyof LexiconSpec;

/** One standard term of one kind with its variants (normalised). */
export interface LexiconEntry {
  kind: LexiconKind;
  /** Position in its kind's list (for error messages: `services[12]`). */
  at: number;
  /** The standard term (for facts: `fact=value`; for asks and intents: the code name). */
  term: string;
  /** Everything that matches this entry, normalised; includes the term itself for term kinds. */
  forms: string[];
  fact?: string;
  value?: string | boolean | number;
  /** A fact word that also names a benefit (see FactEntry). */
  benefit?: boolean;
  /** A fact about the speaker whoever else the clause names (see FactEntry). */
  speaker?: boolean;
  /** A group that provides services rather than receives them. */
  provider?: boolean;
  relation?: Relation;
  /** A person word's gender ("我妈": 女). */
  gender?: "男" | "女";
  office?: string;
}

/** The lexicon as loaded into a build: entries by kind. */
export interface Lexicon {
  entries: LexiconEntry[];
}

/** Kinds whose standard term is itself a word of the text (and so protected from rewriting). */
const TERM_KINDS: readonly LexiconKind[] = ["services", "groups", "areas", "persons", "places", "settlements"];

export const KIND_ORDER: readonly LexiconKind[] = ["services", "groups", "areas", "facts", "asks", "persons", "places", "intents", "settlements"];

/** "…" in a variant stands for up to this many characters ("符合…条件"). */
export const GAP = 8;

/** Normalise a form for matching, keeping its gaps ("…" would become "..." under NFKC). */
function normalizeForm(form: string): string {
  return form
    .split("…")
    .map((part) => normalizeText(part))
    .join("…");
}

/** Flatten a validated spec into entries, normalising every form. */
export function lexiconEntries(spec: LexiconSpec): LexiconEntry[] {
  const out: LexiconEntry[] = [];
  for (const kind of Object.keys(LexiconSchema.shape) as LexiconKind[]) {
    (spec[kind] as { term?: string; variants: string[] }[]).forEach((raw, at) => {
      const e = raw as Record<string, unknown> & { variants: string[] };
      const term = kind === "facts" ? `${String(e.fact)}=${String(e.value)}` : String(e.term);
      const forms = [...new Set([...(TERM_KINDS.includes(kind) ? [term] : []), ...e.variants].map(normalizeForm))];
      out.push({
        kind,
        at,
        term,
        forms,
        ...(kind === "facts" ? { fact: String(e.fact), value: e.value as string | boolean | number, ...(e.benefit ? { benefit: true } : {}), ...(e.speaker ? { speaker: true } : {}) } : {}),
        ...(kind === "persons" ? { relation: e.relation as Relation, ...(e.gender ? { gender: e.gender as "男" | "女" } : {}) } : {}),
        ...(kind === "areas" && typeof e.office === "string" ? { office: e.office } : {}),
        ...(kind === "groups" && e.role === "provider" ? { provider: true } : {}),
      });
    });
  }
  return out;
}

export interface LexiconProblem {
  path: string;
  message: string;
}

/**
 * Conflicts and cycles within each kind: a form that stands for two standard terms, and a standard
 * term that is another entry's variant (it would be rewritten into something else). Facts are
 * checked against the fact names and values the rules know (`knownFact`).
 */
export function lexiconProblems(entries: readonly LexiconEntry[], knownFact?: (fact: string, value: unknown) => string | undefined): LexiconProblem[] {
  const problems: LexiconProblem[] = [];
  const name = (e: LexiconEntry) => `${e.kind}[${e.at}] (${e.term})`;
  const byKind = new Map<LexiconKind, LexiconEntry[]>();
  for (const e of entries) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
  for (const [kind, list] of byKind) {
    const owner = new Map<string, LexiconEntry>();
    const terms = new Map<string, LexiconEntry>();
    for (const e of list) {
      if (TERM_KINDS.includes(kind)) {
        const t = normalizeText(e.term);
        const prev = terms.get(t);
        if (prev) problems.push({ path: name(e), message: `standard term repeats ${name(prev)}` });
        terms.set(t, e);
      }
    }
    for (const e of list) {
      for (const f of e.forms) {
        const prev = owner.get(f);
        if (prev && prev !== e) {
          problems.push({ path: name(e), message: `"${f}" also stands for ${name(prev)}: a variant maps to one term per kind` });
          continue;
        }
        owner.set(f, e);
        const other = terms.get(f);
        if (other && other !== e) {
          problems.push({ path: name(e), message: `variant "${f}" is the standard term of ${name(other)} (a cycle: that term would be rewritten)` });
        }
      }
    }
  }
  if (knownFact) {
    for (const e of entries) {
      if (e.kind !== "facts") continue;
      const why = knownFact(e.fact as string, e.value);
      if (why) problems.push({ path: name(e), message: why });
    }
  }
  return problems;
}

/** `seeds/lexicon.yaml`, validated (shape, conflicts, cycles, fact names); throws LEXICON_INVALID listing every problem. */
export function loadLexicon(seedsDir: string, knownFact?: (fact: string, value: unknown) => string | undefined): Lexicon {
  const file = path.join(seedsDir, "lexicon.yaml");
  const spec = readYamlFile(file, LexiconSchema, "LEXICON_INVALID");
  const entries = lexiconEntries(spec);
  const problems = lexiconProblems(entries, knownFact);
  if (problems.length > 0) {
    throw new AppError(
      "LEXICON_INVALID",
      `${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`,
      { file },
    );
  }
  return { entries };
}
