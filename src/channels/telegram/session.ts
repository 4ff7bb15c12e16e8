import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { enhanceStorage, type StorageAdapter } from "grammy";
import { closeRedis, connectRedis, type Redis } from "../../redis.ts";
import type { FactName, Profile } from "../../rules/profile.ts";

/*
 * Bot sessions: the saved city, the resident's profile (private chats only), the last answers
 * (for the "原文" and feedback buttons) and the wizard's state. Stored in files by default, or in
 * Redis so that several bot replicas share them; either way they expire.
 */

export interface WizardState {
  area: string;
  /** Facts answered in the wizard, in order (for 返回). */
  answered: FactName[];
  declined: FactName[];
  /** The fact currently asked. */
  asking?: FactName | undefined;
  /** The message that asks it (buttons of older questions only re-ask it). */
  messageId?: number | undefined;
}

export interface BotSession {
  /** "" = both cities. */
  city?: string;
  profile: Profile;
  answers: { id: string; chunkIds: string[]; kind: string }[];
  counter: number;
  wizard?: WizardState | undefined;
}

export const initialSession = (): BotSession => ({ profile: {}, answers: [], counter: 0 });

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

/**
 * Sessions in Redis with a native expiry (SET … PX), shared by every replica. Given a URL, the
 * store connects and closes its own client; given a client, the caller owns (and closes) it.
 */
export async function redisSessionStore(target: string | Redis, ttlMs: number, prefix = "minsheng:session:"): Promise<SessionStore> {
  const owned = typeof target === "string";
  const client = owned ? await connectRedis(target) : target;
  return {
    read: async (key) => {
      const value = await client.get(prefix + key);
      return value === null ? undefined : (JSON.parse(value) as BotSession);
    },
    write: async (key, value) => {
      await client.set(prefix + key, JSON.stringify(value), { PX: ttlMs });
    },
    delete: async (key) => {
      await client.del(prefix + key);
    },
    close: async () => {
      if (owned) await closeRedis(client);
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
