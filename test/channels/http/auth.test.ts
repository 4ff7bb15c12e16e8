import { describe, expect, it } from "vitest";
import { bearerToken, safeEqual } from "../../../src/channels/http/auth.ts";

describe("admin auth", () => {
  it("reads only 'Bearer <token>'", () => {
    expect(bearerToken("Bearer abc.DEF-123_~+/=")).toBe("abc.DEF-123_~+/=");
    expect(bearerToken("bearer abc")).toBe("abc");
    for (const h of [undefined, "", "abc", "Bearer", "Bearer ", "Bearer  abc", "Basic abc", "Bearer abc def", " Bearer abc", "Bearer abc\n"]) {
      expect(bearerToken(h), JSON.stringify(h)).toBeUndefined();
    }
  });

  it("compares secrets in constant time, any length", () => {
    expect(safeEqual("secret", "secret")).toBe(true);
    expect(safeEqual("secret", "secreT")).toBe(false);
    expect(safeEqual("secret", "secret-longer")).toBe(false);
  });
});
