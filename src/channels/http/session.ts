import { createHmac, randomBytes } from "node:crypto";
import { safeEqual } from "./auth.ts";

/*
 * The review's login sessions: cookie values signed with a key derived from ADMIN_TOKEN, checked
 * and revoked here, and read from a Cookie header. The review's routes set and clear the cookie.
 */

const SESSION_MS = 8 * 3600_000;

/** Session cookies: `<expiry>.<nonce>.<hmac>`, signed with a key derived from ADMIN_TOKEN (a new token ends every session). */
export function sessionSigner(token: string) {
  const key = createHmac("sha256", "minsheng review session").update(token).digest();
  const sign = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");
  const revoked = new Map<string, number>();
  return {
    issue(now = Date.now()): { value: string; maxAgeS: number } {
      const payload = `${now + SESSION_MS}.${randomBytes(12).toString("base64url")}`;
      return { value: `${payload}.${sign(payload)}`, maxAgeS: SESSION_MS / 1000 };
    },
    valid(value: string | undefined, now = Date.now()): boolean {
      const m = value ? /^(\d{13})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
      if (!m) return false;
      const [, exp, nonce, sig] = m as unknown as [string, string, string, string];
      return safeEqual(sig, sign(`${exp}.${nonce}`)) && Number(exp) > now && !revoked.has(nonce);
    },
    revoke(value: string | undefined, now = Date.now()): void {
      const m = value ? /^(\d{13})\.([A-Za-z0-9_-]{16})\./.exec(value) : null;
      if (!m) return;
      for (const [n, exp] of revoked) if (exp <= now) revoked.delete(n);
      revoked.set(m[2] as string, Number(m[1]));
    },
  };
}

/** The value of cookie `name` in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
