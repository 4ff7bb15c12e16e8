import { readFileSync } from "node:fs";

/** minsheng's version, from package.json (recorded in every index build). */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Bumped whenever the on-disk index layout changes; older builds are rebuilt. */
export const INDEX_FORMAT_VERSION = 2;
