import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  fromRow,
  INSERT_COLUMNS,
  insertValues,
  listWhere,
  MIGRATIONS,
  SCHEMA_VERSION,
  SchemaTooNewError,
  type ListFilter,
  type LoggedQuestion,
  type LogOp,
  type QuestionStore,
} from "./store.ts";

/*
 * The embedded default: one SQLite file (WAL, so `review` reads while the server writes). SQLite
 * calls block the thread, so a lock is waited for only briefly (BUSY_MS): a locked file fails the
 * write, which the log keeps and retries later, rather than holding up answers.
 */

const BUSY_MS = 50;
export const SQLITE_FILE = "questions.sqlite";

/**
 * A question store in `file` (created with its folder on first use). The file is opened lazily and
 * reopened after a failure, so a file that was locked or replaced is picked up again.
 *
 * @example
 * const store = sqliteStore(path.join(config.stateDir, "questions.sqlite"));
 * await store.migrate();
 */
export function sqliteStore(file: string): QuestionStore {
  let db: Database.Database | undefined;
  const open = (): Database.Database => {
    if (db) return db;
    mkdirSync(path.dirname(file), { recursive: true });
    const handle = new Database(file, { timeout: BUSY_MS });
    try {
      handle.pragma("journal_mode = WAL");
      handle.pragma("synchronous = NORMAL");
    } catch (error) {
      handle.close();
      throw error;
    }
    db = handle;
    return handle;
  };
  /** Run `fn` on the open database; after a failure the handle is dropped and reopened next time. */
  const use = <T>(fn: (d: Database.Database) => T): T => {
    try {
      return fn(open());
    } catch (error) {
      try {
        db?.close();
      } catch {
        /* already unusable */
      }
      db = undefined;
      throw error;
    }
  };
  const insertSql = `INSERT OR IGNORE INTO question_log (${INSERT_COLUMNS.join(", ")}) VALUES (${INSERT_COLUMNS.map(() => "?").join(", ")})`;

  return {
    description: `sqlite ${file}`,
    async migrate() {
      return use((d) => {
        const run = d.transaction(() => {
          d.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
          const current = (d.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null }).v ?? 0;
          if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current);
          for (const m of MIGRATIONS) {
            if (m.version <= current) continue;
            for (const sql of m.sqlite) d.exec(sql);
            d.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
          }
          return Math.max(current, SCHEMA_VERSION);
        });
        return run.immediate();
      });
    },
    async write(ops: readonly LogOp[]) {
      if (ops.length === 0) return;
      use((d) => {
        const insert = d.prepare(insertSql);
        const feedback = d.prepare("UPDATE question_log SET feedback = ? WHERE id = ?");
        const link = d.prepare("UPDATE question_log SET linked_chunk = ?, linked_at = ? WHERE id = ?");
        d.transaction(() => {
          for (const op of ops) {
            if (op.op === "insert") insert.run(...insertValues(op.row));
            else if (op.op === "feedback") feedback.run(op.rating, op.id);
            else for (const id of op.ids) link.run(op.chunkId, op.at, id);
          }
        }).immediate();
      });
    },
    async prune(before) {
      return use((d) => d.prepare("DELETE FROM question_log WHERE asked_at < ?").run(before).changes);
    },
    async list(filter: ListFilter): Promise<LoggedQuestion[]> {
      const { where, params } = listWhere(filter, () => "?");
      const limit = filter.limit ? ` LIMIT ${Math.max(1, Math.floor(filter.limit))}` : "";
      return use((d) => (d.prepare(`SELECT * FROM question_log ${where} ORDER BY asked_at DESC, id${limit}`).all(...params) as Record<string, unknown>[]).map(fromRow));
    },
    async close() {
      db?.close();
      db = undefined;
    },
  };
}
