import { describe, expect, it } from "vitest";
import { escapeControls, stripBom } from "../../../src/channels/cli/terminal.ts";

describe("terminal text", () => {
  it("writes control characters a terminal would act on as escapes, keeping text, tabs and newlines", () => {
    expect(escapeControls("北京\u001b[2J\u0007")).toBe("北京\\u001b[2J\\u0007");
    expect(escapeControls("a\tb\nc")).toBe("a\tb\nc");
    expect(escapeControls("\u009b31m\u202eabc")).toBe("\\u009b31m\\u202eabc");
  });

  it("drops a byte order mark only at the start", () => {
    expect(stripBom("\uFEFF{}")).toBe("{}");
    expect(stripBom("{}\uFEFF")).toBe("{}\uFEFF");
  });
});
