// The Telegram sandbox has no Telegram app: this plays the person writing to the bot (served
// by app/api/v1/sandbox/telegram). The message goes to the sandbox's control endpoint
// (POST /telegram/__updates), which delivers it to the bot's webhook like Telegram would, so
// linking and commands can be tried end to end. Sandbox-mode bots only (409 for a live one);
// signed-in users only, never API keys. The bot answers a chat by the account linked to it
// (an admin's chat gets admin answers), so a user speaks only from their own chats: their
// sandbox chat or the chat linked to their account. Admins may speak from any chat.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Caller } from "@/lib/api";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ApiError, errors } from "@/lib/errors";
import { buildContext, webhookUrl } from "@/lib/integrations/service";
import type { Integration } from "@/generated/prisma/client";

function me(caller: Caller) {
  if (caller.kind !== "user") throw errors.forbidden("Only a signed-in user can write to the sandbox bot");
  return caller.user;
}

/** A stable, positive (private chat) id per user: the same chat every time. */
function chatIdFor(userId: string) {
  const n = createHash("sha256").update(`sandbox-telegram:${userId}`).digest().readUIntBE(0, 6);
  return 1_000_000_000 + (n % 8_000_000_000);
}

/** The bot: the one asked for, else the one the user is linked (or linking) to, else the first by priority. */
async function findBot(userId: string, integrationId?: string): Promise<Integration | null> {
  if (integrationId) {
    const row = await db.integration.findUnique({ where: { id: integrationId } });
    if (!row || row.provider !== "telegram") throw errors.notFound("Telegram integration");
    return row;
  }
  const link = await db.telegramLink.findUnique({ where: { userId }, select: { integrationId: true } });
  if (link?.integrationId) {
    const row = await db.integration.findUnique({ where: { id: link.integrationId } });
    if (row && row.status !== "inactive") return row;
  }
  return db.integration.findFirst({
    where: { provider: "telegram", status: { not: "inactive" } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
}

function view(row: Integration) {
  const username = ((row.state ?? {}) as { bot?: { username?: string | null } }).bot?.username ?? null;
  return { id: row.id, name: row.name, mode: row.mode, username };
}

const sandbox = (path: string) => `${env().SANDBOX_URL.replace(/\/$/, "")}/telegram${path}`;

async function sandboxCall<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(sandbox(path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new ApiError(503, "unavailable", `The sandbox server at ${env().SANDBOX_URL} did not answer (${(e as Error).message}): it runs with npm start`);
  }
  const json = (await res.json().catch(() => ({}))) as T & { error?: string; description?: string };
  if (!res.ok) throw new ApiError(502, "provider_error", `The Telegram sandbox answered ${res.status}: ${json.error ?? json.description ?? "no reason given"}`);
  return json;
}

export const simulateInput = z.strictObject({
  integrationId: z.uuid().optional(),
  text: z.string().trim().min(1, "Write something").max(4096),
  chatId: z.number().int().positive("A private chat id is a positive number").max(Number.MAX_SAFE_INTEGER).optional(),
});

/**
 * 403 unless the chat is the caller's own (the chat linked to their account, or their sandbox
 * chat while no other account is linked to it), or the caller is an admin.
 */
async function checkChat(user: { id: string; role: string }, chatId: number) {
  if (user.role === "admin") return;
  const links = await db.telegramLink.findMany({ where: { chatId: String(chatId) }, select: { userId: true } });
  const linkedToOthers = links.some((l) => l.userId !== user.id);
  const mine = links.some((l) => l.userId === user.id) || chatId === chatIdFor(user.id);
  if (mine && !linkedToOthers) return;
  throw errors.forbidden("You can write only from your own chat (your sandbox chat or the one linked to your account); admins can use any chat");
}

export async function sandboxChat(caller: Caller) {
  const user = me(caller);
  const row = await findBot(user.id);
  return { chatId: chatIdFor(user.id), integration: row ? view(row) : null };
}

export async function simulateTelegramMessage(caller: Caller, body: z.output<typeof simulateInput>) {
    const user = me(caller);
    const chatId = body.chatId ?? chatIdFor(user.id);
    await checkChat(user, chatId);
    const row = await findBot(user.id, body.integrationId);
    if (!row) throw errors.unprocessable("No Telegram bot is connected: add a Telegram integration first");
    if (row.mode !== "sandbox") throw errors.conflict(`${row.name} talks to the real Telegram: write to it from the Telegram app`);
    const { credentials } = buildContext(row);
    const token = String(credentials.botToken ?? "");
    const secret = credentials.webhookSecretToken as string | undefined;
    if (!token) throw errors.unprocessable(`${row.name} has no bot token: fill it in on its settings page`);

    // a bot nobody pointed at Switchboard yet gets its webhook here, as setWebhook would
    const info = await sandboxCall<{ result?: { url?: string } }>(`/bot${token}/getWebhookInfo`, {});
    let webhookSet = false;
    if (!info.result?.url) {
      await sandboxCall(`/bot${token}/setWebhook`, { url: webhookUrl("telegram", row.code), ...(secret ? { secret_token: secret } : {}) });
      webhookSet = true;
    }

    const firstName = user.name.split(/\s+/)[0] || "Sandbox";
    const username = user.email.split("@")[0].replace(/[^A-Za-z0-9_]/g, "_").slice(0, 32) || "sandbox_user";
    const r = await sandboxCall<{ update: { update_id: number }; delivered: boolean; error?: string }>("/__updates", {
      token,
      chat_id: chatId,
      text: body.text,
      from: { id: chatId, is_bot: false, first_name: firstName, username },
    });
    return {
      chatId,
      integration: view(row),
      updateId: r.update.update_id,
      delivered: r.delivered,
      webhookSet,
      ...(r.delivered ? {} : { note: `The sandbox could not deliver it to the bot's webhook${r.error ? `: ${r.error}` : ""}; it waits in the bot's update queue` }),
    };
}
