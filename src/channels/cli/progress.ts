const STAGES = ["parse", "chunk", "lexical", "embeddings", "vectors", "write", "done"];

/**
 * Progress output for index builds on stderr: one line per stage with its step, details (counts)
 * and elapsed time. On a terminal each line carries a progress bar; elsewhere plain lines.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): (stage: string, detail?: string) => void {
  const started = performance.now();
  const tty = Boolean(stream.isTTY);
  return (stage, detail) => {
    const step = STAGES.indexOf(stage) + 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const text = `${stage.padEnd(10)} ${detail ?? ""} (${seconds}s)`;
    if (tty) {
      const done = Math.max(step, 0);
      const bar = "█".repeat(done) + "░".repeat(STAGES.length - done);
      stream.write(`\x1b[36m${bar}\x1b[0m ${done}/${STAGES.length} ${text}\n`);
    } else {
      stream.write(`[index ${step > 0 ? step : "?"}/${STAGES.length}] ${text}\n`);
    }
  };
}
