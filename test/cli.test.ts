import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AnswerSchema } from "../src/contract/answer.ts";
import { runCli, startServe } from "./helpers.ts";

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = runCli;

describe("ask", () => {
  it("--json --batch prints one answer per line, same order, ids echoed, nothing else on stdout", async () => {
    const file = path.join(work, "batch.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ id: "a", question: "打零工的能交住房公积金吗？六安" }),
        JSON.stringify({ id: "b", question: "公租房", city: "淮南市" }),
        "this is not json",
        "",
        JSON.stringify({ id: 7, question: "今天星期几" }),
        JSON.stringify({ question: "没有id" }),
      ].join("\n"),
    );
    const { code, stdout } = await cli(["ask", "--json", "--batch", file]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(["a", "b", null, "7", null]);
    AnswerSchema.parse(lines[0]);
    expect(lines[1]?.city).toBe("淮南市");
    expect(lines[2]).toMatchObject({ line: 3, error: { code: "INPUT_INVALID" } });
    expect(lines[3]?.kind).toBe("out_of_scope");
    expect(lines[4]).toMatchObject({ line: 6, error: { code: "INPUT_INVALID" } });
  });

  it("prints the answer and its sources for people", async () => {
    const { code, stdout } = await cli(["ask", "六安低保标准是多少"]);
    expect(code).toBe(0);
    expect(stdout).toContain("630元/人/月");
    expect(stdout).toContain("出处：");
  });

  it("prints the contract JSON with --json", async () => {
    const { stdout } = await cli(["ask", "--json", "--city", "淮南市", "老旧小区加装电梯"]);
    const answer = AnswerSchema.parse(JSON.parse(stdout));
    expect(answer.city).toBe("淮南市");
  });
});

describe("errors", () => {
  it.each([
    [["nonsense"], /unknown command/],
    [["ask"], /give a question/],
    [["ask", "--batch", "x.jsonl"], /add --json/],
    [["ask", "--json", "--batch", "/no/such/file.jsonl"], /cannot read batch file/],
    [["ask", "--bogus", "x"], /Unknown option/],
  ])("%j exits 1 with usage and the message", async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("usage:");
  });

  it("an invalid setting exits 1 naming the key", async () => {
    const { code, stderr } = await cli(["ask", "公租房"], { env: { LOG_LEVEL: "loud" } });
    expect(code).toBe(1);
    expect(stderr).toContain("LOG_LEVEL");
  });
});

describe("chat (interactive)", () => {
  it("answers each line typed and ends at end of input", async () => {
    const { code, stdout } = await cli(["chat"], { input: "六安低保标准是多少\n:city 淮南市\n公租房\n:q\n" });
    expect(code).toBe(0);
    expect(stdout).toContain("630元/人/月");
    expect(stdout).toContain("已设置城市：淮南市");
    expect(stdout).toContain("淮南市“十四五”公共服务规划");
  });
});

describe("serve", () => {
  it("serves the console and API, then shuts down cleanly on SIGTERM", async () => {
    const served = await startServe();
    const health = (await (await fetch(`${served.base}/healthz`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    expect(await served.stop()).toBe(0);
  });

  it("rejects a bad port", async () => {
    const { code, stderr } = await cli(["serve", "--port", "99999"]);
    expect(code).toBe(1);
    expect(stderr).toContain("--port");
  });
});

describe("check and rules", () => {
  it("check --json --profile prints {city, results}", async () => {
    const file = path.join(work, "profile.json");
    writeFileSync(file, JSON.stringify({ city: "六安市", employment: "灵活就业", hukou: "城镇" }));
    const { code, stdout } = await cli(["check", "--json", "--profile", file]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { city: string; results: { ruleId: string; verdict: string }[] };
    expect(out.city).toBe("六安市");
    expect(out.results.find((r) => r.ruleId === "luan.housing-fund.flexible-workers")?.verdict).toBe("conditional");
  });

  it("a bad profile exits 1 naming the field", async () => {
    const file = path.join(work, "bad-profile.json");
    writeFileSync(file, JSON.stringify({ age: "old", salary: 1 }));
    const { code, stderr } = await cli(["check", "--json", "--profile", file]);
    expect(code).toBe(1);
    expect(stderr).toContain("age:");
    expect(stderr).toContain("salary");
    writeFileSync(file, "{not json");
    expect((await cli(["check", "--json", "--profile", file])).stderr).toContain("not valid JSON");
  });

  it("the interactive check asks only what is missing and ends with the verdicts", async () => {
    const { code, stdout } = await cli(["check", "--topic", "公租房", "--city", "六安市"], { input: "1\n0\n1\n0\n0\n" });
    expect(code).toBe(0);
    expect(stdout).toContain("现在的住房情况是？");
    expect(stdout).toContain("0. 不知道");
    expect(stdout).toMatch(/六安市·.*公租房保障：/);
  });

  it("rules --json lists the catalog with citations; rules --test passes", async () => {
    const list = await cli(["rules", "--json"]);
    const catalog = JSON.parse(list.stdout) as { id: string; city: string[]; area: string; service: string; citations: unknown[] }[];
    expect(catalog.length).toBeGreaterThanOrEqual(30);
    expect(catalog.every((r) => r.citations.length > 0)).toBe(true);
    const tested = await cli(["rules", "--test"]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/\d+ rules, \d+ test cases: all pass/);
  });
});

describe("eval", () => {
  it("scores the set named as an argument (npm run eval -- FILE), not the default one; two sets are a usage error", async () => {
    const file = path.join(work, "two.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ id: "x1", question: "六安低保标准是多少", type: "figure", number: "630", gold: [{ city: "六安市", anyOf: ["630元/人/月"] }] }),
        JSON.stringify({ id: "x2", question: "今天天气怎么样", type: "out_of_scope" }),
      ].join("\n"),
    );
    const { code, stdout } = await cli(["eval", file, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).system.n).toBe(2);
    const both = await cli(["eval", file, "--questions", file]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("eval takes one question set");
  });
});
