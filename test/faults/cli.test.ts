import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { buildHttpApp } from "../../src/channels/http/app.ts";
import { freePort, waitForHttp } from "../process-kit.ts";
import { ROOT, runCli, testApp, testConfig } from "../helpers.ts";
import { processesMarked, track } from "./helpers.ts";

/*
 * D10: SIGTERM to the pid `npm start` reports stops node too (process managers signal that pid).
 * D13: control characters a resident or a file sent never reach the terminal raw.
 * D14: an unknown city is refused (CLI, batch line, API profile), never silently ignored; a UTF-8
 * BOM at the start of a batch or profile file is not part of its first line.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** C0 controls but tab and newline, DEL, C1 (incl. the 8-bit CSI) — what a terminal acts on. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("D10: npm start and signals", () => {
  it("SIGTERM to npm's pid shuts node down cleanly: no process is left", async () => {
    const marker = `MINSHENG_FAULT_MARK=${randomBytes(6).toString("hex")}`;
    const port = await freePort();
    const child = spawn("npm", ["start"], {
      cwd: ROOT,
      env: {
        ...process.env,
        [marker.split("=")[0] as string]: marker.split("=")[1],
        HTTP_PORT: String(port),
        MINSHENG_INDEX_DIR: inject("indexDir"),
        INDEX_WATCH: "false",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const npm = track(child);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
      expect(processesMarked(marker).length).toBeGreaterThanOrEqual(2);
      process.kill(child.pid!, "SIGTERM");
      await expect.poll(() => processesMarked(marker), { timeout: 20_000, interval: 200 }).toEqual([]);
      expect(npm.stderr() + npm.stdout()).toContain("SIGTERM: shutting down");
    } finally {
      for (const pid of processesMarked(marker)) process.kill(pid, "SIGKILL");
    }
  }, 90_000);
});

describe("D13: control characters", () => {
  it("batch lines and arguments with terminal escapes never reach stderr raw", async () => {
    const file = path.join(work, "escapes.jsonl");
    writeFileSync(
      file,
      [
        "\u001b]0;pwned\u0007 not json \u001b[2J",
        JSON.stringify({ id: "ok", question: "公租房\u001b[31m", city: "淮南市" }),
        '{"id": "\u001b[31mx", "question": 5}',
        JSON.stringify({ id: "c", question: "公租房", city: "\u001b[2J北京" }),
      ].join("\n"),
    );
    const batch = await runCli(["ask", "--json", "--batch", file], { env: { LOG_LEVEL: "debug" } });
    expect(batch.code).toBe(0);
    expect(batch.stderr).not.toMatch(CONTROL);
    const lines = batch.stdout.trim().split("\n").map((l) => JSON.parse(l) as { error?: unknown });
    expect(lines).toHaveLength(4);
    const city = await runCli(["ask", "--city", "\u001b]0;x\u0007六安", "公租房"]);
    expect(city.code).toBe(1);
    expect(city.stderr).not.toMatch(CONTROL);
    const profile = await runCli(["check", "--json", "--profile", path.join(work, "\u001b[2Jmissing.json")]);
    expect(profile.code).toBe(1);
    expect(profile.stderr).not.toMatch(CONTROL);
    expect(profile.stderr).toContain("\\u001b");
  });
});

describe("D14: cities and byte order marks", () => {
  it("ask --city with a city not covered exits 1 naming the covered ones", async () => {
    const res = await runCli(["ask", "--city", "北京市", "公租房"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("--city");
    expect(res.stderr).toContain("六安市");
  });

  it("a batch line with such a city is an INPUT_INVALID line; a BOM does not spoil the first line", async () => {
    const file = path.join(work, "bom.jsonl");
    writeFileSync(
      file,
      "\uFEFF" + [JSON.stringify({ id: "a", question: "六安低保标准是多少" }), JSON.stringify({ id: "b", question: "公租房", city: "北京市" })].join("\n"),
    );
    const res = await runCli(["ask", "--json", "--batch", file]);
    expect(res.code).toBe(0);
    const [a, b] = res.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; text?: string; error?: { code: string; message: string } });
    expect(a?.id).toBe("a");
    expect(a?.text).toContain("630");
    expect(b).toMatchObject({ id: "b", line: 2, error: { code: "INPUT_INVALID" } });
    expect(b?.error?.message).toContain("六安市");
  });

  it("a profile file with a BOM is read; check --city with a city not covered exits 1", async () => {
    const file = path.join(work, "profile.json");
    writeFileSync(file, "\uFEFF" + JSON.stringify({ city: "六安市", employment: "灵活就业" }));
    const ok = await runCli(["check", "--json", "--profile", file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).city).toBe("六安市");
    const bad = await runCli(["check", "--json", "--profile", file, "--city", "北京市"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("北京市");
    writeFileSync(file, JSON.stringify({ city: "北京市" }));
    expect((await runCli(["check", "--json", "--profile", file])).code).toBe(1);
  });

  it("POST /api/ask refuses profile.city that is not covered", async () => {
    const core = await testApp();
    const http = await buildHttpApp(() => core, testConfig());
    try {
      const res = await http.inject({ method: "POST", url: "/api/ask", payload: { question: "公租房", profile: { city: "北京市" } } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe("profile.city");
    } finally {
      await http.close();
    }
  });
});
