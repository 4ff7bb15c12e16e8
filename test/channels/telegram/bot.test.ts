import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../../src/app.ts";
import { testApp } from "../../helpers.ts";
import { buttons, press, replies, say, silence, startEmulator, startTestBot, type BotMessage, type Harness } from "./harness.ts";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";

/** Only <b>, <i> tags, balanced, and no bare & or < in the text. */
function wellFormedHtml(html: string): boolean {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z]+)>|&(?!amp;|lt;|gt;)|<(?![/bi])/g)) {
    if (!m[2]) return false;
    if (!["b", "i"].includes(m[2])) return false;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0;
}

let server: TelegramServer;
let core: App;
let h: Harness;
let nextUser = 100;
const newClient = (type: "private" | "group" = "private") => {
  const userId = nextUser++;
  return h.server.getClient(h.token, { userId, chatId: type === "private" ? userId : -userId, type, firstName: "居民", userName: `u${userId}` });
};

beforeAll(async () => {
  server = await startEmulator();
  core = await testApp();
  h = await startTestBot(core, server);
});
afterAll(async () => {
  await h.stop();
  await server.stop();
});

/** A bot message as the emulator now holds it (after any edits): text and button count. */
function edited(messageId: number): { text: string; buttons: number } | undefined {
  const stored = (server as unknown as { storage: { botMessages: { messageId: number; message: BotMessage }[] } }).storage.botMessages;
  const m = stored.find((u) => u.messageId === messageId)?.message;
  return m && { text: m.text, buttons: buttons(m).length };
}

describe("private chat", () => {
  it("/start welcomes, offers the cities, and the choice is remembered", async () => {
    const client = newClient();
    await say(client, "/start");
    const [welcome] = await replies(client);
    expect(welcome?.text).toContain("十四五");
    expect(welcome?.text).toContain("不是办事指南");
    expect(buttons(welcome!).map((b) => b.text)).toEqual(["六安市", "淮南市", "都看看"]);
    await press(client, "city:1");
    expect((await replies(client))[0]?.text).toContain("已设置城市：淮南市");
    await say(client, "公租房谁能申请");
    const [answer] = await replies(client);
    expect(answer?.text).toContain("淮南市");
    expect(answer?.text).not.toContain("六安市");
  });

  it("answers with numbered citations in HTML and buttons for sources and feedback", async () => {
    const client = newClient();
    await say(client, "打零工的能交住房公积金吗？六安");
    const [m] = await replies(client);
    expect(m?.parse_mode).toBe("HTML");
    expect(m?.text.split("\n")[0]).toBe("六安市·灵活就业人员参加住房公积金：有条件符合[1]。");
    expect(m?.text).toContain("鼓励灵活就业人员参加住房公积金制度");
    // One message: the answer, then the compact source list (the passages are behind "原文 [n]").
    expect(m?.text).toContain("<i>《六安市“十四五”公共服务规划》：[1] ");
    expect(wellFormedHtml(m!.text)).toBe(true);
    const data = buttons(m!).map((b) => b.data);
    expect(data).toContain("src:1:1");
    expect(data).toEqual(expect.arrayContaining(["fb:1:+", "fb:1:-"]));
    expect(data.every((d) => Buffer.byteLength(d) <= 64)).toBe(true);

    await press(client, "src:1:1");
    const [source] = await replies(client);
    expect(source?.text).toContain("第九章 舒适宜人的住房保障服务 › 第二节 住有宜居");
    expect(source?.text).toMatch(/<b>[^<]*鼓励灵活就业人员参加住房公积金制度[^<]*<\/b>/);

    await press(client, "fb:1:-");
    await expect.poll(() => h.feedback.length).toBeGreaterThan(0);
    expect(h.feedback.at(-1)).toMatchObject({ kind: "rating", rating: "down", answerId: "1", answerKind: "eligibility" });
  });

  it("escapes HTML-special characters in what it echoes", async () => {
    const client = newClient();
    await say(client, "<b>&</b> 淮南公租房 <script>");
    const msgs = await replies(client);
    for (const m of msgs) expect(wellFormedHtml(m.text)).toBe(true);
  });

  it("runs the /check wizard: only missing facts, 不知道, 返回, then verdicts with citations", async () => {
    const client = newClient();
    await press(client, "city:0");
    await replies(client);
    await say(client, "我是城镇户口");
    await replies(client);
    await say(client, "/check");
    const [areas] = await replies(client);
    const housing = buttons(areas!).find((b) => b.text === "住有所居")!;
    await press(client, housing.data, areas!.messageId);
    const [q1] = await replies(client);
    expect(q1?.text).not.toContain("户口");
    expect(buttons(q1!).map((b) => b.text)).toEqual(expect.arrayContaining(["不知道", "返回", "取消"]));
    const firstQuestion = q1!.text.split("\n")[0];

    await press(client, "wz:x", q1!.messageId);
    const [q2] = await replies(client);
    expect(q2?.text.split("\n")[0]).not.toBe(firstQuestion);
    // The pressed question now reads as a record of the answer, without buttons.
    expect(edited(q1!.messageId)).toEqual({ text: `${firstQuestion}\n✔ 不知道`, buttons: 0 });
    expect(edited(areas!.messageId)).toEqual({ text: `${areas!.text}\n✔ 住有所居`, buttons: 0 });
    const firstOption = buttons(q2!)[0]!;
    await press(client, firstOption.data, q2!.messageId);
    const [q3] = await replies(client);
    expect(edited(q2!.messageId)?.text).toBe(`${q2!.text.split("\n")[0]}\n✔ ${firstOption.text}`);
    await press(client, "wz:b", q3!.messageId);
    const [again] = await replies(client);
    expect(again?.text.split("\n")[0]).toBe(q2?.text.split("\n")[0]);
    expect(edited(q3!.messageId)?.text).toMatch(/\n✔ 返回$/);
    // A button of an earlier question re-asks the pending one instead of answering out of turn.
    await press(client, firstOption.data, q1!.messageId);
    const [pending] = await replies(client);
    expect(pending?.text.split("\n")[0]).toBe(again?.text.split("\n")[0]);

    // Answer the first option of every remaining question until the verdicts arrive.
    let last: BotMessage | undefined = pending;
    for (let i = 0; i < 12 && last && buttons(last).some((b) => b.data.startsWith("wz:a:")); i++) {
      await press(client, buttons(last)[0]!.data, last.messageId);
      const ms = await replies(client);
      last = ms[ms.length - 1];
      if (last?.text.startsWith("<b>核对结果如下")) break;
    }
    expect(last?.text).toContain("核对结果如下");
    expect(last?.text).toMatch(/六安市·.*：(符合|有条件符合|不符合|还不能确定)/);
    expect(last?.text).toMatch(/<i>《六安市“十四五”公共服务规划》：\[1\]/);
    expect(buttons(last!).map((b) => b.text)).toContain("原文 [1]");
  });

  it("the wizard can be cancelled at any time", async () => {
    const client = newClient();
    await say(client, "/check");
    const [areas] = await replies(client);
    await press(client, buttons(areas!)[0]!.data);
    await replies(client);
    await press(client, "wz:c");
    expect((await replies(client))[0]?.text).toContain("已取消");
    await press(client, "wz:x");
    expect((await replies(client))[0]?.text).toContain("已经结束");
  });

  it("/services lists an area of the chosen city; /compare names the differences", async () => {
    const client = newClient();
    await press(client, "city:0");
    await replies(client);
    await say(client, "/services");
    const [menu] = await replies(client);
    expect(buttons(menu!)).toHaveLength(9);
    await press(client, buttons(menu!)[0]!.data);
    const [list] = await replies(client);
    expect(list?.text).toContain("六安市 · 幼有所育（共计9项）");
    expect(list?.text).toContain("1. 农村免费孕前优生健康检查");
    expect(list?.text).not.toContain("淮南市 ·");
    await say(client, "/compare");
    const [cmp] = await replies(client);
    expect(cmp?.text).toContain("农村免费孕前优生健康检查");
    expect(cmp?.text).toContain("送戏进万村");
  });

  it("/about names the sources, their status and the build; /help lists commands", async () => {
    const client = newClient();
    await say(client, "/about");
    const [about] = await replies(client);
    expect(about?.text).toContain("征求意见稿");
    expect(about?.text).toContain(core.index.id);
    await say(client, "/help");
    expect((await replies(client))[0]?.text).toContain("/check");
  });

  it("/forget deletes the saved city and profile", async () => {
    const client = newClient();
    await press(client, "city:1");
    await replies(client);
    await say(client, "我是灵活就业");
    await replies(client);
    const key = `u:${(client as unknown as { userId: number }).userId}`;
    expect((await h.storage.read(key))?.profile).toMatchObject({ employment: "灵活就业" });
    await say(client, "/forget");
    expect((await replies(client))[0]?.text).toContain("已删除");
    expect(await h.storage.read(key)).toBeUndefined();
  });

  it("/feedback records text (redacted), or asks for it", async () => {
    const client = newClient();
    await say(client, "/feedback");
    expect((await replies(client))[0]?.text).toContain("/feedback 后面");
    await say(client, "/feedback 希望增加合肥 电话13912345678");
    expect((await replies(client))[0]?.text).toContain("已记录");
    expect(h.feedback.some((f) => f.kind === "text" && f.text?.includes("希望增加合肥"))).toBe(true);
  });

  it("non-text messages get a polite note", async () => {
    const client = newClient();
    const base = client.makeMessage("");
    const { text: _t, ...noText } = base as unknown as Record<string, unknown>;
    await client.sendMessage({ ...noText, sticker: { file_id: "x", file_unique_id: "x", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } } as never);
    expect((await replies(client))[0]?.text).toContain("只能看懂文字");
    await client.sendMessage({ ...noText, location: { latitude: 31.7, longitude: 116.5 } } as never);
    expect((await replies(client))[0]?.text).toContain("只能看懂文字");
  });

  it("refuses over-long questions politely", async () => {
    const client = newClient();
    await say(client, "公租房".repeat(400));
    expect((await replies(client))[0]?.text).toContain("超过了500字");
  });
});

describe("groups", () => {
  it("answers only when mentioned or replied to, and stores no profile", async () => {
    const client = newClient("group");
    const username = h.bot.botInfo.username;
    await say(client, "打零工的能交住房公积金吗，六安");
    expect(await silence(client)).toBe(true);
    await say(client, `@${username} 我是打零工的，六安公积金能交吗`, {
      entities: [{ type: "mention", offset: 0, length: username.length + 1 }],
    });
    const [m] = await replies(client);
    expect(m?.text).toContain("住房公积金");
    const chatId = (client as unknown as { chatId: number }).chatId;
    expect((await h.storage.read(`g:${chatId}`))?.profile).toEqual({});
    await say(client, "那淮南呢", { reply_to_message: { message_id: m!.messageId, from: { id: h.bot.botInfo.id, is_bot: true, first_name: "bot" }, chat: { id: chatId, type: "group" }, date: 0 } });
    expect((await replies(client)).length).toBeGreaterThan(0);
    await say(client, "/check");
    expect((await replies(client))[0]?.text).toContain("私聊");
  });
});
