import { watch, type FSWatcher } from "node:fs";
import { createApp, type App } from "../app.ts";
import type { Logger } from "../log.ts";
import { currentBuildId, loadIndex } from "./store.ts";

/*
 * The live core of a long-running server or bot, swapped as a whole when `index/current` names a
 * new build. Requests take `current()` once and keep that core to the end, so in-flight requests
 * finish on the old build while new ones use the new one. A build that fails verification (missing
 * or changed files) is never loaded: the old one keeps serving and the log says why.
 */

export interface ReloadResult {
  ok: boolean;
  /** True when the live build was already the one named by `current`. */
  unchanged: boolean;
  from: string;
  to: string;
  error?: string;
}

export class LiveApp {
  private app: App;
  private readonly log: Logger;
  private pending: Promise<ReloadResult> | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(initial: App, log: Logger) {
    this.app = initial;
    this.log = log;
  }

  /** The core to use for one request or update. */
  current(): App {
    return this.app;
  }

  /**
   * Load the build named by `index/current` if it is not the live one; concurrent calls share one
   * reload. Never throws: a failure is reported in the result and the log.
   */
  reload(reason: string): Promise<ReloadResult> {
    this.pending ??= this.doReload(reason).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async doReload(reason: string): Promise<ReloadResult> {
    const config = this.app.config;
    const from = this.app.index.id;
    const to = currentBuildId(config.indexDir);
    if (!to) return { ok: false, unchanged: false, from, to: "", error: "no live build named in index/current" };
    if (to === from) return { ok: true, unchanged: true, from, to };
    try {
      const index = await loadIndex(config, to);
      const next = await createApp(config, { log: this.log, index });
      this.app = next;
      this.log.info(`index reloaded (${reason}): ${from} → ${to}`);
      return { ok: true, unchanged: false, from, to };
    } catch (error) {
      const message = (error as Error).message;
      this.log.error(`index reload refused (${reason}); still serving ${from}: ${message}`);
      return { ok: false, unchanged: false, from, to, error: message };
    }
  }

  /** Reload whenever `index/current` is replaced (file watch, debounced). */
  watch(): void {
    const dir = this.app.config.indexDir;
    try {
      this.watcher = watch(dir, (_event, file) => {
        if (file !== "current") return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload("index/current changed"), 200);
      });
      this.watcher.on("error", (e) => this.log.warn(`index watch stopped: ${e.message}`));
    } catch (error) {
      this.log.warn(`cannot watch ${dir} (${(error as Error).message}); use SIGHUP or POST /api/admin/reload`);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
