/// <reference lib="dom" />
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHttpApp } from "../../../src/channels/http/app.ts";
import { ROOT, testApp, testConfig } from "../../helpers.ts";
import { peerAvailable } from "../../helpers-peers.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "test-artifacts");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe.skipIf(!peerAvailable(CHROMIUM))("staff console in headless Chromium", () => {
  let http: FastifyInstance;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const core = await testApp();
    http = await buildHttpApp(() => core, testConfig());
    base = await http.listen({ host: "127.0.0.1", port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close();
  });

  /** The body of the next POST /api/ask the page sends while `act` runs. */
  const askBody = async (act: () => Promise<void>, on: Page = page) => {
    const request = on.waitForRequest((r) => r.url().endsWith("/api/ask") && r.method() === "POST");
    await act();
    return (await request).postDataJSON() as { question: string; city?: string; history?: string[] };
  };
  /** Ask in the console and wait until the answer to exactly this question is shown. */
  const ask = async (question: string, on: Page = page) => {
    const response = on.waitForResponse((r) => r.url().endsWith("/api/ask"));
    await on.fill("#question", question);
    await on.press("#question", "Enter");
    await response;
    await expect.poll(() => on.locator("#ask-status").textContent()).toContain("用时");
  };

  it("focuses the search box, answers on Enter with the answer first, and does not repeat a quote the text gives", async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("question");
    await page.getByLabel("六安市").check();
    await page.keyboard.type("打零工的能交住房公积金吗");
    await page.keyboard.press("Enter");
    const card = page.locator("#citations .card").first();
    await card.waitFor();
    const text = (await page.locator("#answer-text").textContent()) ?? "";
    expect(text.split("\n")[0]).toMatch(/^六安市·灵活就业人员参加住房公积金：有条件符合\[1\]/);
    expect(await page.locator("#interpretation").textContent()).toContain("我理解您问的是：“打零工的能交住房公积金吗”");
    // The text quotes the plan verbatim, so its card names the source without the quote again …
    expect(text).toContain("鼓励灵活就业人员参加住房公积金制度");
    expect(await card.getAttribute("class")).toContain("quoted");
    expect(await card.innerText()).not.toContain("鼓励灵活就业人员参加住房公积金制度");
    expect(await card.locator(".where").textContent()).toContain("第九章 舒适宜人的住房保障服务 › 第二节 住有宜居");
    // … while a passage the text does not quote is shown with its quote marked.
    const other = page.locator("#citations .card").nth(1);
    const quote = (await other.locator("mark").textContent()) ?? "";
    expect(quote.length).toBeGreaterThan(5);
    expect(text).not.toContain(quote);
    expect(await page.locator("#eligibility .badge").first().textContent()).toBe("有条件符合");
    // The verdict card is a summary line: its reasons (the text's) folded, its quote a number.
    const result = page.locator("#eligibility .result").first();
    expect(await result.innerText()).not.toContain("鼓励灵活就业人员参加住房公积金制度");
    expect(await result.locator("h4").textContent()).toContain("[1]");
    // [1] in the text leads to its card.
    await page.locator("#answer-text a.ref", { hasText: "[1]" }).first().click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("cite-1");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-answer.png"), fullPage: true });
  });

  it("expands a source to its whole section, the quote marked", async () => {
    const card = page.locator("#citations .card").first();
    await card.getByRole("button", { name: "展开全文" }).click();
    const section = card.locator(".section");
    await section.locator("p.cited").first().waitFor();
    expect(await section.textContent()).toContain("住有宜居");
    expect(await section.locator("p.cited mark").first().textContent()).toBe("鼓励灵活就业人员参加住房公积金制度");
    expect(await card.getByRole("button", { name: "收起全文" }).getAttribute("aria-expanded")).toBe("true");
  });

  it("copies the answer with its citations as plain text", async () => {
    await page.getByRole("button", { name: "复制答案" }).click();
    await expect.poll(() => page.locator("#ask-status").textContent()).toContain("已复制");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("鼓励灵活就业人员参加住房公积金制度");
    expect(copied).toContain("引用原文");
  });

  it("switches city and remembers it; Esc clears the box, a second Esc starts a new call", async () => {
    await page.getByLabel("淮南市").check();
    await ask("老旧小区加装电梯");
    await expect.poll(async () => page.locator("#citations .where").first().textContent()).toContain("淮南市");
    const wheres = await page.locator("#citations .card > .where").allTextContents();
    expect(wheres.every((w) => w.includes("淮南市"))).toBe(true);
    await page.reload();
    expect(await page.getByLabel("淮南市").isChecked()).toBe(true);
    // The call survives a reload of the tab.
    expect(await page.locator("#turns li").allTextContents()).toEqual(["打零工的能交住房公积金吗", "老旧小区加装电梯"]);
    await page.fill("#question", "随便");
    await page.press("#question", "Escape");
    expect(await page.inputValue("#question")).toBe("");
    expect(await page.locator("#turns li").count()).toBe(2);
    await page.press("#question", "Escape");
    expect(await page.locator("#call").isHidden()).toBe(true);
    expect(await page.locator("#turns li").count()).toBe(0);
    expect(await page.locator("#ask-status").textContent()).toBe("已开始新来电。");
  });

  it("a two-turn call: 那淮南呢？ is sent with the call's history and answered about 淮南; 新来电 forgets the call", async () => {
    await page.getByLabel("两市对比").check();
    const first = await askBody(() => ask("六安低保标准是多少"));
    expect(first.history).toBeUndefined();
    expect(await page.locator("#answer-text").textContent()).toMatch(/^六安市城乡低保标准：630元\/人\/月/);
    const second = await askBody(() => ask("那淮南呢？"));
    expect(second.history).toEqual(["六安低保标准是多少"]);
    const interpretation = (await page.locator("#interpretation").textContent()) ?? "";
    expect(interpretation).toContain("“淮南低保标准是多少”");
    expect(interpretation).toContain("接着前文问");
    const text = (await page.locator("#answer-text").textContent()) ?? "";
    expect(text).toMatch(/^（按“淮南低保标准是多少”理解）淮南市/);
    expect(text).not.toContain("630");
    expect(await page.locator("#citations .card > .where").first().textContent()).toContain("淮南市");
    expect(await page.locator("#turns li").allTextContents()).toEqual(["六安低保标准是多少", "那淮南呢？（按“淮南低保标准是多少”理解）"]);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-follow-up.png"), fullPage: true });

    await page.getByRole("button", { name: "新来电" }).click();
    expect(await page.locator("#answer").isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("question");
    const fresh = await askBody(() => ask("那淮南呢？"));
    expect(fresh.history).toBeUndefined();
    expect(await page.locator("#interpretation").textContent().catch(() => "")).not.toContain("淮南低保标准是多少");
    await page.getByRole("button", { name: "新来电" }).click();
  });

  it("shows the facts the caller stated and folds the rules they do not meet", async () => {
    await ask("六安公租房谁能申请");
    await ask("我是农村户口的，能办吗");
    await expect.poll(() => page.locator("#remembered").textContent()).toBe("来电人说到的情况：户口类型：农村户口");
    expect(await page.locator("#answer-text").textContent()).toContain("不符合");
    const visible = await page.locator("#eligibility > .result .badge").allTextContents();
    expect(visible).not.toContain("不符合");
    expect(await page.locator("#eligibility details.folded > summary").textContent()).toBe("另有 1 项不符合（点此查看）");
    await page.locator("#eligibility details.folded > summary").click();
    expect(await page.locator("#eligibility details.folded .result .badge").first().textContent()).toBe("不符合");
    await page.getByRole("button", { name: "新来电" }).click();
    expect(await page.locator("#remembered").isHidden()).toBe(true);
  });

  it("keeps no personal number of the caller in the call (list, sessionStorage, next history)", async () => {
    await ask("139 5678 1234，六安低保标准是多少");
    expect(await page.locator("#answer-text").textContent()).toContain("630");
    const turns = (await page.locator("#turns").textContent()) ?? "";
    const stored = (await page.evaluate(() => sessionStorage.getItem("minsheng.call"))) ?? "";
    expect(turns).toContain("六安低保标准是多少");
    expect(stored).toContain("六安低保标准是多少");
    const next = await askBody(() => ask("那淮南呢？"));
    for (const seen of [turns, stored, JSON.stringify(next.history)]) expect(seen).not.toMatch(/1395678|5678\s*1234|139\s5678/);
    await page.getByRole("button", { name: "新来电" }).click();
  });

  it("picks the service from the catalog despite a typo, shows only the facts its rules need, and restores it from a shared link", async () => {
    const wide = await browser.newContext({ locale: "zh-CN", viewport: { width: 1366, height: 768 } });
    const form = await wide.newPage();
    await form.goto(`${base}/#check`);
    await form.locator("#fact-employment").waitFor();
    const allFacts = await form.locator("#check-fields select, #check-fields input").count();
    await form.selectOption("#check-city", "六安市");
    await form.fill("#check-service", "公租方");
    await expect.poll(() => form.locator("#service-match").textContent()).toContain("按最接近的“公租房”核对");
    await expect.poll(() => form.locator("#fact-occupation").count()).toBe(0);
    const needed = await form.locator("#check-fields select, #check-fields input").count();
    expect(needed).toBeGreaterThan(0);
    expect(needed).toBeLessThan(allFacts / 3);
    // The catalog's other 公租房 service is offered; choosing it shows the facts its rules need.
    await form.locator("#service-match").getByRole("button", { name: "公租房（公共服务行业住房困难群体）" }).click();
    await form.locator("#fact-occupation").waitFor();
    await form.selectOption("#fact-occupation", "医护");
    await form.getByRole("button", { name: "核对", exact: true }).click();
    const first = form.locator("#check-results .result").first();
    await first.waitFor();
    expect(await first.textContent()).toContain("有条件符合");
    expect(await first.textContent()).toContain("青年医护人员");
    expect(await form.locator("#check-status").textContent()).toContain("“公租房（公共服务行业住房困难群体）”共");
    // Above the fold on 1366×768.
    const box = await first.boundingBox();
    expect(box && box.y + 40).toBeLessThan(768);
    await form.screenshot({ path: path.join(ARTIFACTS, "console-check-1366.png") });
    const link = await form.getAttribute("#check-link", "href");
    expect(link).toContain("occupation=");
    expect(link).toContain("service=");

    const other = await wide.newPage();
    await other.goto(`${base}/${link}`);
    await other.locator("#check-results .result").first().waitFor();
    expect(await other.inputValue("#fact-occupation")).toBe("医护");
    expect(await other.inputValue("#check-service")).toBe("公租房（公共服务行业住房困难群体）");
    expect(await other.locator("#check-results").textContent()).toContain("青年医护人员");

    // An unknown service is said so, and nothing is checked for it.
    await other.fill("#check-service", "火星移民");
    await other.getByRole("button", { name: "核对", exact: true }).click();
    await expect.poll(() => other.locator("#check-status").textContent()).toContain("请先选一项服务");
    expect(await other.locator("#service-match").textContent()).toContain("没有找到“火星移民”");
    await wide.close();
  });

  it("matches typed service names to the catalog (typos, everyday words, parts)", async () => {
    const services = (await (await fetch(`${base}/api/check/services`)).json()) as { services: { name: string; topics: string[] }[] };
    // As a string: the test runner rewrites import() in functions it compiles.
    const best = async (typed: string) =>
      (await page.evaluate(
        `import("/match.js").then((m) => m.matchServices(${JSON.stringify(typed)}, ${JSON.stringify(services.services)}).map((x) => x.service.name))`,
      )) as string[];
    expect((await best("公租房"))[0]).toBe("公租房");
    expect((await best("公租方"))[0]).toBe("公租房");
    expect((await best("廉租房")).slice(0, 2).sort()).toEqual(["公租房", "公租房（公共服务行业住房困难群体）"]);
    expect((await best("低保"))[0]).toBe("最低生活保障");
    expect((await best("长护险"))[0]).toBe("长期护理保险");
    expect((await best("养老院"))).toContain("公办养老机构优先入住");
    expect((await best("我想问问公积金"))[0]).toBe("住房公积金");
    expect(await best("火星移民")).toEqual([]);
    expect(await best("  ")).toEqual([]);
  });

  it("shows the service lists side by side with differences highlighted", async () => {
    await page.getByRole("button", { name: "服务清单" }).click();
    await page.locator("#services table").waitFor();
    const marked = await page.locator("#services mark.diff").allTextContents();
    expect(marked).toEqual(expect.arrayContaining(["农村免费孕前优生健康检查", "免费孕前优生健康检查", "送戏曲下乡", "送戏进万村"]));
    expect(await page.locator("#services tbody tr").count()).toBe(9);
  });

  it("filters the indicator tables", async () => {
    await page.getByRole("button", { name: "指标数据" }).click();
    await page.locator("#figures table").waitFor();
    await page.fill("#figures-q", "入园率");
    await expect.poll(() => page.locator("#figures tbody tr").count()).toBe(3);
    expect(await page.locator("#figures tbody").textContent()).toContain("专栏");
  });

  it("has no serious accessibility violations (axe-core) and stays usable on a phone", async () => {
    for (const tab of ["问答", "资格核对", "服务清单", "指标数据"]) {
      await page.getByRole("button", { name: tab, exact: true }).click();
      await page.waitForTimeout(100);
      // Through the debugger protocol: the console's CSP rightly refuses inline scripts.
      await page.evaluate(axeSource);
      const result = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string }[] }> } }).axe;
        return axe.run(document);
      })) as { violations: { id: string; impact: string }[] };
      const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(serious.map((v) => v.id), tab).toEqual([]);
    }
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, locale: "zh-CN" });
    const small = await phone.newPage();
    await small.goto(`${base}/`);
    await small.fill("#question", "淮南低收入住房困难家庭能申请公租房吗");
    await small.press("#question", "Enter");
    await small.locator("#eligibility .result").first().waitFor();
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(overflow).toBe(false);
    await small.screenshot({ path: path.join(ARTIFACTS, "console-phone.png"), fullPage: true });
    await phone.close();
  });

  it.each([
    [1366, 768],
    [390, 844],
  ])("at %i×%i: each kind of answer starts on screen, tables become cards on a phone, tabs fit one row (screenshots)", async (width, height) => {
    const ctx = await browser.newContext({ viewport: { width, height }, locale: "zh-CN", deviceScaleFactor: 1 });
    const p = await ctx.newPage();
    await p.goto(`${base}/`);
    await p.getByLabel("两市对比").check();
    const shots: [string, string, RegExp][] = [
      ["answer", "淮南体育馆免费开放吗", /^淮南市/],
      ["figure", "六安低保标准是多少", /^六安市城乡低保标准：630元\/人\/月/],
      ["compare", "六安和淮南的养老服务有什么不同", /^六安市规划：“/],
      ["not-stated", "六安公租房需要带什么材料", /^《六安市“十四五”公共服务规划》没有写/],
    ];
    for (const [name, question, lead] of shots) {
      await p.getByRole("button", { name: "新来电" }).click();
      await ask(question, p);
      const text = p.locator("#answer-text");
      expect(await text.textContent(), name).toMatch(lead);
      // The first line (the answer) is on the first screen.
      const box = await text.boundingBox();
      expect(box!.y + 30, name).toBeLessThan(height);
      expect(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), name).toBe(false);
      await p.screenshot({ path: path.join(ARTIFACTS, `console-${name}-${width}.png`) });
    }
    const tabs = await p.locator(".tab").evaluateAll((ts) => ts.map((t) => (t as HTMLElement).offsetTop));
    expect(new Set(tabs).size).toBe(1);

    await p.getByRole("button", { name: "指标数据" }).click();
    await p.locator("#figures table").waitFor();
    await p.fill("#figures-q", "低保");
    const cell = p.locator("#figures tbody td").first();
    expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe(width < 640 ? "block" : "table-cell");
    expect(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)).toBe(false);
    if (width < 640) {
      // "六安市" stays on one line instead of one character per line.
      const city = await p.locator("#figures tbody td[data-label='城市']").first().boundingBox();
      expect(city!.height).toBeLessThan(40);
    }
    await p.screenshot({ path: path.join(ARTIFACTS, `console-figures-${width}.png`) });

    await p.goto(`${base}/#check?city=${encodeURIComponent("淮南市")}&service=${encodeURIComponent("公租房")}&incomeStatus=${encodeURIComponent("低保")}`);
    const result = p.locator("#check-results .result").first();
    await result.waitFor();
    expect(await p.locator("#check-fields select, #check-fields input").count()).toBeLessThanOrEqual(4);
    // The result is in view once checked (beside the form, or scrolled to on a phone).
    const r = await result.boundingBox();
    expect(r!.y).toBeGreaterThanOrEqual(0);
    expect(r!.y + 40).toBeLessThan(height);
    expect(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)).toBe(false);
    await p.screenshot({ path: path.join(ARTIFACTS, `console-check-${width}.png`) });
    await ctx.close();
  });

  it("shows an error state when the server cannot answer", async () => {
    await page.route("**/api/ask", (route) => route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "INTERNAL", message: "系统繁忙，请稍后再试。" } }) }));
    await page.getByRole("button", { name: "问答" }).click();
    await page.fill("#question", "公租房");
    await page.press("#question", "Enter");
    await expect.poll(() => page.locator("#ask-status").textContent()).toBe("系统繁忙，请稍后再试。");
    expect(await page.locator("#ask-status").getAttribute("class")).toContain("error");
    await page.unroute("**/api/ask");
  });

  it("runs under its Content-Security-Policy (own files only) without a violation", async () => {
    const res = await page.goto(`${base}/`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.fill("#question", "六安低保标准是多少");
    await page.press("#question", "Enter");
    await page.locator("#citations .card").first().waitFor();
    expect(cspViolations).toEqual([]);
  });
});
