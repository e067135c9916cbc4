// Alerts (lib/alerts): each rule fires once per problem however often it is evaluated, counts
// new occurrences, tells every admin once per channel through the outbox, resolves itself when
// the condition clears; a person's resolution (API) is audited and holds until a newer failure;
// concurrent evaluations make one alert and one notification; an OAuth grant refused through the
// real refresh path raises needs_reconnect at once; the Telegram bot's /alerts lists what is open.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publicBaseUrl } from "@/lib/urls";
import { createIntegration, buildContext, testIntegration } from "@/lib/integrations/service";
import { evaluateAlerts, runAlertRules, SEND_FAILURES } from "@/lib/alerts/rules";
import { fireAlert, notifyAlert, type Condition } from "@/lib/alerts/service";
import { retryWebhook } from "@/lib/webhooks/service";
import { processWebhookEvent } from "@/lib/webhooks/process";
import { OAuthReconnectError } from "@/lib/providers/types";
import * as listRoute from "@/app/api/v1/alerts/route";
import * as oneRoute from "@/app/api/v1/alerts/[id]/route";
import * as resolveRoute from "@/app/api/v1/alerts/[id]/resolve/route";
import * as webhookRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { call } from "../helpers/http";
import { connectOAuth } from "../helpers/oauth";
import { botToken, createKey, createUser, fault, sandbox, system, telegramIntegration } from "../helpers/fixtures";

type User = Awaited<ReturnType<typeof createUser>>;

let bot: { id: string; code: string };
let botSecret: string;
let adminTg: User; // Telegram linked, and e-mail
let adminMail: User; // e-mail only
let dispatcher: User;
let viewer: User;
const ADMIN_CHAT = "7001";

beforeAll(async () => {
  botSecret = `tg_secret_${randomUUID().replace(/-/g, "")}`;
  bot = (await telegramIntegration({ name: "Alerts bot", credentials: { botToken: botToken(), webhookSecretToken: botSecret } })).row;
  // an e-mail integration is on: admins get e-mails too
  await createIntegration(
    {
      provider: "smtp",
      name: "Office mail",
      mode: "sandbox",
      credentials: { username: "robot@alerts.test", password: "sandbox-password" },
      config: { fromEmail: "robot@alerts.test", fromName: "Switchboard" },
    },
    system,
  );
  adminTg = await createUser("admin");
  await db.telegramLink.create({ data: { userId: adminTg.id, integrationId: bot.id, chatId: ADMIN_CHAT, linkedAt: new Date() } });
  adminMail = await createUser("admin");
  await createUser("admin", { active: false }); // told nothing
  dispatcher = await createUser("dispatcher");
  viewer = await createUser("viewer");
});

const alertsOf = (key: string) => db.alert.findMany({ where: { dedupeKey: key }, orderBy: { firstSeenAt: "asc" } });
const notices = (alertId: string) => db.message.findMany({ where: { idempotencyKey: { startsWith: `alert:${alertId}:` } }, orderBy: { recipient: "asc" } });

/** Every admin who can be reached is told once per channel: Telegram (linked) and e-mail (both admins). */
async function expectNotifiedOnce(alertId: string) {
  const sent = await notices(alertId);
  const got = sent.map((m) => `${m.channel}:${m.recipient}`).sort();
  expect(got).toEqual([`email:${adminMail.email}`, `email:${adminTg.email}`, `telegram:${ADMIN_CHAT}`].sort());
  const tg = sent.find((m) => m.channel === "telegram")!;
  expect(tg.integrationId).toBe(bot.id);
  expect(sent.every((m) => m.status === "queued" && m.createdBy === "alerts")).toBe(true);
  return sent;
}

const resolveAs = (who: { cookie?: string; bearer?: string }, id: string, body: unknown = {}) =>
  call(resolveRoute.POST as never, { method: "POST", url: `/api/v1/alerts/${id}/resolve`, params: { id }, body, ...who });

async function failedMessages(integrationId: string, n: number, error = "Twilio 500: internal error") {
  for (let i = 0; i < n; i++) {
    await db.message.create({ data: { channel: "sms", status: "failed", recipient: `+7916000${String(i).padStart(4, "0")}`, body: "x", integrationId, error, attempts: 2 } });
  }
}

describe("integration in error", () => {
  it("fires once however often it is evaluated, notifies each admin once per channel, clears by itself, and a new error opens a new alert", async () => {
    const { row, token } = await telegramIntegration({ name: "Ops bot" });
    const key = `integration_error:${row.id}`;
    const failTest = async () => {
      await fault({ provider: "telegram", path: `bot${token.split(":")[0]}:.*/getMe$`, status: 401, times: 1, body: { ok: false, error_code: 401, description: "Unauthorized" } });
      const t = await testIntegration(row.id, system);
      expect(t.ok).toBe(false);
    };
    await failTest();
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("error");

    const first = await evaluateAlerts();
    expect(first.skipped).toBeFalsy();
    expect(first.opened).toBeGreaterThanOrEqual(1);
    await evaluateAlerts();
    let rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    const a = rows[0];
    expect(a).toMatchObject({ rule: "integration_error", status: "open", severity: "warning", occurrences: 1, entityType: "integration", entityId: row.id, link: `/integrations/${row.id}`, title: "Ops bot is in error" });
    expect(a.message).toMatch(/Ops bot \(Telegram, sandbox\) is in error: .*401/);
    expect(a.notifiedAt).not.toBeNull();
    const sent = await expectNotifiedOnce(a.id);
    for (const m of sent) {
      expect(m.body).toContain(`${publicBaseUrl()}/integrations/${row.id}`);
      expect(m.body).toContain(`${publicBaseUrl()}/alerts?alert=${a.id}`);
      expect(m.relatedType).toBe("integration");
      expect(m.relatedId).toBe(row.id);
    }
    expect(sent.find((m) => m.channel === "email")!.subject).toBe("Warning: Ops bot is in error");

    // failing again while open: one more occurrence, nobody told twice
    await new Promise((r) => setTimeout(r, 5)); // a real clock: the next occurrence's lastSeenAt must be a later millisecond
    await failTest();
    await evaluateAlerts();
    rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(2);
    expect(rows[0].lastSeenAt.getTime()).toBeGreaterThan(a.lastSeenAt.getTime());
    expect(await notices(a.id)).toHaveLength(3);

    // a passing test: resolved by itself
    expect((await testIntegration(row.id, system)).ok).toBe(true);
    const cleared = await evaluateAlerts();
    expect(cleared.resolved).toBeGreaterThanOrEqual(1);
    rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "resolved", resolution: "cleared", resolvedById: null });
    expect(rows[0].resolvedAt).not.toBeNull();
    await evaluateAlerts();
    expect(await alertsOf(key)).toHaveLength(1);

    // in error again later: a new alert, and the admins are told again
    await failTest();
    await evaluateAlerts();
    rows = await alertsOf(key);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ status: "open", occurrences: 1 });
    expect(rows[1].id).not.toBe(a.id);
    await expectNotifiedOnce(rows[1].id);
    expect(await notices(a.id)).toHaveLength(3);

    // switched off: nothing to alert about any more
    await db.integration.update({ where: { id: row.id }, data: { status: "inactive" } });
    await evaluateAlerts();
    expect((await alertsOf(key)).every((r) => r.status === "resolved")).toBe(true);
  });
});

describe("repeated send failures and a person's resolution", () => {
  it("opens at the threshold, counts newer failures, and a resolution with a note holds until a newer failure", async () => {
    const tw = await db.integration.create({ data: { id: randomUUID(), code: `twilio-${Date.now()}`, name: "Twilio main", provider: "twilio", category: "sms", status: "active" } });
    const key = `send_failures:integration:${tw.id}`;
    await failedMessages(tw.id, SEND_FAILURES.count - 1);
    // failures outside the window do not count
    await db.$executeRaw`insert into messages (channel, status, recipient, body, integration_id, error, updated_at)
                         values ('sms', 'failed', '+79160009999', 'old', ${tw.id}::uuid, 'old failure', now() - interval '20 minutes')`;
    await evaluateAlerts();
    expect(await alertsOf(key)).toHaveLength(0);

    await failedMessages(tw.id, 1);
    await evaluateAlerts();
    await evaluateAlerts();
    let rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    const a = rows[0];
    expect(a).toMatchObject({ status: "open", severity: "warning", occurrences: 1, title: "Messages failing through Twilio main", link: `/messages?status=failed&integrationId=${tw.id}` });
    expect(a.details).toMatchObject({ count: SEND_FAILURES.count, windowMinutes: SEND_FAILURES.windowMinutes, channels: ["sms"] });
    expect(a.message).toMatch(/^5 SMS messages failed through Twilio main in the last 15 minutes\. Last error: Twilio 500/);
    await expectNotifiedOnce(a.id);

    await new Promise((r) => setTimeout(r, 5)); // a real clock: the next occurrence's lastSeenAt must be a later millisecond
    await failedMessages(tw.id, 1, "Twilio 503: try later");
    await evaluateAlerts();
    rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(2);
    expect(rows[0].details).toMatchObject({ count: 6, lastError: "Twilio 503: try later" });

    // who may resolve: not a viewer, not a key without alerts:write
    expect((await resolveAs({ cookie: viewer.cookie }, a.id, { note: "x" })).status).toBe(403);
    const reader = await createKey(["alerts:read"]);
    const refused = await resolveAs({ bearer: reader.key }, a.id, {});
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toMatch(/alerts:write/);
    const tooLong = await resolveAs({ cookie: dispatcher.cookie }, a.id, { note: "n".repeat(1001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.details[0].path).toBe("note");

    const res = await resolveAs({ cookie: dispatcher.cookie }, a.id, { note: "  Twilio had an outage; it is back  " });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: a.id, status: "resolved", resolution: "Twilio had an outage; it is back", resolvedBy: { type: "user", id: dispatcher.id, name: dispatcher.name } });
    expect(res.json.details.resolvedBy).toBeUndefined();
    const stored = await db.alert.findUniqueOrThrow({ where: { id: a.id } });
    expect(stored).toMatchObject({ status: "resolved", resolvedById: dispatcher.id, resolution: "Twilio had an outage; it is back" });
    const audits = await db.auditLog.findMany({ where: { action: "alert.resolve", entityId: a.id } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: "user", actorId: dispatcher.id, entityType: "alert", ip: "10.0.0.1" });
    expect(audits[0].changes).toMatchObject({ rule: "send_failures", note: "Twilio had an outage; it is back" });
    expect((await resolveAs({ cookie: dispatcher.cookie }, a.id, {})).status).toBe(409);

    // the same six failures are still in the window: it stays resolved, nobody is told again
    await evaluateAlerts();
    await evaluateAlerts();
    expect(await alertsOf(key)).toHaveLength(1);
    expect(await notices(a.id)).toHaveLength(3);
    expect(await db.message.count({ where: { idempotencyKey: { startsWith: "alert:" }, relatedId: tw.id } })).toBe(3);

    // a failure after the resolution: a new alert, told again
    await new Promise((r) => setTimeout(r, 5)); // a real clock: the failure must be stamped after the resolution
    await failedMessages(tw.id, 1);
    await evaluateAlerts();
    rows = await alertsOf(key);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ status: "open", occurrences: 1 });
    expect(rows[1].details).toMatchObject({ count: 7 });
    await expectNotifiedOnce(rows[1].id);

    // the window empties: cleared
    await db.$executeRaw`update messages set updated_at = now() - interval '16 minutes' where integration_id = ${tw.id}::uuid`;
    await evaluateAlerts();
    expect(await db.alert.findUniqueOrThrow({ where: { id: rows[1].id } })).toMatchObject({ status: "resolved", resolution: "cleared", resolvedById: null });
  });

  it("failures with no integration to send through are grouped per channel", async () => {
    for (let i = 0; i < SEND_FAILURES.count; i++) {
      await db.message.create({ data: { channel: "push", status: "failed", recipient: `device-token-${i}`, body: "x", error: "No active push integration", errorCode: "no_integration" } });
    }
    await evaluateAlerts();
    const [a] = await alertsOf("send_failures:channel:push");
    expect(a).toMatchObject({ status: "open", title: "Push messages failing", link: "/messages?status=failed&channel=push", entityId: null });
    expect(a.message).toMatch(/^5 push messages failed in the last 15 minutes with no integration able to send them/);
    await db.$executeRaw`update messages set updated_at = now() - interval '1 hour' where channel = 'push'`;
    await evaluateAlerts();
    expect((await db.alert.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("resolved");
  });
});

describe("webhook failures, concurrency", () => {
  it("two evaluations at the same time make one alert and one notification per admin and channel; a retry clears it", async () => {
    const hook = await db.integration.create({ data: { id: randomUUID(), code: `hook-${Date.now()}`, name: "Orders feed", provider: "generic-webhook", category: "webhook", status: "active" } });
    const key = `webhook_failed:integration:${hook.id}`;
    const ids: string[] = [];
    for (const [i, at] of [Date.now() - 60_000, Date.now() - 1000].entries()) {
      const id = randomUUID();
      ids.push(id);
      await db.webhookEvent.create({
        data: {
          id, integrationId: hook.id, provider: "generic-webhook", eventType: i ? "order.paid" : "order.created", externalId: `ev-${i}`, idempotencyKey: `ev-${i}-${id}`,
          status: "failed", payload: {}, headers: {}, path: `/api/webhooks/receive/${hook.code}`, signatureVerified: true, verification: "hmac-sha256",
          attempts: 6, maxRetries: 5, processedAt: new Date(at), lastError: "the CRM endpoint answered HTTP 500",
        },
      });
    }
    // an old failure (two days ago) is not counted
    await db.webhookEvent.create({
      data: {
        id: randomUUID(), integrationId: hook.id, provider: "generic-webhook", eventType: "order.created", idempotencyKey: randomUUID(), status: "failed", payload: {}, headers: {},
        path: "/x", signatureVerified: true, verification: "hmac-sha256", attempts: 6, maxRetries: 5, processedAt: new Date(Date.now() - 48 * 3600_000), receivedAt: new Date(Date.now() - 48 * 3600_000),
      },
    });

    const results = await Promise.all([evaluateAlerts(), evaluateAlerts(), runAlertRules(), runAlertRules()]);
    expect(results.filter((r) => !r.skipped).length).toBeGreaterThanOrEqual(2);
    const rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "open", occurrences: 1, title: "Webhooks failing for Orders feed", link: `/webhooks?status=failed&integrationId=${hook.id}` });
    expect(rows[0].details).toMatchObject({ count: 2, lastEventType: "order.paid" });
    expect(rows[0].message).toMatch(/^2 webhook events from Orders feed failed after all retries in the last 24 hours \(the latest: order\.paid: the CRM endpoint answered HTTP 500\)/);
    await expectNotifiedOnce(rows[0].id);

    // retried: no longer failed, the alert clears
    for (const id of ids) await retryWebhook(id, { actor: { type: "user", id: adminTg.id, label: adminTg.email } });
    await evaluateAlerts();
    expect(await db.alert.findUniqueOrThrow({ where: { id: rows[0].id } })).toMatchObject({ status: "resolved", resolution: "cleared" });
  });

  it("firing and notifying the same problem from many callers at once: one row, one claim", async () => {
    const c: Condition = {
      rule: "export_failed",
      key: `export_failed:race-${randomUUID()}`,
      severity: "warning",
      title: "Race exports failing",
      message: "a test",
      at: new Date(Date.now() - 1000),
    };
    const fired = await Promise.all(Array.from({ length: 8 }, () => fireAlert(c)));
    expect(new Set(fired.map((f) => f!.id)).size).toBe(1);
    expect(fired.filter((f) => f!.opened)).toHaveLength(1);
    const claims = await Promise.all(Array.from({ length: 8 }, () => notifyAlert(fired[0]!.id)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const rows = await alertsOf(c.key);
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(1);
    await expectNotifiedOnce(rows[0].id);
  });
});

describe("failed payments and exports", () => {
  it("a failed payment in the last hour alerts per integration and clears after the window", async () => {
    const stripe = await db.integration.create({ data: { id: randomUUID(), code: `stripe-${Date.now()}`, name: "Stripe EU", provider: "stripe", category: "payment", status: "active" } });
    const id = randomUUID();
    await db.payment.create({ data: { id, provider: "stripe", integrationId: stripe.id, amountMinor: 1500, currency: "EUR", status: "failed", error: "Your card was declined (card_declined)" } });
    await db.payment.create({ data: { id: randomUUID(), provider: "stripe", integrationId: stripe.id, amountMinor: 900, currency: "EUR", status: "succeeded" } });
    await evaluateAlerts();
    const key = `payment_failed:integration:${stripe.id}`;
    let [a] = await alertsOf(key);
    expect(a).toMatchObject({ status: "open", title: "Payments failing through Stripe EU", link: `/payments/${id}`, entityType: "integration", entityId: stripe.id });
    expect(a.details).toMatchObject({ count: 1, lastPaymentId: id });
    expect(a.message).toMatch(/^1 payment failed through Stripe EU in the last 60 minutes \(the latest: .*15.*card_declined/);
    await expectNotifiedOnce(a.id);

    await db.payment.create({ data: { id: randomUUID(), provider: "stripe", integrationId: stripe.id, amountMinor: 2000, currency: "EUR", status: "failed", error: "insufficient_funds" } });
    await evaluateAlerts();
    [a] = await alertsOf(key);
    expect(a.details).toMatchObject({ count: 2 });
    expect(a.occurrences).toBe(2);
    expect(a.link).toBe("/payments?status=failed&provider=stripe");

    await db.$executeRaw`update payments set updated_at = now() - interval '61 minutes' where integration_id = ${stripe.id}::uuid`;
    await evaluateAlerts();
    expect(await alertsOf(key)).toMatchObject([{ status: "resolved", resolution: "cleared" }]);
  });

  it("failed exports alert per type, and an export of that type completing afterwards clears it", async () => {
    const fail = () => db.exportJob.create({ data: { type: "drivers", format: "csv", status: "failed", error: "disk full", finishedAt: new Date() } });
    await fail();
    const last = await fail();
    // another type's success does not clear it
    await db.exportJob.create({ data: { type: "vehicles", format: "csv", status: "completed", finishedAt: new Date(Date.now() + 1000) } });
    await evaluateAlerts();
    const [a] = await alertsOf("export_failed:drivers");
    expect(a).toMatchObject({ status: "open", title: "Drivers exports failing", link: "/exports", entityType: "export_job", entityId: last.id });
    expect(a.details).toMatchObject({ count: 2, type: "drivers" });
    await db.exportJob.create({ data: { type: "drivers", format: "xlsx", status: "completed", finishedAt: new Date(Date.now() + 1000) } });
    await evaluateAlerts();
    expect((await db.alert.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("resolved");
  });
});

describe("needs reconnect", () => {
  it("a refused refresh through the real OAuth path opens a needs_reconnect alert at once, without a second integration_error alert; reconnecting clears it", async () => {
    const row = await createIntegration(
      {
        provider: "google-calendar",
        name: "Team calendar",
        mode: "sandbox",
        credentials: { clientId: `client-${Date.now()}.apps.googleusercontent.com`, clientSecret: `GOCSPX-${randomUUID()}` },
        config: {},
      },
      system,
    );
    await connectOAuth(row.id, { admin: adminTg });
    const ctxOf = async () => buildContext(await db.integration.findUniqueOrThrow({ where: { id: row.id } }));
    const clientId = String((await ctxOf()).credentials.clientId);
    const revoke = await fetch(`${sandbox().url}/google-calendar/__oauth/revoke-grants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ clientId }) });
    expect(revoke.ok).toBe(true);
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect((await ctxOf()).accessToken()).rejects.toBeInstanceOf(OAuthReconnectError);

    // raised by the refresh itself, before any evaluation
    const key = `needs_reconnect:${row.id}`;
    let rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rule: "needs_reconnect", severity: "critical", status: "open", title: "Reconnect Team calendar", link: `/integrations/${row.id}`, entityId: row.id });
    expect(rows[0].message).toMatch(/invalid_grant/);
    expect(rows[0].notifiedAt).not.toBeNull();
    const sent = await expectNotifiedOnce(rows[0].id);
    expect(sent.find((m) => m.channel === "email")!.subject).toBe("Critical: Reconnect Team calendar");
    expect(await db.auditLog.count({ where: { action: "oauth.needs_reconnect", entityId: row.id } })).toBe(1);

    // the evaluation finds the same problem: no second alert, no second notice, no integration_error for it
    await evaluateAlerts();
    await evaluateAlerts();
    rows = await alertsOf(key);
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(1);
    expect(await notices(rows[0].id)).toHaveLength(3);
    expect(await alertsOf(`integration_error:${row.id}`)).toHaveLength(0);
    expect(await db.message.count({ where: { relatedType: "integration", relatedId: row.id } })).toBe(3);

    const again = await connectOAuth(row.id, { admin: adminTg });
    expect(again.ok).toBe(true);
    await evaluateAlerts();
    expect(await alertsOf(key)).toMatchObject([{ status: "resolved", resolution: "cleared" }]);
    expect(await alertsOf(`integration_error:${row.id}`)).toHaveLength(0);
  });
});

describe("the API", () => {
  it("lists open alerts first (critical, then most recently seen), then resolved ones; filters; pages with a cursor; one alert; roles and scopes", async () => {
    const tag = `api-${randomUUID().slice(0, 8)}`;
    const mk = (key: string, severity: "critical" | "warning", minutesAgo: number): Condition => ({
      rule: key.startsWith("integration_error") ? "integration_error" : "export_failed",
      key: `${key}:${tag}`,
      severity,
      title: `${key} ${tag}`,
      message: "made by the API test",
      entityType: tag,
      entityId: key,
      at: new Date(Date.now() - minutesAgo * 60_000),
    });
    const older = (await fireAlert(mk("export_failed:older", "warning", 30)))!.id;
    const newer = (await fireAlert(mk("export_failed:newer", "warning", 5)))!.id;
    const critical = (await fireAlert(mk("integration_error:crit", "critical", 60)))!.id;
    const done = (await fireAlert(mk("export_failed:done", "warning", 10)))!.id;
    expect((await resolveAs({ cookie: adminMail.cookie }, done, { note: "handled" })).status).toBe(200);

    const get = (url: string, who: { cookie?: string; bearer?: string } = { cookie: viewer.cookie }) => call(listRoute.GET as never, { url, ...who });
    const open = await get(`/api/v1/alerts?entityType=${tag}`);
    expect(open.status).toBe(200);
    expect(open.json.items.map((a: { id: string }) => a.id)).toEqual([critical, newer, older]);
    const openInDb = await db.alert.count({ where: { status: "open" } });
    expect(open.json.counts.open).toBe(openInDb);
    expect(open.json.counts.critical).toBe(await db.alert.count({ where: { status: "open", severity: "critical" } }));

    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(`/api/v1/alerts?status=all&entityType=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      ids.push(...page.json.items.map((a: { id: string }) => a.id));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(ids).toEqual([critical, newer, older, done]);

    const resolved = await get(`/api/v1/alerts?status=resolved&entityType=${tag}`);
    expect(resolved.json.items).toHaveLength(1);
    expect(resolved.json.items[0]).toMatchObject({ id: done, status: "resolved", resolution: "handled", resolvedBy: { type: "user", id: adminMail.id, name: adminMail.name } });
    expect((await get(`/api/v1/alerts?entityType=${tag}&severity=critical`)).json.items.map((a: { id: string }) => a.id)).toEqual([critical]);
    expect((await get(`/api/v1/alerts?entityType=${tag}&rule=export_failed&status=all`)).json.items).toHaveLength(3);

    for (const bad of ["status=closed", "rule=nope", "limit=0", "cursor=bm90LWEtY3Vyc29y"]) {
      const r = await get(`/api/v1/alerts?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
    }

    const one = await call(oneRoute.GET as never, { url: `/api/v1/alerts/${critical}`, params: { id: critical }, cookie: viewer.cookie });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: critical, rule: "integration_error", ruleLabel: "Integration in error", severity: "critical", status: "open", occurrences: 1, resolvedBy: null });
    const missing = randomUUID();
    expect((await call(oneRoute.GET as never, { url: `/api/v1/alerts/${missing}`, params: { id: missing }, cookie: viewer.cookie })).status).toBe(404);
    expect((await call(oneRoute.GET as never, { url: "/api/v1/alerts/x", params: { id: "x" }, cookie: viewer.cookie })).status).toBe(400);
    expect((await resolveAs({ cookie: adminMail.cookie }, missing)).status).toBe(404);

    // API keys: alerts:read lists, alerts:write resolves (recorded as the key), others are refused
    expect((await get("/api/v1/alerts")).status).toBe(200);
    expect((await get("/api/v1/alerts", {})).status).toBe(401);
    expect((await get("/api/v1/alerts", { bearer: (await createKey(["messages:read"])).key })).status).toBe(403);
    expect((await get("/api/v1/alerts", { bearer: (await createKey(["alerts:read"])).key })).status).toBe(200);
    const writer = await createKey(["alerts:write"]);
    const byKey = await resolveAs({ bearer: writer.key }, older, {});
    expect(byKey.status).toBe(200);
    expect(byKey.json).toMatchObject({ status: "resolved", resolution: null, resolvedBy: { type: "api_key", id: writer.row.id, name: writer.row.name } });
    expect((await db.alert.findUniqueOrThrow({ where: { id: older } })).resolvedById).toBeNull();
    expect(await db.auditLog.count({ where: { action: "alert.resolve", entityId: older, actorType: "api_key", actorId: writer.row.id } })).toBe(1);
  });
});

describe("the Telegram bot", () => {
  async function ask(chatId: number, text: string) {
    const body = JSON.stringify({
      update_id: Math.floor(Math.random() * 1e9),
      message: { message_id: 1, from: { id: chatId, is_bot: false, first_name: "D" }, chat: { id: chatId, type: "private" }, date: Math.floor(Date.now() / 1000), text },
    });
    const res = await call(webhookRoute.POST as never, {
      url: `/api/webhooks/telegram/${bot.code}`,
      rawBody: body,
      params: { provider: "telegram", code: bot.code },
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": botSecret },
    });
    expect(res.status).toBe(200);
    expect(await processWebhookEvent(res.json.id)).toBe("completed");
    return db.message.findFirstOrThrow({ where: { idempotencyKey: `tg-reply:${res.json.id}` } });
  }

  it("/alerts lists the open alerts, most important first, to any linked role", async () => {
    const chat = 880000 + Math.floor(Math.random() * 1000);
    await db.telegramLink.create({ data: { userId: viewer.id, integrationId: bot.id, chatId: String(chat), linkedAt: new Date() } });
    await fireAlert({ rule: "needs_reconnect", key: `needs_reconnect:bot-${chat}`, severity: "critical", title: "Reconnect <Zoom> & co", message: "Zoom refused the grant\nsecond line", at: new Date() });
    const open = await db.alert.findMany({ where: { status: "open" } });
    expect(open.length).toBeGreaterThan(1);

    const reply = await ask(chat, "/alerts");
    expect(reply.body.split("\n")[0]).toBe(`<b>Open alerts: ${open.length}</b>`);
    // critical first, escaped for Telegram's HTML
    expect(reply.body.split("\n")[1]).toContain("🔴 <b>");
    expect(reply.body).toContain("<b>Reconnect &lt;Zoom&gt; &amp; co</b>");
    expect(reply.body).not.toContain("second line");
    expect(reply.body).toContain(`${publicBaseUrl()}/alerts`);
    const shown = open.filter((a) => reply.body.includes(a.title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")));
    expect(shown.length).toBe(Math.min(open.length, 10));
    expect(reply.options).toMatchObject({ parseMode: "HTML" });

    await db.alert.updateMany({ where: { status: "open" }, data: { status: "resolved", resolvedAt: new Date(), resolution: "cleared" } });
    const clear = await ask(chat, "/alerts");
    expect(clear.body).toMatch(/Nothing open: all clear/);
  });
});
