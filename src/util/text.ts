/* Small text formatters every layer shares. */

/** Citation markers for some numbers: [1][2]. */
export function refs(numbers: readonly number[]): string {
  return numbers.map((n) => `[${n}]`).join("");
}
