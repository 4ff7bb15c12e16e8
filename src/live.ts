import { watch, type FSWatcher } from "node:fs";
import { createApp, type App } from "./app.ts";
import type { Logger } from "./log.ts";
import { loadIndex } from "./index/load.ts";
import { currentBuildId } from "./index/store.ts";
import { verifyBuild } from "./index/verify.ts";

/*
 * The live core of a long-running server or bot, swapped as a whole when `index/current` names a
 * new build. Requests take `current()` once and keep that core to the end, so in-flight requests
 * finish on the old build while new ones use the new one. A build that fails verification (missing
 * or changed files) is never loaded: the old one keeps serving and the log says why. The live
 * build's own files are checked too — on every reload and when they change on disk — so a corrupt
 * live build is reported while its loaded copy still serves.
 */

export interface ReloadResult {
  ok: boolean;
  /** True when the live build was already the one named by `current`. */
  unchanged: boolean;
  from: string;
  to: string;
  error?: string;
}

const DEBOUNCE_MS = 200;

export class LiveApp {
  private app: App;
  private readonly log: Logger;
  private running: Promise<ReloadResult> | undefined;
  private queued: Promise<ReloadResult> | undefined;
  private watcher: FSWatcher | undefined;
  private buildWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private buildTimer: NodeJS.Timeout | undefined;
  /** The last problem reported for the live build on disk (reported once until it changes). */
  private reported: string | undefined;
  private readonly listeners: ((result: ReloadResult) => void)[] = [];

  constructor(initial: App, log: Logger) {
    this.app = initial;
    this.log = log;
  }

  /** The core to use for one request or update. */
  current(): App {
    return this.app;
  }

  /**
   * Load the build named by `index/current` if it is not the live one (and check the live one's
   * files when it is). A reload asked for while one runs is run once after it, reading `current`
   * then — so a storm of requests ends on the newest build, however many arrive. Never throws: a
   * failure is reported in the result and the log.
   */
  reload(reason: string): Promise<ReloadResult> {
    if (!this.running) return this.start(reason);
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.start(reason);
    });
    return this.queued;
  }

  /** Called with the result of every reload attempt (metrics). */
  onReload(listener: (result: ReloadResult) => void): void {
    this.listeners.push(listener);
  }

  private start(reason: string): Promise<ReloadResult> {
    const run = this.doReload(reason)
      .then((result) => {
        for (const listener of this.listeners) listener(result);
        return result;
      })
      .finally(() => {
        if (this.running === run) this.running = undefined;
      });
    this.running = run;
    return run;
  }

  private async doReload(reason: string): Promise<ReloadResult> {
    const config = this.app.config;
    const from = this.app.index.id;
    let to: string | undefined;
    try {
      to = currentBuildId(config.indexDir);
    } catch (error) {
      const message = (error as Error).message;
      this.log.error(`index reload refused (${reason}); still serving ${from}: ${message}`);
      return { ok: false, unchanged: false, from, to: "", error: message };
    }
    if (!to) return { ok: false, unchanged: false, from, to: "", error: "no live build named in index/current" };
    if (to === from) {
      const problem = this.checkLiveOnDisk();
      return problem ? { ok: false, unchanged: true, from, to, error: problem } : { ok: true, unchanged: true, from, to };
    }
    try {
      const index = await loadIndex(config, to);
      const next = await createApp(config, { log: this.log, index });
      this.app = next;
      this.reported = undefined;
      this.watchBuild();
      this.log.info(`index reloaded (${reason}): ${from} → ${to}`);
      return { ok: true, unchanged: false, from, to };
    } catch (error) {
      const message = (error as Error).message;
      this.log.error(`index reload refused (${reason}); still serving ${from}: ${message}`);
      return { ok: false, unchanged: false, from, to, error: message };
    }
  }

  /** Verify the live build's files; log a problem (once) and return it. */
  private checkLiveOnDisk(): string | undefined {
    const { id, dir } = this.app.index;
    try {
      verifyBuild(dir);
      this.reported = undefined;
      return undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.reported) {
        this.reported = message;
        this.log.error(
          `live build ${id} on disk fails verification (${message}); still serving the copy loaded in memory — ` +
            "a restart would roll back to the newest build that verifies: run `index` or `index --rollback`",
        );
      }
      return message;
    }
  }

  /** Reload whenever `index/current` is replaced, and check the live build when its files change (file watch, debounced). */
  watch(): void {
    const dir = this.app.config.indexDir;
    try {
      this.watcher = watch(dir, (_event, file) => {
        if (file !== "current") return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload("index/current changed"), DEBOUNCE_MS);
      });
      this.watcher.on("error", (e) => this.log.warn(`index watch stopped: ${e.message}`));
    } catch (error) {
      this.log.warn(`cannot watch ${dir} (${(error as Error).message}); use SIGHUP or POST /api/admin/reload`);
    }
    this.watchBuild();
  }

  /** Watch the live build's directory (re-aimed after each swap); only when watching is on. */
  private watchBuild(): void {
    if (!this.watcher) return;
    this.buildWatcher?.close();
    const dir = this.app.index.dir;
    try {
      this.buildWatcher = watch(dir, { recursive: true }, () => {
        clearTimeout(this.buildTimer);
        this.buildTimer = setTimeout(() => void this.checkLiveOnDisk(), DEBOUNCE_MS);
      });
      this.buildWatcher.on("error", () => this.buildWatcher?.close());
    } catch (error) {
      this.log.warn(`cannot watch the live build ${dir} (${(error as Error).message}); reloads still check it`);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    clearTimeout(this.buildTimer);
    this.watcher?.close();
    this.buildWatcher?.close();
    this.watcher = undefined;
  }
}
