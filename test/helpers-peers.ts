import { existsSync } from "node:fs";

/**
 * Real peers (Chromium, redis-server) are installed by .ci/run. Locally a test needing one is
 * skipped when the binary is absent — but never in CI, where a missing peer must fail.
 */
export function peerAvailable(binary: string): boolean {
  const present = existsSync(binary);
  if (!present && (process.env.CI === "true" || process.env.MINSHENG_REQUIRE_PEERS === "1")) {
    throw new Error(`${binary} is required in CI (install it: see .ci/run)`);
  }
  return present;
}
