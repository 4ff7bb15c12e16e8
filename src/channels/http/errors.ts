import type { FastifyReply } from "fastify";
import type { ErrorCode } from "../../errors.ts";

/** The one error body of the API: a code, the resident's text for it, details for developers. */
export interface ApiError {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

export type ErrorDetails = ApiError["error"]["details"];

/**
 * The HTTP status of every error code a response can carry: routes name the code, the status
 * follows from here (README "Errors" lists the same table). A core error (an AppError) that
 * reaches a route gets its code's status; codes not listed are 500.
 */
export const HTTP_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  BAD_REQUEST: 400,
  INPUT_INVALID: 400,
  LINK_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  RELOAD_REFUSED: 409,
  PASSAGE_UNKNOWN: 409,
  PASSAGE_CHANGED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  QUESTION_LOG_UNAVAILABLE: 503,
  INDEX_MISSING: 503,
  INDEX_CORRUPT: 503,
  EMBEDDINGS_UNAVAILABLE: 503,
};

/** The status of a code (500 for codes no route should send). */
export function statusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** The code for a status Fastify or Node raises before a route runs (a bad URL, a body too large …). */
export function codeOfStatus(status: number): ErrorCode {
  const found = (Object.entries(HTTP_STATUS) as [ErrorCode, number][]).find(([code, s]) => s === status && FRAMEWORK_CODES.has(code));
  return found ? found[0] : "BAD_REQUEST";
}

/** Codes the framework's own statuses map to (one per status). */
const FRAMEWORK_CODES = new Set<ErrorCode>(["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "REQUEST_TIMEOUT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "RATE_LIMITED", "HEADERS_TOO_LARGE"]);

export function apiError(code: ErrorCode, message: string, details?: ErrorDetails): ApiError {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** Send an error with its code's status. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details?: ErrorDetails): FastifyReply {
  return reply.code(statusOf(code)).send(apiError(code, message, details));
}
