import { timingSafeEqual } from "node:crypto";

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
