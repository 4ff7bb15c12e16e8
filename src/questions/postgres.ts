import pg from "pg";
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
 * PostgreSQL (DATABASE_URL) for several replicas writing one log. Connections and statements have
 * deadlines, so a server that is down or hangs fails a batch quickly (the log keeps it and retries);
 * replicas starting together migrate one at a time (an advisory lock inside the transaction).
 */

const CONNECT_TIMEOUT_MS = 3000;
const STATEMENT_TIMEOUT_MS = 10_000;
/** Arbitrary, fixed: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_316_094_221;

/** "postgres host:port/database" — never the user's password. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "postgres (unparsable URL)";
  }
}

/**
 * A question store in PostgreSQL. Nothing connects until the first call.
 *
 * @example
 * const store = postgresStore("postgres://minsheng:secret@db:5432/minsheng");
 */
export function postgresStore(url: string): QuestionStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 10_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1000,
  });
  // An idle connection that breaks (server restarted) must not crash the process: the next query
  // fails and the log handles it.
  pool.on("error", () => undefined);

  const inTransaction = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  return {
    description: describePostgres(url),
    async migrate() {
      return inTransaction(async (c) => {
        await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await c.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        const { rows } = await c.query<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations");
        const current = rows[0]?.v ?? 0;
        if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current);
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          for (const sql of m.postgres) await c.query(sql);
          await c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, Date.now()]);
        }
        return Math.max(current, SCHEMA_VERSION);
      });
    },
    async write(ops: readonly LogOp[]) {
      if (ops.length === 0) return;
      await inTransaction(async (c) => {
        const inserts = ops.flatMap((o) => (o.op === "insert" ? [o.row] : []));
        // One statement per 500 rows (parameters stay far under PostgreSQL's 65535).
        for (let i = 0; i < inserts.length; i += 500) {
          const part = inserts.slice(i, i + 500);
          const n = INSERT_COLUMNS.length;
          const values = part.map((_, r) => `(${INSERT_COLUMNS.map((__, k) => `$${r * n + k + 1}`).join(", ")})`).join(", ");
          await c.query(`INSERT INTO question_log (${INSERT_COLUMNS.join(", ")}) VALUES ${values} ON CONFLICT (id) DO NOTHING`, part.flatMap(insertValues));
        }
        // Updates after the inserts: a rating may arrive in the batch that brings its question.
        for (const op of ops) {
          if (op.op === "feedback") await c.query("UPDATE question_log SET feedback = $1 WHERE id = $2", [op.rating, op.id]);
          else if (op.op === "link") await c.query("UPDATE question_log SET linked_chunk = $1, linked_at = $2 WHERE id = ANY($3)", [op.chunkId, op.at, op.ids]);
        }
      });
    },
    async prune(before) {
      const result = await pool.query("DELETE FROM question_log WHERE asked_at < $1", [before]);
      return result.rowCount ?? 0;
    },
    async list(filter: ListFilter): Promise<LoggedQuestion[]> {
      const { where, params } = listWhere(filter, (i) => `$${i}`);
      const limit = filter.limit ? ` LIMIT ${Math.max(1, Math.floor(filter.limit))}` : "";
      const { rows } = await pool.query(`SELECT * FROM question_log ${where} ORDER BY asked_at DESC, id${limit}`, params);
      return (rows as Record<string, unknown>[]).map(fromRow);
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}
