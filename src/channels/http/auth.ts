import { timingSafeEqual } from "node:crypto";
import { memoryWindowCounter } from "../../limits.ts";

/* Secrets on the HTTP server: the admin token (Bearer) and the Telegram webhook secret. */

/** Constant-time comparison of secrets. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 6750 §2.1: `Bearer` (any case), one space, a b64token. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization: Bearer <token>` header; undefined for anything else (no scheme,
 * another scheme, extra spaces or parts).
 *
 * @example
 * bearerToken("Bearer abc123") // "abc123"
 * bearerToken("abc123")        // undefined
 */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** An error carrying the HTTP status the error handler answers with. */
export function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** The outcome of presenting an admin token. */
export type AdminCheck = { ok: true } | { ok: false; status: 401 | 429; retryAfterSeconds?: number };

/**
 * ADMIN_TOKEN checks with one failure limit for every admin entrance (the reload endpoint, the
 * review login): wrong tokens are counted per client IP, in this process; past the limit every
 * attempt is refused until the window ends — the right token too — so guessing learns nothing.
 *
 * @example
 * const gate = adminGate(config.adminToken, config.adminAuth);
 * const check = gate.check(req.ip, bearerToken(req.headers.authorization));
 */
export function adminGate(token: string | undefined, limits: { maxFailures: number; windowMs: number }) {
  const failures = memoryWindowCounter(10_000);
  return {
    /** Whether admin entrances exist at all (ADMIN_TOKEN set). */
    enabled: token !== undefined,
    check(ip: string, given: string | undefined): AdminCheck {
      if (!token) return { ok: false, status: 401 };
      const seen = failures.peek(ip);
      if (seen.count >= limits.maxFailures) return { ok: false, status: 429, retryAfterSeconds: Math.max(1, Math.ceil(seen.ttlMs / 1000)) };
      if (given === undefined || !safeEqual(given, token)) {
        failures.hitSync(ip, limits.windowMs);
        return { ok: false, status: 401 };
      }
      return { ok: true };
    },
  };
}

export type AdminGate = ReturnType<typeof adminGate>;
