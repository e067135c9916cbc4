// The Telegram provider against its sandbox: success, revoked and unknown tokens, 5xx,
// 429 with retry_after, timeouts; the token never reaches the logs.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { testIntegration, updateIntegration, buildContext, getIntegrationRow, webhookUrl } from "@/lib/integrations/service";
import { callBot, TelegramError, type TelegramCredentials } from "@/lib/providers/telegram/client";
import type { ProviderContext } from "@/lib/providers/types";
import { fault, sandbox, system, telegramIntegration } from "@/tests/helpers/fixtures";
import { withEnv } from "@/tests/helpers/workers";

const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

describe("telegram provider", () => {
  it("connects: getMe names the bot, getWebhookInfo fills the state", async () => {
    const { row, token } = await telegramIntegration();
    const r = await testIntegration(row.id, system);
    const botId = token.split(":")[0];
    expect(r).toMatchObject({ ok: true, message: `Connected as @sandbox_${botId}_bot (Sandbox Bot ${botId}).` });
    const after = await getIntegrationRow(row.id);
    expect(after.status).toBe("active");
    // in sandbox mode the bot's webhook is pointed at this integration when it is created and
    // again before each test (the sandbox forgets its settings when it restarts)
    expect(after.state).toMatchObject({
      bot: { id: Number(botId), username: `sandbox_${botId}_bot` },
      webhook: { url: webhookUrl("telegram", row.code), pendingUpdates: 0 },
    });
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(["telegram.setWebhook", "telegram.setWebhook", "telegram.getMe", "telegram.getWebhookInfo"]);
    expect(jsonOf(logs)).not.toContain(token);
    expect(logs[2].url).toContain("/bot[REDACTED]/getMe");
  });

  it("explains a revoked token (401) and marks the integration in error", async () => {
    const { row, token } = await telegramIntegration();
    await fetch(`${sandbox().url}/telegram/__revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });
    const r = await testIntegration(row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/rejected the bot token \(401 Unauthorized\)/);
    const after = await getIntegrationRow(row.id);
    expect(after).toMatchObject({ status: "error", lastTestOk: false });
    expect(after.lastError).toMatch(/401/);
  });

  it("explains a token Telegram does not know (404)", async () => {
    const { row } = await telegramIntegration();
    // an endpoint that answers like api.telegram.org does for a bad token path
    const ctx = buildContext(row);
    const err: unknown = await callBot({ ...ctx, credentials: { botToken: "12345" } } as never, "getMe").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramError);
    expect((err as TelegramError).code).toBe(404);
  });

  it("retries Telegram's 5xx and succeeds when it recovers", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", status: 502, times: 1 });
    const r = await testIntegration(row.id, system);
    expect(r.ok).toBe(true);
    const attempts = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "telegram.getMe" }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 502], [2, 200]]);
  });

  it("reports an outage that outlasts the retries", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", status: 500, times: 10 });
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/server error \(500\)/) });
  });

  it("reports rate limiting with Telegram's retry_after", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", status: 429, retryAfter: 120, times: 5 });
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: false, message: "Telegram is rate limiting this bot (429): retry in 120 s" });
  });

  it("reports a timeout", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", delayMs: 4000, status: 200, times: 5 });
    await withEnv({ HTTP_TIMEOUT_MS: "300", HTTP_MAX_RETRIES: "0" }, async () => {
      const r = await testIntegration(row.id, system);
      expect(r).toMatchObject({ ok: false, message: "Telegram did not answer in time" });
    });
  }, 20_000);

  it("cannot reach a dead endpoint and says so", async () => {
    const { row, token } = await telegramIntegration();
    const { freePort } = await import("@/lib/runtime/embedded-pg");
    await updateIntegration(row.id, { apiEndpoint: `http://127.0.0.1:${await freePort()}`, credentials: { botToken: token } }, system);
    const r = await testIntegration(row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/Could not reach Telegram: .*ECONNREFUSED/);
  });

  it("sends messages the sandbox keeps in its inbox, and refuses bad ones like Telegram", async () => {
    const { row } = await telegramIntegration();
    const ctx = buildContext(row) as ProviderContext<TelegramCredentials>;
    const msg = await callBot<{ message_id: number; chat: { id: number } }>(ctx, "sendMessage", { chat_id: 4242, text: "Order APP-1001 assigned" });
    expect(msg.chat.id).toBe(4242);
    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=telegram`)).json();
    expect(inbox.items[0]).toMatchObject({ kind: "chat", to: "4242", summary: "Order APP-1001 assigned" });
    const err = await callBot(ctx, "sendMessage", { chat_id: 4242, text: "" }).catch((e) => e);
    expect(err).toMatchObject({ code: 400, description: "Bad Request: message text is empty" });
  });
});
