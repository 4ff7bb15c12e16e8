import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { enhanceStorage, type StorageAdapter } from "grammy";
import { closeRedis, connectRedis, RedisUnavailableError, type SharedRedis } from "../../redis.ts";
import type { FactName, FactValue, Profile } from "../../contract/profile.ts";

/*
 * Bot sessions: the saved city, the resident's profile (private chats only), the chat's last
 * messages (the `history` of the next question; personal numbers taken out before they are kept),
 * the last answers (for the "原文" and feedback buttons), the not-eligible verdicts folded under a
 * /check result, and the wizard's state. Stored in files by default, or in Redis so that several
 * bot replicas share them; either way they expire.
 *
 * Why these stores are our own and not grammY's maintained adapters (@grammyjs/storage-redis,
 * @grammyjs/storage-file, @grammyjs/storage-free), checked against those adapters' code:
 * - Redis: @grammyjs/storage-redis takes an ioredis client and passes every error through, so a
 *   Redis outage would fail every update with 系统繁忙. This store runs on the process's shared
 *   node-redis connection (SharedRedis, which the bot's and the API's rate limits use too), keeps
 *   answering from memory during an outage and writes the changes back when Redis returns (see
 *   redisSessionStore). An adapter cannot give that, so the store is kept.
 * - Files: @grammyjs/storage-file names each file after the session key ("u:<user id>", so user
 *   ids would show in file names) and writes in place (a crash mid-write leaves a half file that
 *   fails every later read of that chat). This store hashes the key and writes by rename; the
 *   expiry is grammY's own (enhanceStorage), as for any adapter.
 * - @grammyjs/storage-free keeps sessions on a hosted server on the internet: residents' profiles
 *   would go to a third party. Not an option.
 */

export interface WizardState {
  area: string;
  /** Facts answered in the wizard, in order (for 返回). */
  answered: FactName[];
  declined: FactName[];
  /** The answers given in this wizard: they reach the profile only when it finishes (exact ones only). */
  values?: Partial<Record<FactName, FactValue>> | undefined;
  /** Answers that were ranges ("0–59岁"), by fact: shown as ranges, never stored as a number. */
  ranges?: Partial<Record<FactName, string>> | undefined;
  /** The fact currently asked. */
  asking?: FactName | undefined;
  /** The message that asks it (buttons of older questions only re-ask it). */
  messageId?: number | undefined;
}

/** Not-eligible verdicts of a /check result, shown when the resident presses "另有N项不符合". */
export interface FoldedVerdicts {
  id: string;
  /** The rendered messages' blocks (HTML). */
  blocks: string[];
}

export interface BotSession {
  /** "" = both cities. */
  city?: string;
  profile: Profile;
  /** The chat's last messages to the bot, oldest first, personal numbers taken out (sessions from before have none). */
  turns?: string[];
  answers: { id: string; chunkIds: string[]; kind: string; logId?: string }[];
  counter: number;
  wizard?: WizardState | undefined;
  folded?: FoldedVerdicts[];
}

/** Answers kept per chat for their buttons (older "原文" buttons then say the answer expired). */
export const ANSWERS_KEPT = 20;

export const initialSession = (): BotSession => ({ profile: {}, turns: [], answers: [], counter: 0 });

/** A small store behind grammY's StorageAdapter, closable at shutdown. */
export interface SessionStore extends StorageAdapter<BotSession> {
  close(): Promise<void>;
}

/** One JSON file per session key (hashed), written by rename so a crash never leaves half a file. */
export function fileSessionStore(dir: string, ttlMs: number): SessionStore {
  mkdirSync(dir, { recursive: true });
  const file = (key: string) => path.join(dir, createHash("sha256").update(key).digest("hex").slice(0, 32) + ".json");
  const raw: StorageAdapter<Parameters<typeof enhanceStorage<BotSession>>[0]["storage"] extends StorageAdapter<infer E> ? E : never> = {
    read: (key) => {
      try {
        return JSON.parse(readFileSync(file(key), "utf8"));
      } catch {
        return undefined;
      }
    },
    write: (key, value) => {
      const target = file(key);
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, target);
    },
    delete: (key) => rmSync(file(key), { force: true }),
  };
  const store = enhanceStorage<BotSession>({ storage: raw, millisecondsToLive: ttlMs });
  return { ...store, close: async () => {} };
}

/** Sessions this process remembers for a Redis outage (the most recently used). */
const OUTAGE_CACHE = 10_000;

/**
 * Sessions in Redis with a native expiry (SET … PX), shared by every replica. Given a URL, the
 * store connects and closes its own client; given a connection, the caller owns (and closes) it.
 *
 * During a Redis outage the bot keeps answering: a session is read from this process's memory (the
 * copy it last read or wrote, or a fresh one) and changes are kept there. When Redis is back, the
 * changes made meanwhile are written to it — for sessions whose stored copy this process had read,
 * so a fresh one never overwrites a resident's saved city and profile.
 */
export async function redisSessionStore(target: string | SharedRedis, ttlMs: number, prefix = "minsheng:session:"): Promise<SessionStore> {
  const owned = typeof target === "string";
  const redis = owned ? await connectRedis(target) : target;
  /** key → last known value; `based`: this process read the stored copy; `dirty`: changed during an outage. */
  const local = new Map<string, { value: BotSession | undefined; based: boolean; dirty: boolean }>();
  const remember = (key: string, value: BotSession | undefined, based: boolean, dirty: boolean) => {
    local.delete(key);
    local.set(key, { value: value === undefined ? undefined : structuredClone(value), based, dirty });
    if (local.size > OUTAGE_CACHE) {
      for (const [k, e] of local) {
        if (local.size <= OUTAGE_CACHE) break;
        // Changes not yet written back go last, and only when a long outage fills twice the room.
        if (!e.dirty || local.size > 2 * OUTAGE_CACHE) local.delete(k);
      }
    }
  };
  const outage = (error: unknown) => {
    if (!(error instanceof RedisUnavailableError)) throw error;
  };
  const store = async (key: string, value: BotSession | undefined): Promise<void> => {
    if (value === undefined) await redis.run((c) => c.del(prefix + key));
    else await redis.run((c) => c.set(prefix + key, JSON.stringify(value), { PX: ttlMs }));
  };

  redis.onRecover(() => {
    void (async () => {
      for (const [key, e] of [...local]) {
        if (!e.dirty) continue;
        if (!e.based) {
          local.delete(key);
          continue;
        }
        try {
          await store(key, e.value);
          e.dirty = false;
        } catch {
          return; // down again: the next recovery retries
        }
      }
    })();
  });

  return {
    read: async (key) => {
      try {
        const raw = await redis.run((c) => c.get(prefix + key));
        const value = raw === null ? undefined : (JSON.parse(raw) as BotSession);
        const kept = local.get(key);
        // A change made during the outage and not yet written back wins over the stored copy.
        if (kept?.dirty && kept.based) return kept.value === undefined ? undefined : structuredClone(kept.value);
        remember(key, value, true, false);
        return value;
      } catch (error) {
        outage(error);
        const kept = local.get(key);
        return kept?.value === undefined ? undefined : structuredClone(kept.value);
      }
    },
    write: async (key, value) => {
      try {
        await store(key, value);
        remember(key, value, true, false);
      } catch (error) {
        outage(error);
        remember(key, value, local.get(key)?.based ?? false, true);
      }
    },
    delete: async (key) => {
      try {
        await store(key, undefined);
        remember(key, undefined, true, false);
      } catch (error) {
        outage(error);
        remember(key, undefined, local.get(key)?.based ?? false, true);
      }
    },
    close: async () => {
      if (owned) await closeRedis(redis);
    },
  };
}

/** An in-memory store (tests, single short-lived processes). */
export function memorySessionStore(): SessionStore {
  const map = new Map<string, BotSession>();
  return {
    read: (key) => structuredClone(map.get(key)),
    write: (key, value) => void map.set(key, structuredClone(value)),
    delete: (key) => void map.delete(key),
    close: async () => {},
  };
}
