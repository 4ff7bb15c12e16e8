import { fill } from "../prompts.ts";
import readline from "node:readline";
import { formatAnswerText } from "../channels/cli/format.ts";
import { openQuestionLog } from "../questions/log.ts";
import { loggedCore } from "../questions/observe.ts";
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
      fill(app.messages.terminal.chat_banner, { build: app.index.id, documents: app.index.manifest.documents.map((d) => d.title).join("、"), cities: cities.join("|") }) + "\n",
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: tty ? rt.stdout : undefined, terminal: tty });
  const prompt = () => tty && rl.prompt();
  rl.setPrompt(app.messages.terminal.chat_prompt);
  prompt();
  for await (const line of rl) {
    const input = line.trim();
    if (input === ":q" || input === ":quit" || input === "exit") break;
    if (input.startsWith(":city")) {
      const c = input.slice(5).trim();
      savedCity = cities.includes(c) ? c : undefined;
      rt.stdout.write(fill(savedCity ? app.messages.terminal.city_set : app.messages.terminal.city_cleared, { city: savedCity ?? "", cities: cities.join("、") }) + "\n");
      prompt();
      continue;
    }
    if (input) {
      const answer = await app.ask(input, { city: savedCity });
      rt.stdout.write(formatAnswerText(answer, app.messages) + "\n\n");
    }
    prompt();
  }
  rl.close();
  await questionLog.close();
  return 0;
}