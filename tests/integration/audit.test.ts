// The audit trail: every audited action done through its real route writes exactly one row with
// the right actor, action, entity, address and user agent, and never a secret's value; the list
// API filters, pages newest first on (created_at, id), and is for admins (and audit:read keys).
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import * as integrationsRoute from "@/app/api/v1/integrations/route";
import * as integrationRoute from "@/app/api/v1/integrations/[id]/route";
import * as oauthRoute from "@/app/api/v1/integrations/[id]/oauth/route";
import * as oauthStart from "@/app/api/oauth/[provider]/start/route";
import * as oauthCallback from "@/app/api/oauth/[provider]/callback/route";
import * as usersRoute from "@/app/api/v1/users/route";
import * as userRoute from "@/app/api/v1/users/[id]/route";
import * as inviteRoute from "@/app/api/v1/users/[id]/invite/route";
import * as apiKeysRoute from "@/app/api/v1/api-keys/route";
import * as apiKeyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as paymentsRoute from "@/app/api/v1/payments/route";
import * as paymentRoute from "@/app/api/v1/payments/[id]/route";
import * as refundRoute from "@/app/api/v1/payments/[id]/refund/route";
import * as exportsRoute from "@/app/api/v1/exports/route";
import * as exportRoute from "@/app/api/v1/exports/[id]/route";
import * as exportDownload from "@/app/api/v1/exports/[id]/download/route";
import * as suiteDashExports from "@/app/api/v1/suitedash/exports/route";
import * as suiteDashDownload from "@/app/api/v1/suitedash/exports/[id]/download/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";
import * as retryRoute from "@/app/api/v1/webhooks/[id]/retry/route";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/replay/route";
import * as settingsRoute from "@/app/api/v1/settings/route";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as auditEntryRoute from "@/app/api/v1/audit/[id]/route";
import { call, type CallOptions } from "../helpers/http";
import { decide } from "../helpers/oauth";
import { botToken, createKey, createUser, sandbox, system } from "../helpers/fixtures";

type Admin = Awaited<ReturnType<typeof createUser>>;
let admin: Admin;
const IP = "198.51.100.23";
const UA = "Mozilla/5.0 (audit-test)";

beforeAll(async () => {
  admin = await createUser("admin");
});

/** A route called by the admin from IP with UA. */
function as(handler: unknown, o: CallOptions = {}) {
  return call(handler as never, { url: "/x", cookie: admin.cookie, ip: IP, ...o, headers: { "user-agent": UA, ...(o.headers ?? {}) } });
}

const lastId = async () => (await db.auditLog.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;

/**
 * Runs `act` and checks it wrote exactly one audit row: this action on this entity, by the
 * admin, from IP with UA, with none of `secrets` anywhere in it. `also`: the rows of follow-on
 * actions it starts (and only those).
 */
async function audited<T>(action: string, act: () => Promise<T>, expectEntity: (r: T) => { type: string; id: string | null }, secrets: string[] = [], also: string[] = []) {
  const mark = await lastId();
  const result = await act();
  const rows = await db.auditLog.findMany({ where: { id: { gt: mark } }, orderBy: { id: "asc" } });
  expect(rows.map((r) => r.action).sort(), `audit rows written by ${action}`).toEqual([action, ...also].sort());
  const row = rows.find((r) => r.action === action)!;
  const entity = expectEntity(result);
  expect(row).toMatchObject({ actorType: "user", actorId: admin.id, actorLabel: admin.email, entityType: entity.type, entityId: entity.id, ip: IP, userAgent: UA });
  expect(row.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  const all = JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  for (const s of secrets) expect(all, `${action} must not hold a secret`).not.toContain(s);
  return { result, row, changes: row.changes as Record<string, unknown> };
}

describe("integrations and credentials", () => {
  it("create, update, credential change, disable, enable and delete: one row each, secrets only as changed", async () => {
    const token = botToken();
    const { result: created, changes: c1 } = await audited(
      "integration.create",
      () => as(integrationsRoute.POST, { body: { provider: "telegram", name: "Audit bot", mode: "sandbox", credentials: { botToken: token } } }),
      (r) => ({ type: "integration", id: r.json.id }),
      [token],
    );
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(c1).toMatchObject({ provider: "telegram", name: "Audit bot", credentials: { botToken: "[set]" } });

    const { changes: c2 } = await audited(
      "integration.update",
      () => as(integrationRoute.PATCH, { method: "PATCH", params: { id }, body: { name: "Audit bot 2", config: { defaultChatId: "-1001" } } }),
      () => ({ type: "integration", id }),
    );
    expect(c2).toMatchObject({ name: { from: "Audit bot", to: "Audit bot 2" } });

    const next = botToken();
    const { changes: c3 } = await audited(
      "integration.update",
      () => as(integrationRoute.PATCH, { method: "PATCH", params: { id }, body: { credentials: { botToken: next } } }),
      () => ({ type: "integration", id }),
      [token, next, token.split(":")[1], next.split(":")[1]],
    );
    expect(c3).toMatchObject({ credentials: { botToken: "[changed]" } });

    const { changes: c4 } = await audited(
      "integration.disable",
      () => as(integrationRoute.PATCH, { method: "PATCH", params: { id }, body: { enabled: false } }),
      () => ({ type: "integration", id }),
    );
    expect(c4).toEqual({ status: { from: "testing", to: "inactive" } });
    const { changes: c5 } = await audited(
      "integration.enable",
      () => as(integrationRoute.PATCH, { method: "PATCH", params: { id }, body: { enabled: true } }),
      () => ({ type: "integration", id }),
    );
    expect(c5).toEqual({ status: { from: "inactive", to: "testing" } });

    // a PATCH that changes nothing writes nothing
    const mark = await lastId();
    expect((await as(integrationRoute.PATCH, { method: "PATCH", params: { id }, body: { name: "Audit bot 2" } })).status).toBe(200);
    expect(await db.auditLog.count({ where: { id: { gt: mark } } })).toBe(0);

    const { result: del } = await audited("integration.delete", () => as(integrationRoute.DELETE, { method: "DELETE", params: { id } }), () => ({ type: "integration", id }), [next]);
    expect(del.status).toBe(204);
  });

  it("OAuth connect and disconnect", async () => {
    const P = "google-calendar";
    const clientSecret = `GOCSPX-${randomBytes(12).toString("hex")}`;
    const row = await createIntegration(
      { provider: P, name: "Audit calendar", mode: "sandbox", credentials: { clientId: `audit-${Date.now()}.apps.googleusercontent.com`, clientSecret }, config: {} },
      system,
    );
    const start = await as(oauthStart.GET, { url: `/api/oauth/${P}/start?integration_id=${row.id}`, params: { provider: P } }); // alias (docs/api-compat.md)
    expect(start.status).toBe(303);
    const consent = start.headers.get("location")!;
    expect(consent.startsWith(sandbox().url)).toBe(true);
    const { query } = await decide(consent);
    const { result: back, changes } = await audited(
      "oauth.connected",
      () => as(oauthCallback.GET, { url: `/api/oauth/${P}/callback?${new URLSearchParams(query)}`, params: { provider: P } }),
      () => ({ type: "integration", id: row.id }),
      [clientSecret, query.code],
      ["sync.start"], // connecting Google Calendar starts its first sync
    );
    expect(back.headers.get("location")).toMatch(/oauth=connected/);
    expect(changes).toMatchObject({ provider: P, account: "sandbox.user@example.com" });
    const tokens = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    expect(JSON.stringify(changes)).not.toContain(tokens.accessToken.slice(0, 24));

    const { result: off } = await audited("oauth.disconnected", () => as(oauthRoute.DELETE, { method: "DELETE", params: { id: row.id } }), () => ({ type: "integration", id: row.id }), [clientSecret]);
    expect(off.status).toBe(200);
  });
});

describe("users and API keys", () => {
  it("invite, role change, deactivate and reset (a new invitation link): the link's token never recorded", async () => {
    const email = `audit-${randomBytes(3).toString("hex")}@example.test`;
    const { result: inv, changes } = await audited(
      "user.invite",
      () => as(usersRoute.POST, { body: { email, name: "Audited Person", role: "viewer" } }),
      (r) => ({ type: "user", id: r.json.user.id }),
    );
    const id = inv.json.user.id as string;
    const token1 = (inv.json.inviteUrl as string).split("/").pop()!;
    expect(changes).toEqual({ email, role: "viewer" });

    const { changes: role } = await audited("user.update", () => as(userRoute.PATCH, { method: "PATCH", params: { id }, body: { role: "dispatcher" } }), () => ({ type: "user", id }));
    expect(role).toEqual({ role: { from: "viewer", to: "dispatcher" } });

    const { result: re } = await audited("user.invite_reissued", () => as(inviteRoute.POST, { method: "POST", params: { id } }), () => ({ type: "user", id }), [token1]);
    const token2 = (re.json.inviteUrl as string).split("/").pop()!;
    const rows = await db.auditLog.findMany({ where: { entityId: id } });
    for (const t of [token1, token2]) expect(JSON.stringify(rows.map((r) => r.changes))).not.toContain(t);

    const { changes: off } = await audited("user.update", () => as(userRoute.PATCH, { method: "PATCH", params: { id }, body: { active: false } }), () => ({ type: "user", id }));
    expect(off).toEqual({ active: { from: true, to: false } });
  });

  it("API key create and revoke: the key itself never recorded", async () => {
    const { result: made, changes } = await audited(
      "api_key.create",
      () => as(apiKeysRoute.POST, { body: { name: "CRM sync", scopes: ["payments:read"] } }),
      (r) => ({ type: "api_key", id: r.json.apiKey.id }),
    );
    const key = made.json.key as string;
    expect(key.length).toBeGreaterThan(20);
    expect(changes).toMatchObject({ name: "CRM sync", scopes: ["payments:read"] });
    const row = await db.auditLog.findFirstOrThrow({ where: { action: "api_key.create", entityId: made.json.apiKey.id } });
    expect(JSON.stringify(row.changes)).not.toContain(key);
    expect(JSON.stringify(row.changes)).not.toContain(key.slice(-12));
    await audited("api_key.revoke", () => as(apiKeyRoute.DELETE, { method: "DELETE", params: { id: made.json.apiKey.id } }), () => ({ type: "api_key", id: made.json.apiKey.id }), [key]);
  });
});

describe("money, data and webhooks", () => {
  it("a refund", async () => {
    const secretKey = `sk_test_${randomBytes(18).toString("hex")}`;
    await createIntegration(
      { provider: "stripe", name: "Audit Stripe", mode: "sandbox", credentials: { secretKey, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` }, config: { currencies: ["USD"] } },
      system,
    );
    const p = await as(paymentsRoute.POST, { body: { amountMinor: 4200, currency: "USD" }, headers: { "idempotency-key": randomUUID() } });
    expect(p.status, p.text).toBe(201);
    const paid = await fetch(`${sandbox().url}/stripe/__pay/${p.json.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
    expect(paid.status).toBeLessThan(300);
    const fresh = await as(paymentRoute.GET, { url: `/api/v1/payments/${p.json.id}?refresh=1`, params: { id: p.json.id } });
    expect(fresh.json.status).toBe("succeeded");
    const { result, changes } = await audited(
      "payment.refund",
      () => as(refundRoute.POST, { params: { id: p.json.id }, body: { amountMinor: 1200, reason: "late driver" } }),
      () => ({ type: "payment", id: p.json.id }),
      [secretKey],
    );
    expect(result.status, result.text).toBe(201);
    expect(changes).toMatchObject({ refundId: result.json.refund.id, amountMinor: 1200, currency: "USD", reason: "late driver" });
  });

  it("an export: create, download, delete", async () => {
    const { result: made, changes } = await audited(
      "export.create",
      () => as(exportsRoute.POST, { body: { type: "applications", format: "csv" } }),
      (r) => ({ type: "export", id: r.headers.get("x-export-id") }),
    );
    expect(made.status, made.text).toBe(200); // small: the file in the answer, audited once as its creation
    expect(changes).toMatchObject({ type: "applications", format: "csv" });
    const id = made.headers.get("x-export-id")!;
    const { result: file } = await audited("export.download", () => as(exportDownload.GET, { params: { id } }), () => ({ type: "export", id }));
    expect(file.status).toBe(200);
    await audited("export.delete", () => as(exportRoute.DELETE, { method: "DELETE", params: { id } }), () => ({ type: "export", id }));
  });

  it("a SuiteDash import CSV: create and download (it holds people's contact details)", async () => {
    await db.contactSubmission.create({ data: { firstName: "Ada", lastName: "Audit", email: "ada@example.test" } });
    const { result: made } = await audited("suitedash.export.create", () => as(suiteDashExports.POST, { method: "POST" }), (r) => ({ type: "suitedash_export", id: r.json.id }));
    const { result: file, changes } = await audited(
      "suitedash.export.download",
      () => as(suiteDashDownload.GET, { params: { id: made.json.id } }),
      () => ({ type: "suitedash_export", id: made.json.id }),
    );
    expect(file.status).toBe(200);
    expect(file.text).toContain("ada@example.test");
    expect(changes).toMatchObject({ contactCount: 1, fileName: made.json.fileName });
  });

  it("webhook retry, replay and delete", async () => {
    const event = async (status: "failed" | "completed") =>
      db.webhookEvent.create({
        data: {
          id: randomUUID(),
          provider: "generic-webhook",
          eventType: "order.created",
          externalId: randomUUID(),
          idempotencyKey: randomUUID(),
          status,
          payload: { id: 1 },
          headers: {},
          path: "/api/webhooks/receive/x",
          signatureVerified: true,
          verification: "hmac-sha256",
          attempts: 1,
        },
      });
    const failed = await event("failed");
    const { changes } = await audited("webhook.retry", () => as(retryRoute.POST, { method: "POST", params: { id: failed.id } }), () => ({ type: "webhook_event", id: failed.id }));
    expect(changes).toMatchObject({ from: "failed", provider: "generic-webhook", type: "order.created" });
    const done = await event("completed");
    await audited("webhook.replay", () => as(replayRoute.POST, { method: "POST", params: { id: done.id } }), () => ({ type: "webhook_event", id: done.id }));
    await audited("webhook.delete", () => as(webhookRoute.DELETE, { method: "DELETE", params: { id: failed.id } }), () => ({ type: "webhook_event", id: failed.id }));
  });

  it("a settings change", async () => {
    const { changes } = await audited(
      "settings.update",
      () => as(settingsRoute.PATCH, { method: "PATCH", body: { organization: { name: "Audited Org" }, publicBaseUrl: "https://audit.example" } }),
      () => ({ type: "settings", id: null }),
    );
    expect(changes).toEqual({ "organization.name": { from: "Switchboard", to: "Audited Org" }, publicBaseUrl: { from: "", to: "https://audit.example" } });
  });
});

describe("GET /api/v1/audit", () => {
  // a fixed day in the past holds these rows only: every query below is bounded to it
  const day = { from: "2020-03-01T00:00:00.000Z", to: "2020-03-01T23:59:59.999Z" };
  const ann = { id: randomUUID(), label: "ann@example.test" };
  const crm = { id: randomUUID(), label: "CRM key" };
  type Seed = { id: bigint; createdAt: Date; actorId: string | null; actorLabel: string | null; action: string; entityType: string; entityId: string | null; ip: string | null };
  let seeded: Seed[] = [];
  const newestFirst = (a: Seed, b: Seed) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);

  beforeAll(async () => {
    const actions = ["integration.create", "integration.update", "user.update", "webhook.retry", "integrationx.create"];
    const ips = ["10.0.0.1", "10.0.1.2", "192.168.1.5"];
    await db.auditLog.createMany({
      data: Array.from({ length: 37 }, (_, i) => {
        const who = i % 3 === 0 ? ann : i % 3 === 1 ? crm : null;
        // rows 10–14 share one instant: the id breaks the tie
        const minute = i >= 10 && i <= 14 ? 10 : i;
        const action = actions[i % actions.length];
        return {
          createdAt: new Date(Date.parse(day.from) + minute * 60_000),
          actorType: who === ann ? "user" : who === crm ? "api_key" : "system",
          actorId: who?.id ?? null,
          actorLabel: who?.label ?? "oauth",
          action,
          entityType: action.startsWith("user") ? "user" : action.startsWith("webhook") ? "webhook_event" : "integration",
          entityId: `e-${i % 4}`,
          ip: i % 7 === 6 ? null : ips[i % ips.length],
          userAgent: "seed",
          changes: { n: { from: i, to: i + 1 } },
        };
      }),
    });
    seeded = (await db.auditLog.findMany({ where: { createdAt: { gte: new Date(day.from), lte: new Date(day.to) } } })).sort(newestFirst);
    expect(seeded).toHaveLength(37);
  });

  async function list(params: Record<string, string>, cookie = admin.cookie) {
    return call(auditRoute.GET, { url: `/api/v1/audit?${new URLSearchParams({ ...day, ...params })}`, cookie });
  }
  /** Every page, following nextCursor. */
  async function all(params: Record<string, string>) {
    const ids: string[] = [];
    let cursor = "";
    for (let guard = 0; guard < 50; guard++) {
      const r = await list({ ...params, ...(cursor ? { cursor } : {}) });
      expect(r.status, r.text).toBe(200);
      ids.push(...r.json.items.map((i: { id: string }) => i.id));
      if (!r.json.nextCursor) return ids;
      cursor = r.json.nextCursor;
    }
    throw new Error("no last page");
  }
  const expected = (keep: (s: Seed) => boolean) => seeded.filter(keep).map((s) => String(s.id));

  it("pages newest first on (created_at, id), ids as strings, each row once", async () => {
    const first = await list({ limit: "7" });
    expect(first.json.items).toHaveLength(7);
    expect(first.json.items[0]).toMatchObject({
      id: String(seeded[0].id),
      createdAt: seeded[0].createdAt.toISOString(),
      actor: { type: expect.any(String) },
      action: seeded[0].action,
      userAgent: "seed",
      changes: { n: expect.any(Object) },
    });
    expect(typeof first.json.items[0].id).toBe("string");
    expect(first.json.nextCursor).toEqual(expect.any(String));
    for (const limit of ["7", "5", "1", "200"]) expect(await all({ limit })).toEqual(expected(() => true));
  });

  it("filters by action (exact or prefix), actor (id, label, type), entity, address and time", async () => {
    expect(await all({ action: "user.update" })).toEqual(expected((s) => s.action === "user.update"));
    const prefix = await all({ action: "integration.*" });
    expect(prefix).toEqual(expected((s) => s.action.startsWith("integration.")));
    expect(prefix.length).toBeGreaterThan(0);
    expect(seeded.some((s) => s.action === "integrationx.create")).toBe(true); // not matched by integration.*
    expect(await all({ action: "integration*" })).toEqual(expected((s) => s.action.startsWith("integration")));
    expect(await all({ actor: ann.id })).toEqual(expected((s) => s.actorId === ann.id));
    expect(await all({ actor: "ANN@example" })).toEqual(expected((s) => s.actorId === ann.id));
    expect(await all({ actor: "crm" })).toEqual(expected((s) => s.actorId === crm.id));
    expect(await all({ actor: "system" })).toEqual(expected((s) => s.actorId === null));
    expect(await all({ entityType: "integration", entityId: "e-2" })).toEqual(expected((s) => s.entityType === "integration" && s.entityId === "e-2"));
    expect(await all({ ip: "10.0.1.2" })).toEqual(expected((s) => s.ip === "10.0.1.2"));
    expect(await all({ ip: "10.0.*" })).toEqual(expected((s) => !!s.ip?.startsWith("10.0.")));
    const from = "2020-03-01T00:20:00.000Z";
    const to = "2020-03-01T00:30:00.000Z";
    expect(await all({ from, to })).toEqual(expected((s) => s.createdAt >= new Date(from) && s.createdAt <= new Date(to)));
    expect(await all({ action: "webhook.retry", actor: "oauth", ip: "192.168.*" })).toEqual(
      expected((s) => s.action === "webhook.retry" && s.actorId === null && !!s.ip?.startsWith("192.168.")),
    );
    // LIKE characters are literals
    expect(await all({ actor: "%" })).toEqual([]);
  });

  it("refuses bad filters and cursors with 400; one entry by id", async () => {
    for (const q of <Record<string, string>[]>[{ action: "a*b" }, { from: "not a date" }, { from: day.to, to: day.from }, { cursor: "bm90LWEtY3Vyc29y" }, { limit: "0" }, { limit: "500" }]) {
      const r = await list(q);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
    }
    const one = await call(auditEntryRoute.GET, { url: "/x", cookie: admin.cookie, params: { id: String(seeded[3].id) } });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: String(seeded[3].id), action: seeded[3].action });
    for (const id of ["999999999999", "abc", "99999999999999999999"]) {
      expect((await call(auditEntryRoute.GET, { url: "/x", cookie: admin.cookie, params: { id } })).status).toBe(404);
    }
  });

  it("is for admins and audit:read keys: others get 403, strangers 401", async () => {
    for (const role of ["dispatcher", "viewer"] as const) {
      const u = await createUser(role);
      const r = await list({}, u.cookie);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("forbidden");
      expect((await call(auditEntryRoute.GET, { url: "/x", cookie: u.cookie, params: { id: String(seeded[0].id) } })).status).toBe(403);
    }
    const reader = await createKey(["audit:read"]);
    const ok = await call(auditRoute.GET, { url: `/api/v1/audit?${new URLSearchParams(day)}`, bearer: reader.key });
    expect(ok.status).toBe(200);
    expect(ok.json.items).toHaveLength(37);
    const other = await createKey(["logs:read"]);
    const no = await call(auditRoute.GET, { url: "/api/v1/audit", bearer: other.key });
    expect(no.status).toBe(403);
    expect(no.json.error.message).toMatch(/audit:read/);
    expect((await call(auditRoute.GET, { url: "/api/v1/audit" })).status).toBe(401);
  });
});
