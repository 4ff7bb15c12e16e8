/*
 * Text for a terminal. What a resident or a file sent (batch lines, city names, file names) may hold
 * control characters: ESC sequences that recolour, retitle or clear the terminal, or bidi overrides
 * that reorder what is shown. They are written as visible escapes instead.
 */

/** C0 controls but tab and newline, DEL, C1 controls (incl. the 8-bit CSI), bidi embeddings/overrides/isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character a terminal would act on written as `\u001b` and the like.
 *
 * @example
 * escapeControls("北京\u001b[2J") // "北京\\u001b[2J"
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Remove a UTF-8 byte order mark from the start of a file's text (editors on Windows add one). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
