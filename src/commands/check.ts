import path from "node:path";
import { interactiveCheck, readProfileFile } from "../channels/cli/eligibility.ts";
import { defineCommand, requireKnownCity } from "./command.ts";

/** `check`: eligibility for a profile file, or questions one at a time in the terminal. */
export const checkCommand = defineCommand({
  name: "check",
  summary: "eligibility: a profile file, or questions one at a time",
  usage: "check [--json] [--profile FILE] [--topic 公租房] [--city 六安市]",
  options: {
    json: { type: "boolean", default: false },
    profile: { type: "string" },
    topic: { type: "string" },
    city: { type: "string" },
  },
  async run({ values }, rt) {
    const fromFile = values.profile ? readProfileFile(path.resolve(values.profile)) : {};
    const profile = values.city ? { ...fromFile, city: values.city } : fromFile;
    const app = await rt.app();
    requireKnownCity(app, profile.city, values.city ? "--city" : "the profile's city");
    if (!values.profile) {
      return interactiveCheck(app, { input: process.stdin, output: rt.stdout, tty: Boolean(process.stdin.isTTY) }, {
        topic: values.topic,
        profile,
      });
    }
    const result = app.check(profile, values.topic);
    rt.stdout.write((values.json ? JSON.stringify(result, null, 2) : app.eligibility.render(result.results).text) + "\n");
    return 0;
  },
});
