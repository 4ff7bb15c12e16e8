import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { TelegramClient } from "telegram-test-api/lib/modules/telegramClient.js";
import type { App } from "../../../src/app.ts";
import type { FactName } from "../../../src/contract/profile.ts";
import { testApp } from "../../helpers.ts";
import { buttons, press, replies, say, startEmulator, startTestBot, type BotMessage, type Harness } from "./harness.ts";

/*
 * The /check wizard against the Bot API emulator: questions earlier answers make pointless are
 * skipped, ranges are reported as ranges and never stored as numbers, a cancelled check stores
 * nothing, and not-eligible verdicts fold into one button.
 */

let server: TelegramServer;
let core: App;
let h: Harness;
let nextUser = 30_000;

beforeAll(async () => {
  server = await startEmulator();
  core = await testApp();
  h = await startTestBot(core, server);
});
afterAll(async () => {
  await h.stop();
  await server.stop();
});

const newClient = () => {
  const userId = nextUser++;
  return h.server.getClient(h.token, { userId, chatId: userId, firstName: "居民" });
};
const keyOf = (client: TelegramClient) => `u:${(client as unknown as { userId: number }).userId}`;
const question = (fact: FactName) => core.eligibility.facts[fact].question;
const isResult = (m: BotMessage | undefined) => m?.text.startsWith("<b>核对结果如下") ?? false;

/** Choose a city (unless undefined: both) and an area, then start /check. Returns the first question. */
async function begin(client: TelegramClient, city: 0 | 1 | undefined, area: string): Promise<BotMessage> {
  if (city !== undefined) {
    await press(client, `city:${city}`);
    await replies(client);
  }
  await say(client, "/check");
  const [areas] = await replies(client);
  await press(client, buttons(areas!).find((b) => b.text === area)!.data, areas!.messageId);
  return (await replies(client))[0]!;
}

/**
 * Answer questions until the verdicts arrive: the option named for a fact's question (by label),
 * else the first option. Returns the questions asked (first lines) and the result message.
 */
async function answerAll(client: TelegramClient, first: BotMessage, choose: Partial<Record<FactName, string>>): Promise<{ asked: string[]; result: BotMessage }> {
  const asked: string[] = [];
  let m = first;
  for (let i = 0; i < 20 && !isResult(m); i++) {
    const q = m.text.split("\n")[0]!;
    asked.push(q);
    const wanted = Object.entries(choose).find(([fact]) => question(fact as FactName) === q)?.[1];
    const options = buttons(m).filter((b) => b.data.startsWith("wz:a:"));
    const option = wanted ? options.find((b) => b.text === wanted) : options[0];
    expect(option, `option "${wanted}" for "${q}" among ${options.map((o) => o.text).join(" | ")}`).toBeDefined();
    await press(client, option!.data, m.messageId);
    const got = await replies(client);
    m = got[got.length - 1]!;
  }
  expect(isResult(m)).toBe(true);
  return { asked, result: m };
}

describe("/check skips questions earlier answers make pointless", () => {
  it("after 没有自己的住房 it never asks the compound's year, nor lists the compound rules", async () => {
    const client = newClient();
    const first = await begin(client, 0, "住有所居");
    expect(first.text.split("\n")[0]).toBe(question("housing"));
    const { asked, result } = await answerAll(client, first, { housing: "没有自己的住房" });
    expect(asked).not.toContain(question("buildingYear"));
    expect(result.text).not.toContain("老旧小区");
  });

  it("with a home of one's own it asks the year, and reports the range answered as a range", async () => {
    const client = newClient();
    const first = await begin(client, 0, "住有所居");
    const { asked, result } = await answerAll(client, first, { housing: "有房、不困难", buildingYear: "1900–2000年" });
    expect(asked).toContain(question("buildingYear"));
    expect(result.text).toContain("六安市·2000年底前建成的老旧小区改造：符合");
    expect(result.text).toContain("小区建成年份：1900–2000年");
    expect(result.text).not.toMatch(/1900年/);
    // Exact answers are remembered (and said); the range never becomes a number in the profile.
    const profile = (await h.storage.read(keyOf(client)))?.profile;
    expect(profile).toMatchObject({ housing: "有房" });
    expect(profile?.buildingYear).toBeUndefined();
    expect(result.text).toMatch(/<i>已记住：[^<]*住房情况：有房[^<]*（发 \/forget 可删除）。<\/i>/);
    expect(result.text).not.toMatch(/已记住：[^<]*小区建成年份/);
  });
});

describe("/check without a chosen city", () => {
  it("judges each rule for its own city and never asks the city (as if it were a number)", async () => {
    const client = newClient();
    const first = await begin(client, undefined, "文体服务保障");
    const { asked, result } = await answerAll(client, first, {});
    expect(asked).not.toContain(question("city"));
    const all = [result.text];
    const fold = buttons(result).find((b) => b.data.startsWith("nx:"));
    if (fold) {
      await press(client, fold.data);
      all.push((await replies(client))[0]!.text);
    }
    expect(all.join("\n")).toMatch(/六安市·/);
    expect(all.join("\n")).toMatch(/淮南市·/);
  });
});

describe("/check verdicts", () => {
  it("eligible and conditional first; not-eligible folded into one line and a button that shows them", async () => {
    const client = newClient();
    const first = await begin(client, 0, "住有所居");
    const { result } = await answerAll(client, first, { housing: "有房、不困难", buildingYear: "1900–2000年" });
    const fold = buttons(result).find((b) => b.data.startsWith("nx:"));
    expect(fold).toBeDefined();
    const count = Number(/^另有(\d+)项不符合，点此查看$/.exec(fold!.text)?.[1]);
    expect(count).toBeGreaterThanOrEqual(2);
    const lines = result.text.split("\n");
    expect(buttons(result).at(-1)).toEqual(fold);
    const verdicts = lines.filter((l) => /^(六安市|淮南市)·.*：(符合|有条件符合|不符合|还不能确定)\[/.test(l));
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.some((l) => /：不符合\[/.test(l))).toBe(false);
    const rank = (l: string) => (/：符合\[/.test(l) ? 0 : /：有条件符合\[/.test(l) ? 1 : 3);
    expect(verdicts.map(rank)).toEqual([...verdicts.map(rank)].sort((a, b) => a - b));
    // Folded into the button: no list of not-eligible titles in the text.
    expect(result.text).not.toMatch(/另有\d+项不符合/);

    await press(client, fold!.data, result.messageId);
    const [shown] = await replies(client);
    expect(shown?.text.split("\n")[0]).toBe(`<b>不符合的${count}项：</b>`);
    expect(shown?.text.match(/：不符合\[\d+\]/g)).toHaveLength(count);
    expect(shown?.text).toContain("您的小区建于1900–2000年");
    expect(shown?.text).not.toMatch(/1900年/);
    // Their sources open like an answer's.
    const source = buttons(shown!).find((b) => b.text === "原文 [1]");
    expect(source).toBeDefined();
    await press(client, source!.data);
    expect((await replies(client))[0]?.text).toMatch(/^<b>《六安市/);
  });

  it("an old fold button after /forget says the result expired", async () => {
    const client = newClient();
    const first = await begin(client, 0, "住有所居");
    const { result } = await answerAll(client, first, { housing: "有房、不困难", buildingYear: "1900–2000年" });
    await say(client, "/forget");
    await replies(client);
    await press(client, buttons(result).find((b) => b.data.startsWith("nx:"))!.data);
    expect((await replies(client))[0]?.text).toContain("过期");
  });
});

describe("/check stores nothing until it finishes", () => {
  it("a cancelled check keeps neither an exact answer nor a range (0–59岁 never becomes age 0)", async () => {
    const client = newClient();
    const first = await begin(client, 0, "老有所养");
    expect(first.text.split("\n")[0]).toBe(question("age"));
    await press(client, buttons(first).find((b) => b.text === "0–59岁")!.data, first.messageId);
    const [second] = await replies(client);
    const exact = buttons(second!).find((b) => b.data.startsWith("wz:a:"))!;
    await press(client, exact.data, second!.messageId);
    const [third] = await replies(client);
    await press(client, "wz:c", third!.messageId);
    expect((await replies(client))[0]?.text).toContain("已取消");
    expect((await h.storage.read(keyOf(client)))?.profile).toEqual({});
    // A later check asks the age again: nothing was kept.
    await say(client, "/check");
    const [areas] = await replies(client);
    await press(client, buttons(areas!).find((b) => b.text === "老有所养")!.data, areas!.messageId);
    expect((await replies(client))[0]?.text.split("\n")[0]).toBe(question("age"));
  });

  it("a one-value option (0岁) is an exact answer and is remembered", async () => {
    const client = newClient();
    const first = await begin(client, 0, "病有所医");
    const { asked, result } = await answerAll(client, first, { age: "0岁" });
    expect(asked).toContain(question("age"));
    expect((await h.storage.read(keyOf(client)))?.profile?.age).toBe(0);
    expect(result.text).toMatch(/<i>已记住：[^<]*年龄：0岁/);
  });

  it("a finished check with an age range stores no age and shows the range", async () => {
    const client = newClient();
    const first = await begin(client, 0, "老有所养");
    const { result } = await answerAll(client, first, { age: "0–59岁" });
    expect((await h.storage.read(keyOf(client)))?.profile?.age).toBeUndefined();
    const all = [result.text];
    const fold = buttons(result).find((b) => b.data.startsWith("nx:"));
    if (fold) {
      await press(client, fold.data);
      all.push((await replies(client))[0]!.text);
    }
    expect(all.join("\n")).toContain("0–59岁");
    expect(all.join("\n")).not.toMatch(/年龄是0岁|年龄：0岁/);
  });
});
