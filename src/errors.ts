/**
 * One error class for every expected failure, identified by a code.
 *
 * The `message` is for developers (English); residents and staff read the Chinese text keyed by
 * `code` in `prompts/messages.zh.yaml` (`errors.<code>`). Unknown errors are not AppErrors: channels
 * show the generic "系统繁忙" text and log the stack.
 *
 * @example
 * throw new AppError("INDEX_CORRUPT", "chunks.json checksum mismatch", { file: "chunks.json" });
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

/** Every error code the application raises, with the stage it comes from. */
export const ERROR_CODES = [
  "CONFIG_INVALID", // config: an environment value does not validate
  "USAGE", // cli: unknown command or bad arguments
  "MANIFEST_INVALID", // corpus: seeds/manifest.yaml missing or malformed
  "SEED_MISSING", // corpus: a document file named in the manifest is absent
  "SEED_UNPARSABLE", // corpus: a document has no recognisable structure or a list count is off
  "LEXICON_INVALID", // corpus: seeds/lexicon.yaml malformed, or a variant with two terms / a cycle
  "LIBRARY_INVALID", // corpus: seeds/questions/*.yaml malformed, or a quote not found in exactly one passage
  "RULES_INVALID", // rules: a rule file, quote, test case or contradiction
  "STANDARDS_INVALID", // corpus: seeds/standards/*.yaml malformed, a source quote missing, overlapping dates
  "INDEX_MISSING", // index: no build yet
  "INDEX_CORRUPT", // index: files missing, unreadable or failing their checksum
  "INDEX_INCOMPATIBLE", // index: built with other settings (embeddings provider, format version)
  "EMBEDDINGS_UNAVAILABLE", // search: the optional embeddings server failed
  "INPUT_INVALID", // channels: a request or batch line that does not validate
  "BAD_REQUEST", // http: a request that is not well-formed (bad JSON, URL encoding, HTTP syntax)
  "UNAUTHORIZED", // http: a missing or wrong admin token or webhook secret
  "FORBIDDEN", // http: a path the server refuses to serve (dot segments escaping the console's folder)
  "NOT_FOUND", // http: no such route or passage
  "REQUEST_TIMEOUT", // http: the client sent its request too slowly
  "PAYLOAD_TOO_LARGE", // http: body over HTTP_BODY_LIMIT
  "UNSUPPORTED_MEDIA_TYPE", // http: a body that is not JSON
  "HEADERS_TOO_LARGE", // http: request headers over Node's limit
  "RATE_LIMITED", // http: too many requests (or admin token failures) from one client
  "RELOAD_REFUSED", // http: admin reload found no usable build; the old one keeps serving
  "QUESTION_LOG_UNAVAILABLE", // review: the question log's database is down, or the log is off (QUESTION_LOG_DAYS=0)
  "PASSAGE_UNKNOWN", // review: a link names a passage id the live build does not have
  "PASSAGE_CHANGED", // review: the passage's text changed since it was shown (a newer build went live)
  "LINK_INVALID", // review: the library entry would not validate (question linked elsewhere, pending.yaml broken)
  "INTERNAL", // channels: an unexpected failure (a bug); residents read 系统繁忙, the log has the stack
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** True when `error` is an AppError with one of `codes` (any code when none given). */
export function isAppError(error: unknown, ...codes: ErrorCode[]): error is AppError {
  return error instanceof AppError && (codes.length === 0 || codes.includes(error.code));
}
