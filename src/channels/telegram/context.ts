import type { Context, SessionFlavor } from "grammy";
import type { BotSession } from "./session.ts";

/** The context every bot handler gets: grammY's, with the chat's session. */
export type BotContext = Context & SessionFlavor<BotSession>;
