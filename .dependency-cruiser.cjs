/**
 * The dependency rule (docs/ARCHITECTURE.md), checked by `npm run lint:deps` inside `npm test`:
 *
 *   cli (cli.ts, commands/), server.ts, channels, questions, metrics  →  app (app.ts, live.ts)  →  answer  →  index  →  rules, search  →  corpus
 *   →  prompts, contract, util  →  platform (config, errors, limits, log, redact, redis, version)
 *
 * An import may only point down this list (or stay inside its own folder). No file-level cycles.
 */
const layer = (name, path, mayNotImport) => ({
  name: `layer-${name}`,
  comment: `${name} may not import ${mayNotImport.join(", ")} (see docs/ARCHITECTURE.md)`,
  severity: "error",
  from: { path },
  to: { path: mayNotImport.map((p) => `^src/${p}`) },
});

const TOP = ["cli\\.ts", "commands/", "server\\.ts", "channels/", "questions/", "metrics\\.ts"];
const APP = ["app\\.ts", "live\\.ts", "eval/"];

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "no import cycles, at any level", from: {}, to: { circular: true } },
    layer("app", "^src/(app|live)\\.ts$", [...TOP]),
    layer("eval", "^src/eval/", [...TOP]),
    layer("answer", "^src/answer/", [...TOP, ...APP]),
    layer("index", "^src/index/", [...TOP, ...APP, "answer/"]),
    layer("rules", "^src/rules/", [...TOP, ...APP, "answer/", "index/"]),
    layer("search", "^src/search/", [...TOP, ...APP, "answer/", "index/", "rules/"]),
    layer("corpus", "^src/corpus/", [...TOP, ...APP, "answer/", "index/", "rules/", "search/"]),
    layer("leaves", "^src/(prompts\\.ts|contract/|util/)", [...TOP, ...APP, "answer/", "index/", "rules/", "search/", "corpus/"]),
    layer("platform", "^src/(config|errors|limits|log|redact|redis|version)\\.ts$", [
      ...TOP, ...APP, "answer/", "index/", "rules/", "search/", "corpus/", "prompts\\.ts", "contract/", "util/",
    ]),
    layer("channels", "^src/channels/", ["cli\\.ts", "commands/", "server\\.ts"]),
    // The services know nothing of the command line that starts them.
    layer("server", "^src/server\\.ts$", ["cli\\.ts", "commands/"]),
    // Commands are dispatched by cli.ts, never the other way round.
    layer("commands", "^src/commands/", ["cli\\.ts"]),
    {
      name: "channels-through-app",
      comment: "channels reach the core only through App (app.ts): not answer, rules, index, search or corpus",
      severity: "error",
      from: { path: "^src/channels/" },
      to: { path: "^src/(answer|rules|index|search|corpus)/" },
    },
    {
      name: "core-without-frameworks",
      comment: "the core never imports grammy, fastify or redis",
      severity: "error",
      from: { path: "^src/(answer|rules|index|search|corpus|contract|util)/" },
      to: { path: "node_modules/(grammy|@grammyjs|fastify|@fastify|redis)/" },
    },
    {
      name: "vectors-behind-vector-index",
      comment: "only search/vectors.ts (the VectorIndex) touches LangChain's vector store or hnswlib-node",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/search/vectors\\.ts$" },
      to: { path: "node_modules/(hnswlib-node|@langchain/community/dist/vectorstores)/" },
    },
    {
      name: "src-not-tests",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".json"] },
  },
};
