import { escapeRegExp } from "../util/text.ts";
import { z } from "zod";

/*
 * Scoring of answers against a question set — the same metrics, computed the same way, as the
 * shared scorer (eval/score.py): recall@1/3/k and MRR on citations, figure/list/eligibility
 * accuracy, abstention accuracy, false abstentions and citation validity.
 */

export const EvalQuestionSchema = z.object({
  id: z.string(),
  question: z.string(),
  city: z.string().nullable().optional(),
  type: z.enum(["passage", "figure", "list", "eligibility", "compare", "out_of_scope", "clarify_or_answer"]),
  /** Earlier questions of the conversation, oldest first (the last turn is graded). */
  history: z.array(z.string()).optional(),
  /** Kinds that count as a correct abstention (default: out_of_scope). */
  accept: z.array(z.string()).optional(),
  gold: z.array(z.object({ city: z.string(), anyOf: z.array(z.string()) })).optional(),
  number: z.string().optional(),
  items: z.array(z.string()).optional(),
  verdict: z.array(z.string()).optional(),
});
export type EvalQuestion = z.infer<typeof EvalQuestionSchema>;

/** The parts of an answer the scorer reads (any Answer-shaped object will do). */
export interface ScoredAnswer {
  id?: string | undefined;
  kind?: string | undefined;
  text?: string | undefined;
  citations?: { city?: string; quote?: string; chunkText?: string }[] | undefined;
  eligibility?: { verdict?: string; citations?: { city?: string; quote?: string; chunkText?: string }[] }[] | undefined;
  timingsMs?: { total?: number } | undefined;
}

export interface Metrics {
  n: number;
  answered: number;
  "recall@1": number;
  "recall@3": number;
  "recall@5": number;
  mrr: number;
  figure_acc: number;
  figure_lead_acc: number;
  list_acc: number;
  eligibility_acc: number;
  abstain_acc: number;
  false_abstain: number;
  citation_validity: number;
  text_chars_p50: number | null;
  text_chars_p90: number | null;
  latency_ms_p50: number | null;
  latency_ms_p95: number | null;
}

/** Whitespace, bookmark tags and bold markers removed (as the shared scorer does). */
export function normForScoring(s: string | undefined | null): string {
  return (s ?? "").replace(/\[bookmark: [^\]]*\]/g, "").replace(/\s+/g, "").replaceAll("**", "");
}

function cityOf(c: { city?: string }): string {
  const s = c.city ?? "";
  if (s.includes("六安")) return "六安市";
  if (s.includes("淮南")) return "淮南市";
  return s;
}

type Cit = { city?: string; quote?: string; chunkText?: string };
const textOf = (c: Cit) => normForScoring((c.chunkText ?? "") + "\n" + (c.quote ?? ""));

function hitRank(cits: readonly Cit[], golds: EvalQuestion["gold"], k: number): number | undefined {
  for (let i = 0; i < Math.min(k, cits.length); i++) {
    const c = cits[i] as Cit;
    for (const g of golds ?? []) {
      if (cityOf(c) === g.city && g.anyOf.some((x) => textOf(c).includes(normForScoring(x)))) return i + 1;
    }
  }
  return undefined;
}


const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Score answers (by id) against questions. `sources` maps a city to its raw plan text, for
 * citation validity.
 */
export function scoreAnswers(
  questions: readonly EvalQuestion[],
  answers: ReadonlyMap<string, ScoredAnswer>,
  sources: Readonly<Record<string, string>>,
  k = 5,
): { metrics: Metrics; failures: [string, string][] } {
  const flat = Object.fromEntries(Object.entries(sources).map(([city, text]) => [city, normForScoring(text)]));
  const m = {
    answered: 0, r1: 0, r3: 0, rk: 0, mrr: 0, graded: 0, figOk: 0, figN: 0, listOk: 0, listN: 0,
    figLead: 0, eligOk: 0, eligN: 0, oosOk: 0, oosN: 0, falseAbstain: 0, citTotal: 0, citValid: 0,
  };
  const failures: [string, string][] = [];
  for (const q of questions) {
    const ans = answers.get(q.id);
    if (!ans) {
      failures.push([q.id, "no answer"]);
      continue;
    }
    m.answered++;
    const cits = ans.citations ?? [];
    for (const c of cits) {
      m.citTotal++;
      const cq = normForScoring(c.quote);
      if (cq && (flat[cityOf(c)] ?? "").includes(cq)) m.citValid++;
    }
    const kind = ans.kind;
    const text = ans.text ?? "";
    if (q.type === "out_of_scope") {
      m.oosN++;
      const ok = (q.accept ?? ["out_of_scope"]).includes(kind ?? "") || (cits.length === 0 && (kind === "no_answer" || kind === "clarify"));
      if (ok) m.oosOk++;
      else failures.push([q.id, `should abstain, got kind=${kind} cits=${cits.length}`]);
      continue;
    }
    if (kind === "out_of_scope" || kind === "not_stated") m.falseAbstain++;
    if (q.type === "clarify_or_answer" && kind === "clarify") {
      m.graded++;
      m.r1++;
      m.r3++;
      m.rk++;
      m.mrr++;
      continue;
    }
    const all = [...cits, ...(ans.eligibility ?? []).flatMap((e) => e.citations ?? [])];
    m.graded++;
    const direct = hitRank(cits, q.gold, k);
    const r = direct ?? (hitRank(all, q.gold, all.length) ? k + 1 : undefined);
    if (r !== undefined && r <= k) {
      m.rk++;
      m.mrr += 1 / r;
      if (r <= 3) m.r3++;
      if (r === 1) m.r1++;
    } else {
      failures.push([q.id, `gold not in top-${k} citations (kind=${kind})`]);
    }
    if (q.type === "figure") {
      m.figN++;
      const plain = text.replace(/\[\d+\]/g, "").replaceAll(",", "");
      const num = new RegExp(`(?<![\\d.])${escapeRegExp(q.number ?? "\u0000")}(?!\\d)`);
      const ok = num.test(plain);
      if (ok) m.figOk++;
      if (num.test(plain.trim().split(/[。\n]/, 1)[0] ?? "")) m.figLead++;
      else failures.push([q.id, `number ${q.number} missing from text`]);
    }
    if (q.type === "list") {
      m.listN++;
      const ok = (q.items ?? []).every((i) => normForScoring(text).includes(normForScoring(i)));
      if (ok) m.listOk++;
      else failures.push([q.id, "list items missing"]);
    }
    if (q.type === "eligibility") {
      m.eligN++;
      const ok = (ans.eligibility ?? []).some((e) => {
        const ec = [...(e.citations ?? []), ...cits];
        return (q.verdict ?? []).includes(e.verdict ?? "") && hitRank(ec, q.gold, ec.length) !== undefined;
      });
      if (ok) m.eligOk++;
      else failures.push([q.id, `no eligibility verdict with gold citation: ${JSON.stringify((ans.eligibility ?? []).map((e) => e.verdict))}`]);
    }
  }
  const lat = [...answers.values()].map((a) => Number(a.timingsMs?.total ?? 0)).sort((a, b) => a - b);
  const lens = [...answers.values()].map((a) => (a.text ?? "").replace(/\s+/g, "").length).sort((a, b) => a - b);
  const pct = (p: number, v = lat) => (v.length ? Math.round((v[Math.min(v.length - 1, Math.floor(p * v.length))] as number) * 100) / 100 : null);
  const g = Math.max(m.graded, 1);
  return {
    metrics: {
      n: questions.length,
      answered: m.answered,
      "recall@1": round(m.r1 / g),
      "recall@3": round(m.r3 / g),
      "recall@5": round(m.rk / g),
      mrr: round(m.mrr / g),
      figure_acc: round(m.figOk / Math.max(m.figN, 1)),
      figure_lead_acc: round(m.figLead / Math.max(m.figN, 1)),
      list_acc: round(m.listOk / Math.max(m.listN, 1)),
      eligibility_acc: round(m.eligOk / Math.max(m.eligN, 1)),
      abstain_acc: round(m.oosOk / Math.max(m.oosN, 1)),
      false_abstain: m.falseAbstain,
      citation_validity: round(m.citValid / Math.max(m.citTotal, 1)),
      text_chars_p50: pct(0.5, lens),
      text_chars_p90: pct(0.9, lens),
      latency_ms_p50: pct(0.5),
      latency_ms_p95: pct(0.95),
    },
    failures,
  };
}
