// The overview: every card's numbers against the rows behind them (counted again here with SQL
// of the test's own), the period windows, who may read what, and API-usage counting: requests
// through real routes with a key, counted in memory and written in one statement per flush.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { countApiKeyRequest, deleteOldApiUsage, flushApiUsage, API_USAGE_FLUSH_MS } from "@/lib/api-usage";
import { windowOf } from "@/lib/overview/period";
import * as callsRoute from "@/app/api/v1/overview/route";
import * as healthRoute from "@/app/api/v1/overview/health/route";
import * as messagesRoute from "@/app/api/v1/overview/messages/route";
import * as paymentsRoute from "@/app/api/v1/overview/payments/route";
import * as webhooksRoute from "@/app/api/v1/overview/webhooks/route";
import * as jobsRoute from "@/app/api/v1/overview/jobs/route";
import * as apiUsageRoute from "@/app/api/v1/overview/api-usage/route";
import * as alertsRoute from "@/app/api/v1/overview/alerts/route";
import { call } from "../helpers/http";
import { waitFor } from "../helpers/wait";
import { createKey, createUser, telegramIntegration } from "../helpers/fixtures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
/** row ages: inside every period, inside 7d and 30d, inside 30d only, outside all */
const AGES = { recent: 1 * HOUR, days2: 2 * DAY, days10: 10 * DAY, old: 40 * DAY } as const;
type Age = keyof typeof AGES;
const at = (age: Age, jitterMs = 0) => new Date(now - AGES[age] - jitterMs);
const inPeriod: Record<"24h" | "7d" | "30d", Age[]> = { "24h": ["recent"], "7d": ["recent", "days2"], "30d": ["recent", "days2", "days10"] };

let viewer: string;
let dispatcher: string;
let integrationA: string;
let botToken: string;

// ── the seed, kept here so the expectations can be computed from it too ──
const MESSAGES: { channel: "sms" | "email" | "telegram" | "whatsapp"; status: "queued" | "sent" | "delivered" | "failed" | "undelivered"; age: Age }[] = [];
for (const [channel, status, age, n] of [
  ["sms", "delivered", "recent", 5],
  ["sms", "failed", "recent", 2],
  ["sms", "undelivered", "days2", 1],
  ["email", "sent", "recent", 3],
  ["email", "failed", "days10", 4],
  ["telegram", "queued", "recent", 1],
  ["telegram", "delivered", "old", 6],
  ["whatsapp", "delivered", "days2", 2],
] as const) {
  for (let i = 0; i < n; i++) MESSAGES.push({ channel, status, age });
}

// amounts in minor units: RUB has kopecks, JPY none
const PAYMENTS: { currency: string; status: "succeeded" | "failed" | "pending" | "refunded"; amountMinor: number; age: Age }[] = [
  { currency: "RUB", status: "succeeded", amountMinor: 150_050, age: "recent" },
  { currency: "RUB", status: "succeeded", amountMinor: 99, age: "recent" },
  { currency: "RUB", status: "succeeded", amountMinor: 2_000_000_000, age: "recent" }, // 20,000,000.00 RUB: the sum passes 2^31
  { currency: "RUB", status: "succeeded", amountMinor: 2_000_000_000, age: "recent" },
  { currency: "RUB", status: "failed", amountMinor: 5_000, age: "recent" },
  { currency: "RUB", status: "succeeded", amountMinor: 70_000, age: "days2" },
  { currency: "RUB", status: "refunded", amountMinor: 10_000, age: "days10" },
  { currency: "RUB", status: "succeeded", amountMinor: 123_456, age: "old" },
  { currency: "JPY", status: "succeeded", amountMinor: 1_000, age: "recent" },
  { currency: "JPY", status: "succeeded", amountMinor: 2_500, age: "days2" },
  { currency: "JPY", status: "pending", amountMinor: 700, age: "recent" },
  { currency: "JPY", status: "succeeded", amountMinor: 9_999, age: "days10" },
  { currency: "USD", status: "failed", amountMinor: 1_999, age: "days10" },
];

const WEBHOOKS: { status: "completed" | "failed" | "rejected" | "pending"; age: Age }[] = [
  ...Array.from({ length: 4 }, () => ({ status: "completed" as const, age: "recent" as Age })),
  { status: "failed", age: "recent" },
  { status: "rejected", age: "days2" },
  { status: "pending", age: "days10" },
  { status: "failed", age: "old" },
];

const JOBS: { status: "completed" | "failed" | "canceled" | "running"; processed: number; failed: number; age: Age }[] = [
  { status: "completed", processed: 120, failed: 0, age: "recent" },
  { status: "failed", processed: 10, failed: 3, age: "recent" },
  { status: "completed", processed: 50, failed: 1, age: "days2" },
  { status: "canceled", processed: 0, failed: 0, age: "days10" },
  { status: "running", processed: 5, failed: 0, age: "old" },
];

function expected<T extends { age: Age }>(rows: T[], period: keyof typeof inPeriod) {
  return rows.filter((r) => inPeriod[period].includes(r.age));
}

beforeAll(async () => {
  viewer = (await createUser("viewer")).cookie;
  dispatcher = (await createUser("dispatcher")).cookie;
  for (const t of ["messages", "payments", "webhook_events", "sync_jobs", "alerts", "api_key_usage", "integration_logs"]) await db.$executeRawUnsafe(`delete from ${t}`);

  const tg = await telegramIntegration({ name: "Ops bot" });
  integrationA = tg.row.id;
  botToken = tg.token;

  await db.message.createMany({
    data: MESSAGES.map((m, i) => ({ channel: m.channel, status: m.status, recipient: `+7999000${String(i).padStart(4, "0")}`, body: "hello", createdAt: at(m.age, i * 1000) })),
  });
  await db.payment.createMany({
    data: PAYMENTS.map((p, i) => ({ id: randomUUID(), provider: "stripe", currency: p.currency, status: p.status, amountMinor: p.amountMinor, createdAt: at(p.age, i * 1000) })),
  });
  await db.webhookEvent.createMany({
    data: WEBHOOKS.map((w, i) => ({
      id: randomUUID(), provider: "generic-webhook", eventType: "order.created", status: w.status, payload: {}, headers: {}, path: "/api/webhooks/receive/x",
      signatureVerified: w.status !== "rejected", verification: "hmac-sha256", receivedAt: at(w.age, i * 1000),
    })),
  });
  await db.syncJob.createMany({
    data: JOBS.map((j, i) => ({ integrationId: integrationA, type: "full", status: j.status, trigger: "manual", processed: j.processed, failed: j.failed, createdAt: at(j.age, i * 1000) })),
  });
  await db.alert.createMany({
    data: [
      { rule: "integration_error", dedupeKey: "a", title: "A", message: "a", severity: "critical" },
      { rule: "send_failures", dedupeKey: "b", title: "B", message: "b" },
      { rule: "send_failures", dedupeKey: "c", title: "C", message: "c" },
      { rule: "send_failures", dedupeKey: "d", title: "D", message: "d", status: "resolved", resolvedAt: new Date() },
    ],
  });
});

afterAll(async () => {
  await flushApiUsage();
});

async function get(handler: (typeof callsRoute)["GET"], url: string, opts: { cookie?: string; bearer?: string } = { cookie: viewer }) {
  return call(handler, { url, ...opts });
}

describe("overview cards match the rows", () => {
  it.each(["24h", "7d", "30d"] as const)("messages by channel and status (%s)", async (period) => {
    const r = await get(messagesRoute.GET, `/api/v1/overview/messages?period=${period}`);
    expect(r.status, r.text).toBe(200);
    const { from, until } = r.json;
    expect(from).toBe(windowOf(period, new Date(until)).from.toISOString());
    const sql = await db.$queryRawUnsafe<{ channel: string; status: string; n: number }[]>(
      `select channel::text, status::text, count(*)::int as n from messages where created_at >= $1 and created_at < $2 group by 1, 2`,
      new Date(from),
      new Date(until),
    );
    // the same numbers three ways: the API, SQL on the rows, the seed
    const fromApi: Record<string, number> = {};
    for (const c of r.json.channels) for (const [s, n] of Object.entries(c.byStatus as Record<string, number>)) if (n) fromApi[`${c.channel}/${s}`] = n;
    const fromSql = Object.fromEntries(sql.map((x) => [`${x.channel}/${x.status}`, x.n]));
    const fromSeed: Record<string, number> = {};
    for (const m of expected(MESSAGES, period)) fromSeed[`${m.channel}/${m.status}`] = (fromSeed[`${m.channel}/${m.status}`] ?? 0) + 1;
    expect(fromApi).toEqual(fromSql);
    expect(fromApi).toEqual(fromSeed);
    expect(r.json.total).toBe(expected(MESSAGES, period).length);
    for (const c of r.json.channels) expect(c.total).toBe(expected(MESSAGES, period).filter((m) => m.channel === c.channel).length);
    expect(r.json.byStatus.failed).toBe(expected(MESSAGES, period).filter((m) => m.status === "failed").length);
  });

  it("period filtering: 24 h, 7 d and 30 d hold the rows of their own ages only", async () => {
    const totals = await Promise.all(["24h", "7d", "30d"].map(async (p) => (await get(messagesRoute.GET, `/api/v1/overview/messages?period=${p}`)).json.total));
    expect(totals).toEqual([11, 14, 18]);
    expect(totals).toEqual((["24h", "7d", "30d"] as const).map((p) => expected(MESSAGES, p).length));
  });

  it.each(["24h", "7d", "30d"] as const)("payments volume by currency, in minor units (%s)", async (period) => {
    const r = await get(paymentsRoute.GET, `/api/v1/overview/payments?period=${period}`);
    expect(r.status, r.text).toBe(200);
    const sql = await db.$queryRawUnsafe<{ currency: string; n: number; amount: string }[]>(
      `select currency, count(*)::int as n, sum(amount_minor)::text as amount from payments where status = 'succeeded' and created_at >= $1 and created_at < $2 group by 1`,
      new Date(r.json.from),
      new Date(r.json.until),
    );
    const seed = expected(PAYMENTS, period);
    for (const c of r.json.currencies) {
      const s = sql.find((x) => x.currency === c.currency);
      expect(String(c.succeededMinor)).toBe(s?.amount ?? "0");
      expect(c.succeededCount).toBe(s?.n ?? 0);
      const mine = seed.filter((p) => p.currency === c.currency);
      expect(c.succeededMinor).toBe(mine.filter((p) => p.status === "succeeded").reduce((a, p) => a + p.amountMinor, 0));
      expect(c.count).toBe(mine.length);
      expect(Number.isInteger(c.succeededMinor)).toBe(true);
    }
    expect(r.json.currencies.map((c: { currency: string }) => c.currency)).toEqual([...new Set(seed.map((p) => p.currency))].sort());
    expect(r.json.total).toBe(seed.length);
  });

  it("formats each currency in its own digits: kopecks for RUB, none for JPY", async () => {
    const r = await get(paymentsRoute.GET, "/api/v1/overview/payments?period=7d");
    const rub = r.json.currencies.find((c: { currency: string }) => c.currency === "RUB");
    const jpy = r.json.currencies.find((c: { currency: string }) => c.currency === "JPY");
    // 150050 + 99 + 2e9 + 2e9 + 70000 kopecks
    expect(rub.succeededMinor).toBe(4_000_220_149);
    expect(rub.succeeded).toBe("40002201.49");
    expect(rub.byStatus).toMatchObject({ succeeded: 5, failed: 1 });
    expect(jpy.succeededMinor).toBe(3_500);
    expect(jpy.succeeded).toBe("3500");
    expect(jpy.byStatus).toMatchObject({ succeeded: 2, pending: 1 });
  });

  it.each(["24h", "7d", "30d"] as const)("webhooks by status and sync job outcomes (%s)", async (period) => {
    const w = await get(webhooksRoute.GET, `/api/v1/overview/webhooks?period=${period}`);
    expect(w.status, w.text).toBe(200);
    const wSql = await db.$queryRawUnsafe<{ status: string; n: number }[]>(
      `select status::text, count(*)::int as n from webhook_events where received_at >= $1 and received_at < $2 group by 1`,
      new Date(w.json.from),
      new Date(w.json.until),
    );
    expect(Object.fromEntries(Object.entries(w.json.byStatus).filter(([, n]) => n))).toEqual(Object.fromEntries(wSql.map((x) => [x.status, x.n])));
    expect(w.json.total).toBe(expected(WEBHOOKS, period).length);

    const j = await get(jobsRoute.GET, `/api/v1/overview/jobs?period=${period}`);
    expect(j.status, j.text).toBe(200);
    const [jSql] = await db.$queryRawUnsafe<{ completed: number; failed: number; canceled: number; running: number; processed: number; items_failed: number }[]>(
      `select (count(*) filter (where status = 'completed'))::int as completed, (count(*) filter (where status = 'failed'))::int as failed,
              (count(*) filter (where status = 'canceled'))::int as canceled, (count(*) filter (where status = 'running'))::int as running,
              coalesce(sum(processed), 0)::int as processed, coalesce(sum(failed), 0)::int as items_failed
         from sync_jobs where created_at >= $1 and created_at < $2`,
      new Date(j.json.from),
      new Date(j.json.until),
    );
    expect(j.json.byStatus).toMatchObject({ completed: jSql.completed, failed: jSql.failed, canceled: jSql.canceled, running: jSql.running });
    expect(j.json.itemsProcessed).toBe(jSql.processed);
    expect(j.json.itemsFailed).toBe(jSql.items_failed);
    const seed = expected(JOBS, period);
    expect(j.json.total).toBe(seed.length);
    expect(j.json.itemsProcessed).toBe(seed.reduce((a, x) => a + x.processed, 0));
  });

  it("counts only open alerts, by severity", async () => {
    const r = await get(alertsRoute.GET, "/api/v1/overview/alerts");
    expect(r.status, r.text).toBe(200);
    const [sql] = await db.$queryRawUnsafe<{ n: number }[]>(`select count(*)::int as n from alerts where status = 'open'`);
    expect(r.json).toEqual({ open: sql.n, critical: 1, warning: 2 });
  });
});

describe("integration health and provider calls", () => {
  let oauthIds: Record<string, string>;

  beforeAll(async () => {
    await db.integrationLog.deleteMany(); // the calls its creation made
    // A: 10 calls in the last 24 h, 3 failed; 4 more (1 failed) 3 days ago; 5 long ago
    const logs: { status: "error" | "success"; createdAt: Date }[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ status: i < 3 ? ("error" as const) : ("success" as const), createdAt: new Date(now - 30 * 60_000 - i * 60_000) })),
      ...Array.from({ length: 4 }, (_, i) => ({ status: i < 1 ? ("error" as const) : ("success" as const), createdAt: new Date(now - 3 * DAY - i * 60_000) })),
      ...Array.from({ length: 5 }, (_, i) => ({ status: "success" as const, createdAt: new Date(now - 45 * DAY - i * 60_000) })),
    ];
    await db.integrationLog.createMany({
      data: logs.map((l) => ({ integrationId: integrationA, provider: "telegram", action: "telegram.getMe", direction: "outbound" as const, status: l.status, createdAt: l.createdAt })),
    });
    // OAuth integrations in every state (rows written directly: the OAuth flows have tests of their own)
    const mk = async (provider: string, name: string, extra: object = {}) =>
      (await db.integration.create({ data: { id: randomUUID(), code: `${provider}-${randomUUID().slice(0, 8)}`, name, provider, category: "calendar", status: "active", mode: "sandbox", ...extra } })).id;
    oauthIds = {
      notConnected: await mk("google-calendar", "Calendar never connected"),
      reconnect: await mk("google-calendar", "Calendar revoked", { status: "error", lastError: "invalid_grant", lastErrorAt: new Date() }),
      expiring: await mk("ringcentral", "Phones", { mode: "live" }),
      fine: await mk("ringcentral", "Phones 2"),
      s2s: await mk("zoom", "Zoom"),
    };
    const token = { accessToken: "v1:not-a-real-envelope", tokenType: "Bearer" };
    await db.oAuthToken.create({ data: { ...token, integrationId: oauthIds.reconnect, status: "needs_reconnect", lastError: "Google said invalid_grant. Connect Google Calendar again." } });
    await db.oAuthToken.create({ data: { ...token, integrationId: oauthIds.expiring, refreshToken: "v1:x", expiresAt: new Date(now + HOUR), refreshTokenExpiresAt: new Date(now + 2 * DAY) } });
    await db.oAuthToken.create({ data: { ...token, integrationId: oauthIds.fine, refreshToken: "v1:x", expiresAt: new Date(now + HOUR), refreshTokenExpiresAt: new Date(now + 60 * DAY) } });
  });

  it.each(["24h", "7d", "30d"] as const)("error rate per integration from its logs (%s)", async (period) => {
    const r = await get(healthRoute.GET, `/api/v1/overview/health?period=${period}`);
    expect(r.status, r.text).toBe(200);
    const a = r.json.items.find((i: { id: string }) => i.id === integrationA);
    const [sql] = await db.$queryRawUnsafe<{ calls: number; errors: number }[]>(
      `select count(*)::int as calls, (count(*) filter (where status = 'error'))::int as errors from integration_logs where integration_id = $1::uuid and created_at >= $2 and created_at < $3`,
      integrationA,
      new Date(r.json.from),
      new Date(r.json.until),
    );
    expect({ calls: a.calls, errors: a.errors }).toEqual(sql);
    expect({ calls: a.calls, errors: a.errors }).toEqual(period === "24h" ? { calls: 10, errors: 3 } : { calls: 14, errors: 4 });
    expect(a.errorRate).toBeCloseTo(sql.errors / sql.calls);
    expect(a).toMatchObject({ name: "Ops bot", provider: "telegram", mode: "sandbox", oauth: null });
    expect(a.attention).toContain(`${Math.round((sql.errors / sql.calls) * 100)}% of calls failed`);
  });

  it("shows token expiry and reconnects for OAuth integrations, sandbox or live, and never a secret", async () => {
    const r = await get(healthRoute.GET, "/api/v1/overview/health");
    expect(r.status).toBe(200);
    const by = (id: string) => r.json.items.find((i: { id: string }) => i.id === id);
    expect(by(oauthIds.notConnected).oauth).toMatchObject({ grant: "authorization_code", state: "not_connected", needsReconnect: true });
    expect(by(oauthIds.notConnected).attention).toEqual(["Not connected"]);
    expect(by(oauthIds.reconnect).oauth).toMatchObject({ state: "needs_reconnect", needsReconnect: true, lastError: expect.stringContaining("invalid_grant") });
    expect(by(oauthIds.reconnect).attention).toEqual(["In error", "Needs reconnect"]);
    expect(by(oauthIds.expiring).oauth).toMatchObject({ state: "connected", needsReconnect: false, expiresSoon: true });
    expect(by(oauthIds.expiring).mode).toBe("live");
    expect(by(oauthIds.expiring).attention).toEqual(["Authorization expires soon"]);
    expect(by(oauthIds.fine).oauth).toMatchObject({ state: "connected", needsReconnect: false, expiresSoon: false });
    expect(by(oauthIds.fine).attention).toEqual([]);
    expect(by(oauthIds.s2s).oauth).toMatchObject({ grant: "client_credentials", state: "no_token", needsReconnect: false });
    const [counts] = await db.$queryRawUnsafe<{ total: number; sandbox: number; live: number; error: number }[]>(
      `select count(*)::int as total, (count(*) filter (where mode = 'sandbox'))::int as sandbox, (count(*) filter (where mode = 'live'))::int as live, (count(*) filter (where status = 'error'))::int as error from integrations`,
    );
    expect(r.json.summary).toMatchObject(counts);
    expect(r.json.summary.attention).toBe(4); // Ops bot (error rate), not connected, revoked, expiring
    expect(r.text).not.toContain(botToken);
    expect(r.text).not.toContain("v1:not-a-real-envelope");
    expect(r.text).not.toMatch(/"(credentials|webhookSecret|accessToken|refreshToken)"/);
  });

  it.each(["24h", "7d", "30d"] as const)("provider calls per bucket add up to the logs of the window (%s)", async (period) => {
    const r = await get(callsRoute.GET, `/api/v1/overview?period=${period}`);
    expect(r.status, r.text).toBe(200);
    const w = windowOf(period, new Date(r.json.until));
    expect(r.json.calls).toHaveLength(w.buckets);
    expect(r.json.calls[0].hour).toBe(r.json.from);
    const [sql] = await db.$queryRawUnsafe<{ success: number; error: number }[]>(
      `select (count(*) filter (where status = 'success'))::int as success, (count(*) filter (where status = 'error'))::int as error from integration_logs where created_at >= $1 and created_at < $2`,
      new Date(r.json.from),
      new Date(r.json.until),
    );
    const sum = (k: "success" | "error") => r.json.calls.reduce((a: number, c: Record<string, number>) => a + c[k], 0);
    expect({ success: sum("success"), error: sum("error") }).toEqual(sql);
    // each row in the bucket its time falls in
    const rows = await db.integrationLog.findMany({ where: { createdAt: { gte: new Date(r.json.from), lt: new Date(r.json.until) } }, select: { createdAt: true } });
    const perBucket = new Map<number, number>();
    for (const x of rows) {
      const b = Math.floor((x.createdAt.getTime() - w.from.getTime()) / w.bucketMs);
      perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
    }
    r.json.calls.forEach((c: { success: number; error: number }, i: number) => expect(c.success + c.error, `bucket ${i}`).toBe(perBucket.get(i) ?? 0));
  });
});

describe("who may read the overview", () => {
  const routes = [
    ["calls", callsRoute.GET, "/api/v1/overview", "logs:read"],
    ["health", healthRoute.GET, "/api/v1/overview/health", "integrations:read"],
    ["messages", messagesRoute.GET, "/api/v1/overview/messages", "messages:read"],
    ["payments", paymentsRoute.GET, "/api/v1/overview/payments", "payments:read"],
    ["webhooks", webhooksRoute.GET, "/api/v1/overview/webhooks", "webhooks:read"],
    ["jobs", jobsRoute.GET, "/api/v1/overview/jobs", "jobs:read"],
    ["api usage", apiUsageRoute.GET, "/api/v1/overview/api-usage", "logs:read"],
    ["alerts", alertsRoute.GET, "/api/v1/overview/alerts", "alerts:read"],
  ] as const;

  it.each(routes)("%s: viewer and dispatcher read it, nobody else without the scope", async (_name, handler, url, scope) => {
    expect((await get(handler, url, { cookie: viewer })).status).toBe(200);
    expect((await get(handler, url, { cookie: dispatcher })).status).toBe(200);
    const anon = await get(handler, url, {});
    expect(anon.status).toBe(401);
    expect(anon.json.error.code).toBe("unauthorized");
    const other = scope === "logs:read" ? "webhooks:read" : "logs:read";
    const wrong = await get(handler, url, { bearer: (await createKey([other])).key });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.message).toContain(scope);
    expect((await get(handler, url, { bearer: (await createKey([scope])).key })).status).toBe(200);
  });

  it("refuses an unknown period in the error shape", async () => {
    const r = await get(messagesRoute.GET, "/api/v1/overview/messages?period=1y");
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("validation_failed");
    expect(r.json.error.details[0].path).toBe("period");
  });
});

describe("API usage counting", () => {
  it("counts requests through real routes in memory and writes them in one statement per flush", async () => {
    await flushApiUsage(); // whatever earlier tests counted
    await flushApiUsage(); // nothing pending: the idle timer stops (the next count starts a fake one)
    await db.apiKeyUsage.deleteMany();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      // stay inside one hour: N requests must land in one (key, hour) row
      // a real clock: the counting rows are per hour; near its end, wait for the next hour to start
      if (Date.now() % HOUR > HOUR - 10_000) await new Promise((r) => setTimeout(r, HOUR - (Date.now() % HOUR) + 50));
      const { key, row } = await createKey(["messages:read", "jobs:read"]);
      const other = await createKey(["messages:read"]);
      for (let i = 0; i < 7; i++) expect((await call(messagesRoute.GET, { url: "/api/v1/overview/messages", bearer: key })).status).toBe(200);
      expect((await call(messagesRoute.GET, { url: "/api/v1/overview/messages?period=2d", bearer: key })).status).toBe(400);
      expect((await call(jobsRoute.GET, { url: "/api/v1/overview/jobs?period=1y", bearer: key })).status).toBe(400);
      expect((await call(messagesRoute.GET, { url: "/api/v1/overview/messages", bearer: other.key })).status).toBe(200);
      // requests by session are not API-key requests
      expect((await call(messagesRoute.GET, { url: "/api/v1/overview/messages", cookie: viewer })).status).toBe(200);

      // nothing written on the request path
      expect(await db.apiKeyUsage.count()).toBe(0);

      const spy = vi.spyOn(pgPool(), "query");
      expect(await flushApiUsage()).toBe(2);
      const inserts = spy.mock.calls.filter((c) => String(c[0]).includes("insert into api_key_usage"));
      spy.mockRestore();
      expect(inserts).toHaveLength(1); // two keys, one statement

      const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR);
      const rows = await db.apiKeyUsage.findMany({ orderBy: { requests: "desc" } });
      expect(rows.map((r) => ({ apiKeyId: r.apiKeyId, hour: r.hour.toISOString(), requests: r.requests, errors: r.errors }))).toEqual([
        { apiKeyId: row.id, hour: hour.toISOString(), requests: 9, errors: 2 },
        { apiKeyId: other.row.id, hour: hour.toISOString(), requests: 1, errors: 0 },
      ]);

      // more requests: added to the same row by the timer's flush (an upsert, not a second row)
      for (let i = 0; i < 3; i++) await call(messagesRoute.GET, { url: "/api/v1/overview/messages", bearer: key });
      expect((await call(messagesRoute.GET, { url: "/api/v1/overview/messages?period=x", bearer: key })).status).toBe(400);
      vi.advanceTimersByTime(API_USAGE_FLUSH_MS - 1);
      expect((await db.apiKeyUsage.findUniqueOrThrow({ where: { apiKeyId_hour: { apiKeyId: row.id, hour } } })).requests).toBe(9);
      vi.advanceTimersByTime(1);
      const again = await waitFor(
        async () => (await db.apiKeyUsage.findFirst({ where: { apiKeyId: row.id, hour, requests: { not: 9 } } })) ?? null,
        5_000,
        "the timer's flush",
      );
      expect({ requests: again.requests, errors: again.errors }).toEqual({ requests: 13, errors: 3 });
      expect(await db.apiKeyUsage.count()).toBe(2);

      // the overview reads the same numbers, by key, busiest first
      const usage = await get(apiUsageRoute.GET, "/api/v1/overview/api-usage");
      expect(usage.status).toBe(200);
      const [sql] = await db.$queryRawUnsafe<{ requests: number; errors: number }[]>(
        `select sum(requests)::int as requests, sum(errors)::int as errors from api_key_usage where hour >= $1 and hour < $2`,
        new Date(usage.json.from),
        new Date(usage.json.until),
      );
      expect({ requests: usage.json.requests, errors: usage.json.errors }).toEqual(sql);
      expect(usage.json.keys).toEqual([
        { apiKeyId: row.id, name: row.name, revoked: false, deleted: false, requests: 13, errors: 3 },
        { apiKeyId: other.row.id, name: other.row.name, revoked: false, deleted: false, requests: 1, errors: 0 },
      ]);
    } finally {
      await flushApiUsage();
      await flushApiUsage(); // clears the fake timer while it is still fake
      vi.useRealTimers();
    }
  });

  it("keeps counts a failed write could not store, and never throws into the request path", async () => {
    await flushApiUsage();
    const id = randomUUID();
    const spy = vi.spyOn(pgPool(), "query").mockRejectedValueOnce(new Error("database down"));
    countApiKeyRequest(id, 200);
    countApiKeyRequest(id, 500);
    expect(await flushApiUsage()).toBe(0); // failed: kept
    spy.mockRestore();
    countApiKeyRequest(id, 404);
    expect(() => countApiKeyRequest(undefined as unknown as string, Number.NaN)).not.toThrow();
    await flushApiUsage();
    const row = await db.apiKeyUsage.findFirstOrThrow({ where: { apiKeyId: id } });
    expect({ requests: row.requests, errors: row.errors }).toEqual({ requests: 3, errors: 2 });

    // a key deleted since, and one revoked, still show their past requests
    const revoked = await createKey(["messages:read"], { revokedAt: new Date() });
    await db.apiKeyUsage.create({ data: { apiKeyId: revoked.row.id, hour: new Date(Math.floor(Date.now() / HOUR) * HOUR), requests: 2, errors: 2 } });
    const usage = await get(apiUsageRoute.GET, "/api/v1/overview/api-usage");
    expect(usage.json.keys).toEqual(
      expect.arrayContaining([
        { apiKeyId: id, name: "Deleted key", revoked: false, deleted: true, requests: 3, errors: 2 },
        { apiKeyId: revoked.row.id, name: revoked.row.name, revoked: true, deleted: false, requests: 2, errors: 2 },
      ]),
    );
  });

  it("retention removes usage older than the log retention", async () => {
    const id = randomUUID();
    await db.apiKeyUsage.createMany({
      data: [
        { apiKeyId: id, hour: new Date(Math.floor((now - 40 * DAY) / HOUR) * HOUR), requests: 5 },
        { apiKeyId: id, hour: new Date(Math.floor((now - 2 * DAY) / HOUR) * HOUR), requests: 6 },
      ],
    });
    expect(await deleteOldApiUsage(30)).toBe(1);
    expect((await db.apiKeyUsage.findMany({ where: { apiKeyId: id } })).map((r) => r.requests)).toEqual([6]);
  });
});
