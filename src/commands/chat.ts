import readline from "node:readline";
import { formatAnswerText } from "../channels/cli/format.ts";
import { loggedCore, openQuestionLog } from "../questions/log.ts";
import { defineCommand, requireKnownCity, type Runtime } from "./command.ts";

/** `chat`: an interactive question prompt in the terminal. */
export const chatCommand = defineCommand({
  name: "chat",
  summary: "an interactive question prompt in the terminal",
  usage: "chat [--city 六安市|淮南市]",
  options: { city: { type: "string" } },
  async run({ values }, rt) {
    return interactive(rt, values.city);
  },
});

async function interactive(rt: Runtime, city: string | undefined): Promise<number> {
  const base = await rt.app();
  requireKnownCity(base, city, "--city");
  // Residents' questions typed at a hotline terminal are logged like the API's and the bot's.
  const questionLog = openQuestionLog(rt.config, rt.log);
  const app = loggedCore(() => base, "cli", { questionLog })();
  const tty = Boolean(process.stdin.isTTY);
  let savedCity = city;
  const cities = app.index.corpus.documents.map((d) => d.meta.city);
  if (tty) {
    rt.stdout.write(
      `minsheng ${app.index.id} · 收录：${app.index.manifest.documents.map((d) => d.title).join("、")}\n` +
        `输入问题后回车；:city ${cities.join("|")} 设置所在城市；:q 退出。\n`,
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: tty ? rt.stdout : undefined, terminal: tty });
  const prompt = () => tty && rl.prompt();
  rl.setPrompt("问题> ");
  prompt();
  for await (const line of rl) {
    const input = line.trim();
    if (input === ":q" || input === ":quit" || input === "exit") break;
    if (input.startsWith(":city")) {
      const c = input.slice(5).trim();
      savedCity = cities.includes(c) ? c : undefined;
      rt.stdout.write(savedCity ? `已设置城市：${savedCity}\n` : `已清除城市（可选：${cities.join("、")}）\n`);
      prompt();
      continue;
    }
    if (input) {
      const answer = await app.ask(input, { city: savedCity });
      rt.stdout.write(formatAnswerText(answer) + "\n\n");
    }
    prompt();
  }
  rl.close();
  await questionLog.close();
  return 0;
}