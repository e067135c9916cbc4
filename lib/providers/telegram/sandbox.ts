// Emulator of the part of the Telegram Bot API Switchboard uses, in its wire format:
// /bot<token>/<method> with query, JSON or form parameters; {"ok":true,"result":…} or
// {"ok":false,"error_code":…,"description":…}. Well-formed tokens are accepted (malformed
// ones get 404 like the real API, revoked ones 401). It also plays Telegram's side: a
// simulated user message is POSTed to the bot's webhook with the secret token header, or
// queued for getUpdates when no webhook is set.
import type { Context } from "hono";
import { STATUS_CODES } from "node:http";
import { postWebhook, type SandboxModule } from "@/lib/sandbox/kit";

const TOKEN = /^(\d{3,20}):[A-Za-z0-9_-]{30,64}$/;
const SECRET = /^[A-Za-z0-9_-]{1,256}$/;

type Update = { update_id: number; message: Record<string, unknown> };
type Bot = {
  webhook?: { url: string; secret?: string; allowed?: string[]; lastErrorDate?: number; lastErrorMessage?: string };
  queue: Update[];
  nextUpdateId: number;
  nextMessageId: number;
};
type State = { revoked: Set<string>; bots: Map<string, Bot> };

const fail = (c: Context, code: number, description: string, extra?: Record<string, unknown>) =>
  c.json({ ok: false, error_code: code, description, ...(extra ? { parameters: extra } : {}) }, code as 400);
const ok = (c: Context, result: unknown, description?: string) => c.json({ ok: true, result, ...(description ? { description } : {}) });

async function params(c: Context): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...c.req.query() };
  if (c.req.method === "POST") {
    const ct = c.req.header("content-type") ?? "";
    if (ct.includes("json")) Object.assign(out, (await c.req.json().catch(() => ({}))) as object);
    else if (ct.includes("form")) Object.assign(out, await c.req.parseBody());
  }
  return out;
}

function botUser(id: string) {
  return {
    id: Number(id),
    is_bot: true,
    first_name: `Sandbox Bot ${id}`,
    username: `sandbox_${id}_bot`,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
}

async function deliver(bot: Bot, update: Update) {
  if (!bot.webhook) {
    bot.queue.push(update);
    return { delivered: false, queued: true };
  }
  const p = await postWebhook(bot.webhook.url, {
    headers: { "content-type": "application/json", ...(bot.webhook.secret ? { "X-Telegram-Bot-Api-Secret-Token": bot.webhook.secret } : {}) },
    body: JSON.stringify(update),
  });
  if (p.ok) return { delivered: true, status: p.status };
  // Telegram keeps the update for the next try and shows the error in getWebhookInfo
  const error = p.error ?? `Wrong response from the webhook: ${p.status} ${STATUS_CODES[p.status!] ?? ""}`.trimEnd();
  bot.queue.push(update);
  bot.webhook.lastErrorDate = Math.floor(Date.now() / 1000);
  bot.webhook.lastErrorMessage = error;
  return { delivered: false, queued: true, error };
}

const telegram: SandboxModule = {
  id: "telegram",
  faultBody: (status, retryAfter) => ({
    ok: false,
    error_code: status,
    description: status === 429 ? `Too Many Requests: retry after ${retryAfter ?? 1}` : status >= 500 ? "Internal Server Error" : "Bad Request",
    ...(status === 429 ? { parameters: { retry_after: retryAfter ?? 1 } } : {}),
  }),
  mount(app, kit) {
    const st = () => kit.state<State>("telegram", () => ({ revoked: new Set(), bots: new Map() }));
    const bot = (id: string) => {
      const s = st();
      if (!s.bots.has(id)) s.bots.set(id, { queue: [], nextUpdateId: 1, nextMessageId: 1 });
      return s.bots.get(id)!;
    };

    // control: revoke a token (BotFather /revoke), simulate a user writing to the bot
    app.post("/__revoke", async (c) => {
      const { token } = (await c.req.json()) as { token: string };
      st().revoked.add(token);
      return c.body(null, 204);
    });
    app.post("/__updates", async (c) => {
      const b = (await c.req.json()) as { token: string; chat_id?: number; text: string; from?: Record<string, unknown> };
      const m = TOKEN.exec(b.token ?? "");
      if (!m) return c.json({ error: "token required" }, 400);
      const bt = bot(m[1]);
      const chatId = b.chat_id ?? 1001;
      const entities = b.text.startsWith("/") ? [{ offset: 0, length: b.text.split(/\s/)[0].length, type: "bot_command" }] : undefined;
      const update: Update = {
        update_id: bt.nextUpdateId++,
        message: {
          message_id: bt.nextMessageId++,
          from: b.from ?? { id: chatId, is_bot: false, first_name: "Sandbox", username: "sandbox_user" },
          chat: { id: chatId, type: chatId < 0 ? "group" : "private" },
          date: Math.floor(Date.now() / 1000),
          text: b.text,
          ...(entities ? { entities } : {}),
        },
      };
      return c.json({ update, ...(await deliver(bt, update)) });
    });

    app.all("/*", async (c) => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(c.req.path.replace(/^\/telegram/, ""));
      if (!m) return fail(c, 404, "Not Found");
      const token = decodeURIComponent(m[1]);
      const method = m[2];
      const tm = TOKEN.exec(token);
      if (!tm) return fail(c, 404, "Not Found");
      if (st().revoked.has(token)) return fail(c, 401, "Unauthorized");
      const id = tm[1];
      const b = bot(id);
      const p = await params(c);

      switch (method) {
        case "getMe":
          return ok(c, botUser(id));
        case "sendMessage": {
          const chat = String(p.chat_id ?? "");
          const text = String(p.text ?? "");
          if (!chat) return fail(c, 400, "Bad Request: chat_id is empty");
          if (!/^(-?\d+|@\w{5,32})$/.test(chat) || chat === "0") return fail(c, 400, "Bad Request: chat not found");
          if (!text.trim()) return fail(c, 400, "Bad Request: message text is empty");
          if (text.length > 4096) return fail(c, 400, "Bad Request: message is too long");
          if (p.parse_mode && !["HTML", "Markdown", "MarkdownV2"].includes(String(p.parse_mode))) {
            return fail(c, 400, "Bad Request: unsupported parse_mode");
          }
          const message = {
            message_id: b.nextMessageId++,
            from: botUser(id),
            chat: { id: /^-?\d+$/.test(chat) ? Number(chat) : chat, type: chat.startsWith("-") ? "group" : chat.startsWith("@") ? "channel" : "private" },
            date: Math.floor(Date.now() / 1000),
            text,
          };
          kit.inbox.push({ provider: "telegram", kind: "chat", to: chat, summary: text.slice(0, 200), payload: { bot: id, ...p } });
          return ok(c, message);
        }
        case "setWebhook": {
          const url = String(p.url ?? "");
          if (!url) {
            b.webhook = undefined;
            return ok(c, true, "Webhook was deleted");
          }
          if (!/^https?:\/\//.test(url)) return fail(c, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
          const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
          if (secret !== undefined && !SECRET.test(secret)) return fail(c, 400, "Bad Request: secret token contains unallowed characters");
          if (p.drop_pending_updates === true || p.drop_pending_updates === "true") b.queue = [];
          b.webhook = { url, secret, allowed: Array.isArray(p.allowed_updates) ? (p.allowed_updates as string[]) : undefined };
          return ok(c, true, "Webhook was set");
        }
        case "deleteWebhook":
          b.webhook = undefined;
          if (p.drop_pending_updates === true || p.drop_pending_updates === "true") b.queue = [];
          return ok(c, true, "Webhook was deleted");
        case "getWebhookInfo":
          return ok(c, {
            url: b.webhook?.url ?? "",
            has_custom_certificate: false,
            pending_update_count: b.queue.length,
            ...(b.webhook?.lastErrorDate
              ? { last_error_date: b.webhook.lastErrorDate, last_error_message: b.webhook.lastErrorMessage }
              : {}),
            max_connections: 40,
            ...(b.webhook?.allowed ? { allowed_updates: b.webhook.allowed } : {}),
          });
        case "getUpdates": {
          if (b.webhook) return fail(c, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
          const offset = Number(p.offset ?? 0);
          if (offset) b.queue = b.queue.filter((u) => u.update_id >= offset);
          const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
          return ok(c, b.queue.slice(0, limit));
        }
        default:
          return fail(c, 404, "Not Found: method not found");
      }
    });
  },
};

export default telegram;
