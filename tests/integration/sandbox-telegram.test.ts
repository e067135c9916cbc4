// POST /api/v1/sandbox/telegram plays a Telegram user writing to a sandbox bot. The bot answers
// a chat by the account linked to it (an admin's chat gets admin answers), so a caller may
// speak only from their own chat (their sandbox chat or the chat linked to their account);
// admins may speak from any chat.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import * as simulator from "@/app/api/v1/sandbox/telegram/route";
import { call } from "../helpers/http";
import { createUser, telegramIntegration } from "../helpers/fixtures";
import { startWebhookServer } from "../helpers/webhook-server";

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer(); // the sandbox delivers the update to our webhook route
});
afterAll(async () => {
  await hooks.close();
});

const URL = "/api/v1/sandbox/telegram";
const chat = () => 600_000_000 + Math.floor(Math.random() * 1e8);

async function linked(role: "admin" | "dispatcher" | "viewer", integrationId: string) {
  const user = await createUser(role);
  const chatId = chat();
  await db.telegramLink.create({ data: { userId: user.id, integrationId, chatId: String(chatId), username: `u${chatId}`, linkedAt: new Date() } });
  return { ...user, chatId };
}

/** the updates the bot's webhook stored, by the chat they came from */
async function updatesFrom(integrationId: string) {
  const rows = await db.webhookEvent.findMany({ where: { integrationId, status: { not: "rejected" } } });
  return rows.map((r) => (r.payload as { message: { chat: { id: number } } }).message.chat.id);
}

describe("sandbox Telegram simulator", () => {
  it("a viewer cannot speak from an admin's linked chat (403, nothing delivered); from their own chat they can; an admin from any", async () => {
    const secret = randomBytes(16).toString("hex");
    const { row } = await telegramIntegration({ credentials: { botToken: `7${String(Date.now()).slice(-9)}:AA${randomBytes(30).toString("base64url").replace(/[^A-Za-z0-9]/g, "x").slice(0, 33)}`, webhookSecretToken: secret } });
    const admin = await linked("admin", row.id);
    const viewer = await linked("viewer", row.id);

    for (const chatId of [admin.chatId, chat()]) {
      const denied = await call(simulator.POST as never, { url: URL, cookie: viewer.cookie, body: { integrationId: row.id, text: "/status", chatId } });
      expect(denied.status).toBe(403);
      expect(denied.json.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/your own/) });
    }
    expect(await updatesFrom(row.id)).toEqual([]);

    // the viewer's own linked chat, and their sandbox chat (no chatId)
    const own = await call(simulator.POST as never, { url: URL, cookie: viewer.cookie, body: { integrationId: row.id, text: "/status", chatId: viewer.chatId } });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ chatId: viewer.chatId, delivered: true });
    const mine = await call(simulator.GET as never, { url: URL, cookie: viewer.cookie });
    const sandboxChat = await call(simulator.POST as never, { url: URL, cookie: viewer.cookie, body: { integrationId: row.id, text: "/help" } });
    expect(sandboxChat.status).toBe(200);
    expect(sandboxChat.json).toMatchObject({ chatId: mine.json.chatId, delivered: true });
    const asOwnSandboxChat = await call(simulator.POST as never, { url: URL, cookie: viewer.cookie, body: { integrationId: row.id, text: "/help", chatId: mine.json.chatId } });
    expect(asOwnSandboxChat.status).toBe(200);

    // an admin may speak from any chat (e.g. to try what a driver sees)
    const other = chat();
    for (const chatId of [viewer.chatId, other]) {
      const r = await call(simulator.POST as never, { url: URL, cookie: admin.cookie, body: { integrationId: row.id, text: "/status", chatId } });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ chatId, delivered: true });
    }
    expect((await updatesFrom(row.id)).sort()).toEqual([viewer.chatId, mine.json.chatId, mine.json.chatId, viewer.chatId, other].sort());

    // a sandbox chat linked to another account is that account's chat now
    const dispatcher = await createUser("dispatcher");
    const dChat = (await call(simulator.GET as never, { url: URL, cookie: dispatcher.cookie })).json.chatId as number;
    await db.telegramLink.update({ where: { userId: admin.id }, data: { chatId: String(dChat) } });
    const taken = await call(simulator.POST as never, { url: URL, cookie: dispatcher.cookie, body: { integrationId: row.id, text: "/status" } });
    expect(taken.status).toBe(403);
    expect(await updatesFrom(row.id)).toHaveLength(5);
  });
});
