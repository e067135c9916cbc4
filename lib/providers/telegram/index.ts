// Telegram bot: send messages, receive commands (webhook with secret token, issue 4).
// Test connection = getMe, plus getWebhookInfo so the page can show delivery problems.
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { defineProvider, jsonObjectBody, SendError, WebhookBodyError } from "@/lib/providers/types";
import { verifyTelegram } from "@/lib/providers/telegram/verify";
import { callBot, explain, TelegramError, type BotUser, type WebhookInfo } from "@/lib/providers/telegram/client";
import { sendErrorOf } from "@/lib/providers/errors";
import { demo } from "./demo";

const credentials = z.strictObject({
  botToken: z
    .string()
    .trim()
    .regex(/^\d{3,20}:[A-Za-z0-9_-]{30,64}$/, "A bot token looks like 123456789:AA… (digits, a colon, 30+ characters)")
    .meta({ title: "Bot token", secret: true, description: "From @BotFather: /newbot or /token" }),
  webhookSecretToken: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "16–256 characters: A-Z, a-z, 0-9, _ and -")
    .optional()
    .meta({
      title: "Webhook secret token",
      secret: true,
      description: "Given to setWebhook as secret_token; Telegram sends it back in X-Telegram-Bot-Api-Secret-Token",
    }),
});

const config = z.strictObject({
  defaultChatId: z
    .string()
    .trim()
    .regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, "A chat id (digits, negative for groups) or @channelname")
    .optional()
    .meta({ title: "Default chat", description: "Where notifications go when no chat is given" }),
  parseMode: z
    .enum(["HTML", "MarkdownV2", "none"])
    .default("HTML")
    .meta({ title: "Message format", description: "How message text is parsed by Telegram" }),
  ratePerSecond: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .optional()
    .meta({ title: "Sends per second", description: "0 = no limit. Default 25 (Telegram allows about 30 messages per second per bot)" }),
});

type SentMessage = { message_id: number; chat: { id: number | string } };

/** Telegram's answer as a send outcome, classified as every provider's: the chat's or message's fault is permanent. */
function sendError(e: unknown): SendError {
  if (e instanceof TelegramError) {
    // 400 chat not found / message is too long, 403 the bot was blocked by the user
    const permanent = !(e.code === 401 || e.code === 404 || e.code === 429 || e.code >= 500);
    return sendErrorOf(e, { name: "Telegram", kind: permanent ? "permanent" : "transient", code: `telegram_${e.code}`, message: explain(e) });
  }
  return sendErrorOf(e, { name: "Telegram" });
}

function webhookState(info: WebhookInfo) {
  return {
    url: info.url || null,
    pendingUpdates: info.pending_update_count,
    lastErrorAt: info.last_error_date ? new Date(info.last_error_date * 1000).toISOString() : null,
    lastErrorMessage: info.last_error_message ?? null,
  };
}

export default defineProvider({
  id: "telegram",
  name: "Telegram",
  category: "chat",
  description: "A Telegram bot for notifications and commands from managers and dispatchers.",
  docsUrl: "https://core.telegram.org/bots/api",
  capabilities: ["chat.send", "telegram.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api.telegram.org", sandbox: "/telegram" },

  async testConnection(ctx) {
    let me: BotUser;
    try {
      me = await callBot<BotUser>(ctx, "getMe");
    } catch (e) {
      return { ok: false, message: explain(e) };
    }
    if (!me.is_bot) return { ok: false, message: "The token belongs to an account that is not a bot" };
    const bot = { id: me.id, username: me.username ?? null, name: me.first_name };
    let webhook: ReturnType<typeof webhookState> | undefined;
    try {
      webhook = webhookState(await callBot<WebhookInfo>(ctx, "getWebhookInfo"));
    } catch {
      /* the token works; webhook details are a bonus */
    }
    const warn = webhook?.lastErrorMessage ? ` Telegram reports webhook errors: ${webhook.lastErrorMessage}` : "";
    return {
      ok: true,
      message: `Connected as @${bot.username ?? bot.id} (${bot.name}).${warn}`,
      details: { bot, webhook },
      state: { bot, ...(webhook ? { webhook } : {}) },
    };
  },

  /** sandbox: point the emulated bot's webhook at this integration, as an admin would with setWebhook */
  async sandboxConnect(ctx) {
    await callBot(ctx, "setWebhook", {
      url: ctx.webhookUrl,
      ...(ctx.credentials.webhookSecretToken ? { secret_token: ctx.credentials.webhookSecretToken } : {}),
      allowed_updates: ["message"],
    });
  },

  webhook: {
    scheme: "X-Telegram-Bot-Api-Secret-Token (the secret_token given to setWebhook)",
    secretFields: ["webhookSecretToken"],
    verify: (req, ctx) => verifyTelegram(req, ctx.secretsFor("webhookSecretToken")),
    parse(req) {
      const u = jsonObjectBody(req.rawBody);
      if (typeof u.update_id !== "number") throw new WebhookBodyError("Not a Telegram update: update_id is missing");
      // the update's kind is its one other top-level field: message, edited_message, callback_query …
      const kind = Object.keys(u).find((k) => k !== "update_id") ?? "update";
      return { type: kind, id: String(u.update_id), payload: u };
    },
    // commands and account linking: lib/messaging (its bindings.ts, telegram-bot.ts)
  },

  messaging: {
    channels: ["telegram"],
    defaultRatePerSecond: 25,
    async send(ctx, msg) {
      const parseMode = msg.options.parseMode ?? ctx.config.parseMode;
      try {
        const sent = await callBot<SentMessage>(ctx, "sendMessage", {
          chat_id: msg.to,
          text: msg.text,
          ...(parseMode && parseMode !== "none" ? { parse_mode: parseMode } : {}),
        });
        // the Bot API answers once the message is in the chat: that is delivery
        return { providerMessageId: `${sent.chat.id}:${sent.message_id}`, status: "delivered", providerStatus: "sent to chat" };
      } catch (e) {
        throw sendError(e);
      }
    },
  },

  sync: {
    types: [
      {
        id: "webhook_status",
        label: "Bot and webhook status",
        description: "Reads the bot profile and Telegram's report on webhook delivery (pending updates, last error)",
      },
    ],
    async run(ctx, run) {
      const me = await callBot<BotUser>(ctx, "getMe");
      await run.progress({ processed: 1 });
      const info = await callBot<WebhookInfo>(ctx, "getWebhookInfo");
      const bot = { id: me.id, username: me.username ?? null, name: me.first_name };
      const webhook = webhookState(info);
      // jsonb does not keep key order: compare values, not serialisations
      const changed = !isDeepStrictEqual(ctx.state.bot ?? null, bot) || !isDeepStrictEqual(ctx.state.webhook ?? null, webhook);
      await run.progress({ processed: 1, updated: changed ? 1 : 0 });
      return { details: { bot, webhook }, state: { bot, webhook } };
    },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
