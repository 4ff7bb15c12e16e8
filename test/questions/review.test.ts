import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { Chunk } from "../../src/corpus/types.ts";
import { bigrams, comparable, groupQuestions, similarity } from "../../src/questions/group.ts";
import { LinkError, linkQuestions, passageVersion, PENDING_FILE, quoteFor } from "../../src/questions/library-link.ts";
import { parseSince, toCsv } from "../../src/questions/review.ts";
import type { LoggedQuestion } from "../../src/questions/store.ts";
import { ROOT, runCli, squash, testApp } from "../helpers.ts";

/*
 * The review's pieces: grouping by wording, periods, CSV, and library entries written from links
 * (validated as `index --check` validates them; nothing written when a link is refused).
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-review-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let seq = 0;
const row = (question: string, over: Partial<LoggedQuestion> = {}): LoggedQuestion => ({
  id: `id${String(seq++).padStart(6, "0")}`,
  askedAt: Date.parse("2026-05-01T08:00:00Z") + seq * 60_000,
  channel: "http",
  city: "六安市",
  kind: "out_of_scope",
  reason: "weak_evidence",
  question,
  interpretation: null,
  chunkIds: [],
  latencyMs: 2,
  buildId: "b1",
  feedback: null,
  linkedChunk: null,
  linkedAt: null,
  ...over,
});

describe("grouping by wording", () => {
  it("puts the same request in other words together and keeps unrelated ones apart", () => {
    const rows = [
      row("六安老人饭堂在哪吃"),
      row("六安老人饭堂在哪吃？"),
      row("六安老年人饭堂在哪里吃", { kind: "not_stated" }),
      row("六安老人饭堂在哪吃", { channel: "telegram" }),
      row("淮南养宠物要办证吗", { city: null }),
      row("淮南养狗要办证吗", { city: "淮南市", kind: "figure", feedback: "down" }),
      row("公积金贷款利率多少"),
    ];
    const { groups } = groupQuestions(rows);
    expect(groups.map((g) => g.count)).toEqual([4, 2, 1]);
    const [meals, pets, loans] = groups;
    expect(meals?.label).toBe("六安老人饭堂在哪吃");
    expect(meals?.questions).toEqual([
      { text: "六安老人饭堂在哪吃", count: 3 },
      { text: "六安老年人饭堂在哪里吃", count: 1 },
    ]);
    expect(meals?.statuses).toEqual({ refused: 3, not_stated: 1, down: 0 });
    expect(meals?.channels).toEqual(["http", "telegram"]);
    expect(meals?.firstAsked).toBe("2026-05-01");
    expect(pets?.statuses).toEqual({ refused: 1, not_stated: 0, down: 1 });
    expect(pets?.cities).toEqual(["淮南市"]);
    expect(loans?.ids).toHaveLength(1);
    expect(groups.flatMap((g) => g.ids).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it("compares simplified and traditional, full- and half-width alike", () => {
    expect(comparable("六安醫保參保率？ ＡＢ")).toBe(comparable("六安医保参保率ab"));
    expect(similarity(bigrams("abc"), bigrams("abc"))).toBe(1);
    expect(similarity(bigrams("abc"), bigrams("xyz"))).toBe(0);
  });
});

describe("periods and CSV", () => {
  it("reads spans and dates, and nothing else", () => {
    const now = Date.parse("2026-05-08T00:00:00Z");
    expect(parseSince("7d", now)).toBe(Date.parse("2026-05-01T00:00:00Z"));
    expect(parseSince("12h", now)).toBe(now - 12 * 3600_000);
    expect(parseSince("2w", now)).toBe(now - 14 * 86_400_000);
    expect(parseSince("2026-05-01", now)).toBe(Date.parse("2026-05-01"));
    for (const bad of ["7", "7y", "yesterday", "-3d", "2026-13-45"]) expect(parseSince(bad, now), bad).toBeUndefined();
  });

  it("writes one row per question, quoting commas and quotes, defusing formulas, with the review group", () => {
    const rows = [
      row('他说"你好",然后呢', { kind: "not_stated" }),
      row("=HYPERLINK(\"http://x\")", { kind: "answer" }),
      row("line\nbreak", { kind: "figure", feedback: "down", chunkIds: ["a#c1", "a#c2"] }),
    ];
    const csv = toCsv(rows);
    expect(csv.startsWith("\uFEFFasked_at,channel,city,kind,reason,review_status,group,question")).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[1]).toContain('"他说""你好"",然后呢"');
    expect(lines[1]).toMatch(/,not_stated,[0-9a-f]{12},/);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[2]).toContain(",answer,weak_evidence,,,");
    expect(csv).toContain('"line\nbreak"');
    expect(csv).toContain("a#c1 a#c2");
  });
});

describe("library entries from review links", () => {
  const seedsCopy = () => {
    const dir = mkdtempSync(path.join(work, "seeds-"));
    cpSync(path.join(ROOT, "seeds"), dir, { recursive: true });
    return dir;
  };

  it("quotes each passage with text of its own (found in no other passage of the document), words over figures", async () => {
    const app = await testApp();
    let digitFree = 0;
    const paragraphs = app.index.chunks.filter((c) => c.kind === "paragraph");
    for (const chunk of app.index.chunks) {
      const quote = quoteFor(chunk, app.index.chunks.filter((c) => c.docId === chunk.docId));
      const holders = app.index.chunks.filter((c) => c.docId === chunk.docId && squash(c.text).includes(squash(quote)));
      expect(holders.map((c) => c.id), quote).toEqual([chunk.id]);
      if (chunk.kind === "paragraph" && !/[0-9]/.test(quote)) digitFree++;
    }
    // Words, not figures, wherever the passage has words of its own (table rows are mostly figures).
    expect(digitFree).toBe(paragraphs.length);
  });

  it("writes pending.yaml in the library's schema, merges later links to the same passage, and index --check accepts it", async () => {
    const app = await testApp();
    const seeds = seedsCopy();
    const chunk = app.index.chunks.find((c) => c.text.includes("老年助餐")) as Chunk;
    const first = linkQuestions(seeds, app.index, { chunkId: chunk.id, version: passageVersion(chunk), questions: ["六安老人饭堂在哪吃", "老人饭堂 电话13812345678"] });
    expect(first).toMatchObject({ file: `questions/${PENDING_FILE}`, doc: chunk.docId, chunkId: chunk.id, added: ["六安老人饭堂在哪吃", "老人饭堂 电话[手机号]"] });
    expect(squash(chunk.text)).toContain(squash(first.quote));
    const second = linkQuestions(seeds, app.index, { chunkId: chunk.id, version: passageVersion(chunk), questions: ["六安老人饭堂在哪吃", "六安有没有老年食堂"] });
    expect(second.added).toEqual(["六安有没有老年食堂"]);
    const text = readFileSync(path.join(seeds, "questions", PENDING_FILE), "utf8");
    expect(text).toMatch(/^# Question library — pending/);
    expect(text).not.toContain("13812345678");
    const data = parseYaml(text) as { entries: { doc: string; quote: string; questions: string[] }[] };
    expect(data.entries).toEqual([{ doc: chunk.docId, quote: first.quote, questions: ["六安老人饭堂在哪吃", "老人饭堂 电话[手机号]", "六安有没有老年食堂"] }]);
    const check = await runCli(["index", "--check", "--json"], { env: { MINSHENG_SEEDS_DIR: seeds } });
    expect(check.stderr).not.toContain("LIBRARY_INVALID");
    expect(check.code).toBe(0);
    const report = JSON.parse(check.stdout) as { library: { questions: number } };
    const baseline = JSON.parse((await runCli(["index", "--check", "--json"])).stdout) as { library: { questions: number } };
    expect(report.library.questions).toBe(baseline.library.questions + 3);
  });

  it("refuses a wrong or stale passage id, and a question already linked elsewhere, writing nothing", async () => {
    const app = await testApp();
    const seeds = seedsCopy();
    const pending = path.join(seeds, "questions", PENDING_FILE);
    const chunk = app.index.chunks[10] as Chunk;
    const attempt = (request: Parameters<typeof linkQuestions>[2]) => {
      try {
        linkQuestions(seeds, app.index, request);
      } catch (error) {
        return error as LinkError;
      }
      throw new Error("expected a LinkError");
    };
    expect(attempt({ chunkId: "luan-14th-public-services#c9999", version: "x", questions: ["随便问问"] }).code).toBe("PASSAGE_UNKNOWN");
    expect(attempt({ chunkId: chunk.id, version: "0123456789abcdef", questions: ["随便问问"] }).code).toBe("PASSAGE_CHANGED");
    const elsewhere = attempt({ chunkId: chunk.id, version: passageVersion(chunk), questions: ["六安每个村卫生室有几个村医"] });
    expect(elsewhere.code).toBe("LINK_INVALID");
    expect(elsewhere.message).toContain("also linked to another passage at questions/bing-you-suo-yi.yaml#1");
    expect(attempt({ chunkId: chunk.id, version: passageVersion(chunk), questions: ["x"] }).code).toBe("LINK_INVALID");
    expect(existsSync(pending)).toBe(false);

    writeFileSync(pending, "entries: [ {doc: \n");
    const broken = attempt({ chunkId: chunk.id, version: passageVersion(chunk), questions: ["一个新问题"] });
    expect(broken.code).toBe("LINK_INVALID");
    expect(readFileSync(pending, "utf8")).toBe("entries: [ {doc: \n");
  });
});
