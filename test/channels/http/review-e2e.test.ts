/// <reference lib="dom" />
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Answer } from "../../../src/contract/answer.ts";
import { ROOT, runCli, startServe, type Served } from "../../helpers.ts";
import { peerAvailable } from "../../helpers-peers.ts";

/*
 * The maintainers' loop end to end, with real parts: a resident's question the plans' wording does
 * not reach is refused by a running server (API); it shows up in `review --unanswered` and in the
 * review view (headless Chromium, logged in with ADMIN_TOKEN); the maintainer searches the
 * passage that answers it and links the question to it (seeds/questions/pending.yaml); `index`
 * builds; the running server picks the build up and answers the same question citing that passage.
 */

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "test-artifacts");
const TOKEN = "e2e-review-token-4711";
const QUESTION = "六安娃放学没人接咋办";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe.skipIf(!peerAvailable(CHROMIUM))("maintainers' loop: refused today, answered after review and index", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-loop-"));
  const env = {
    MINSHENG_SEEDS_DIR: path.join(work, "seeds"),
    MINSHENG_INDEX_DIR: path.join(work, "index"),
    MINSHENG_STATE_DIR: path.join(work, "state"),
    ADMIN_TOKEN: TOKEN,
    INDEX_WATCH: "true",
  };
  let served: Served;
  let browser: Browser;
  let page: Page;
  let linkedChunk = "";

  const ask = async (): Promise<Answer> => {
    const res = await fetch(`${served.base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: QUESTION }) });
    return (await res.json()) as Answer;
  };

  beforeAll(async () => {
    cpSync(path.join(ROOT, "seeds"), env.MINSHENG_SEEDS_DIR, { recursive: true });
    // The shared test build (and its parse cache) as this server's own index folder: `index` adds to it.
    cpSync(inject("indexDir"), env.MINSHENG_INDEX_DIR, { recursive: true });
    served = await startServe(env);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("the question is refused today, and review --unanswered lists it", async () => {
    const today = await ask();
    expect(today.kind).toBe("out_of_scope");
    expect(today.citations).toEqual([]);
    expect(today.logId).toBeTruthy();
    // Written in the background (batched): poll the CLI as a maintainer would.
    await expect
      .poll(
        async () => {
          const { stdout } = await runCli(["review", "--unanswered", "--since", "1d", "--json"], { env });
          return stdout ? (JSON.parse(stdout) as { questions: { text: string }[] }[]).flatMap((g) => g.questions.map((q) => q.text)) : [];
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toContain(QUESTION);
    const text = await runCli(["review", "--unanswered"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/refused 1/);
    expect(text.stdout).toContain(QUESTION);
  }, 60_000);

  it("the review view: login form, the group, a passage search, and the link", async () => {
    await page.goto(`${served.base}/review`);
    await page.getByLabel("管理令牌").waitFor();
    await page.getByLabel("管理令牌").fill("not-the-token");
    await page.getByRole("button", { name: "登录" }).click();
    await expect.poll(() => page.locator("#login-status").textContent()).toBe("令牌不正确。");
    await page.getByLabel("管理令牌").fill(TOKEN);
    await page.getByRole("button", { name: "登录" }).click();
    const group = page.locator("article.group", { has: page.getByRole("heading", { name: QUESTION }) });
    await group.waitFor();
    expect(await group.locator(".meta").textContent()).toContain("拒答 1");
    // The session is an HttpOnly cookie: neither the page's script nor the URL sees the token.
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(page.url()).not.toContain(TOKEN);

    await page.evaluate(axeSource);
    const axe = (await page.evaluate(async () => {
      const a = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string }[] }> } }).axe;
      return a.run(document);
    })) as { violations: { id: string; impact: string }[] };
    expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

    // The maintainer searches with the plan's own words for what the resident asked.
    await group.getByRole("searchbox", { name: "查找能回答这些问题的原文" }).fill("课后服务");
    await group.getByLabel("城市").selectOption("六安市");
    await group.getByRole("button", { name: "查找原文" }).click();
    const passage = group.locator("li.passage", { hasText: "课后服务" }).first();
    await passage.waitFor();
    linkedChunk = (await passage.getAttribute("data-chunk")) as string;
    expect(linkedChunk).toMatch(/^luan-14th-public-services#c\d+$/);
    await page.screenshot({ path: path.join(ARTIFACTS, "review-search.png"), fullPage: true });
    await passage.getByRole("button", { name: "关联到此段" }).click();
    await expect.poll(() => page.locator("#summary").textContent(), { timeout: 15_000 }).toContain("已写入 questions/pending.yaml");
    // Linked questions leave the list of unanswered ones.
    await expect.poll(() => page.locator("article.group", { has: page.getByRole("heading", { name: QUESTION }) }).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "review-linked.png"), fullPage: true });
    const pending = readFileSync(path.join(env.MINSHENG_SEEDS_DIR, "questions", "pending.yaml"), "utf8");
    expect(pending).toContain(QUESTION);
  }, 60_000);

  it("after index, the running server answers the same question citing that passage", async () => {
    const check = await runCli(["index", "--check"], { env });
    expect(check.code, check.stderr).toBe(0);
    const built = await runCli(["index"], { env });
    expect(built.code, built.stderr).toBe(0);
    await expect.poll(async () => (await ask()).kind, { timeout: 30_000, interval: 500 }).not.toBe("out_of_scope");
    const answered = await ask();
    expect(answered.citations[0]?.chunkId).toBe(linkedChunk);
    expect(answered.text).toContain("[1]");
  }, 120_000);
});
