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

  it("focuses the search box, answers on Enter and shows a citation card with the quote", async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("question");
    await page.getByLabel("六安市").check();
    await page.keyboard.type("打零工的能交住房公积金吗");
    await page.keyboard.press("Enter");
    const card = page.locator("#citations .card").first();
    await card.waitFor();
    expect(await card.locator("mark").textContent()).toBe("鼓励灵活就业人员参加住房公积金制度");
    expect(await card.locator(".where").textContent()).toContain("第九章 舒适宜人的住房保障服务 › 第二节 住有宜居");
    expect(await page.locator("#eligibility .badge").first().textContent()).toBe("有条件符合");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-answer.png"), fullPage: true });
  });

  it("expands a source to its whole section", async () => {
    const card = page.locator("#citations .card").first();
    await card.getByRole("button", { name: "展开全文" }).click();
    const section = card.locator(".section");
    await section.locator("p.cited").first().waitFor();
    expect(await section.textContent()).toContain("住有宜居");
    expect(await card.getByRole("button", { name: "收起全文" }).getAttribute("aria-expanded")).toBe("true");
  });

  it("copies the answer with its citations as plain text", async () => {
    await page.getByRole("button", { name: "复制答案" }).click();
    await expect.poll(() => page.locator("#ask-status").textContent()).toContain("已复制");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("鼓励灵活就业人员参加住房公积金制度");
    expect(copied).toContain("引用原文");
  });

  it("switches city and remembers it; Esc clears", async () => {
    await page.getByLabel("淮南市").check();
    await page.fill("#question", "老旧小区加装电梯");
    await page.press("#question", "Enter");
    await expect.poll(async () => page.locator("#citations .where").first().textContent()).toContain("淮南市");
    const wheres = await page.locator("#citations .card > .where").allTextContents();
    expect(wheres.every((w) => w.includes("淮南市"))).toBe(true);
    await page.reload();
    expect(await page.getByLabel("淮南市").isChecked()).toBe(true);
    await page.fill("#question", "随便");
    await page.press("#question", "Escape");
    expect(await page.inputValue("#question")).toBe("");
  });

  it("runs the eligibility form and restores it from a shared link", async () => {
    await page.getByRole("button", { name: "资格核对" }).click();
    await page.locator("#fact-employment").waitFor();
    await page.selectOption("#check-city", "六安市");
    await page.fill("#check-topic", "公租房");
    await page.selectOption("#fact-occupation", "医护");
    await page.getByRole("button", { name: "核对", exact: true }).click();
    await page.locator("#check-results .result").first().waitFor();
    const first = await page.locator("#check-results .result").first().textContent();
    expect(first).toContain("有条件符合");
    expect(first).toContain("青年医护人员");
    const link = await page.getAttribute("#check-link", "href");
    expect(link).toContain("occupation=");

    const other = await context.newPage();
    await other.goto(`${base}/${link}`);
    await other.locator("#check-results .result").first().waitFor();
    expect(await other.inputValue("#fact-occupation")).toBe("医护");
    expect(await other.locator("#check-results").textContent()).toContain("青年医护人员");
    await other.screenshot({ path: path.join(ARTIFACTS, "console-check.png"), fullPage: true });
    await other.close();
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
