// Idempotency-Key through the one module (lib/idempotency.ts, table idempotency_keys) on the
// routes that create something at a provider: Zoom meetings, RingCentral RingOut, Google
// Calendar events. Per route: a retry gets the same resource back (200, Idempotent-Replayed),
// the same key with another body is a 422 that makes nothing, two requests at once make one
// resource, and another caller's same key is a different request. Then payments, refunds and
// messages, whose own tables keep a unique key too: two API keys sending the same key get two
// resources and neither sees the other's. Then the store itself: the answer is sealed (a host's
// Zoom start URL is never in clear), expired keys are swept.
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { runIntegrationMaintenance } from "@/lib/wiring/maintenance";
import { withIdempotency } from "@/lib/idempotency";
import * as meetingsRoute from "@/app/api/v1/meetings/route";
import * as ringoutRoute from "@/app/api/v1/calls/ringout/route";
import * as eventsRoute from "@/app/api/v1/calendar/google/events/route";
import * as paymentsRoute from "@/app/api/v1/payments/route";
import * as refundRoute from "@/app/api/v1/payments/[id]/refund/route";
import * as seedRefundRoute from "@/app/api/v1/integrations/payments/refund/route";
import * as smsRoute from "@/app/api/v1/sms/send/route";
import * as emailRoute from "@/app/api/v1/email/send/route";
import { createIntegration } from "@/lib/integrations/service";
import { refreshPayment } from "@/lib/payments/service";
import { enqueue } from "@/lib/messaging/outbox";
import { call, type CallResult } from "../helpers/http";
import { googleCalendarIntegration } from "../helpers/calendar";
import { createKey, createUser, fault, sandbox, system, zoomIntegration } from "../helpers/fixtures";
import { rcControl, rcRequests, ringCentralIntegration } from "../helpers/ringcentral";

type User = Awaited<ReturnType<typeof createUser>>;
type Who = { cookie?: string; bearer?: string };
let dispatcher: User;
let admin: User;
let zoom: Awaited<ReturnType<typeof zoomIntegration>>;
let rc: Awaited<ReturnType<typeof ringCentralIntegration>>;
let cal: Awaited<ReturnType<typeof googleCalendarIntegration>>;

beforeAll(async () => {
  [dispatcher, admin] = await Promise.all([createUser("dispatcher"), createUser("admin")]);
  await rcControl("/__settings", { ringoutConnectMs: 700, ringoutTalkMs: 700 });
  [zoom, rc, cal] = await Promise.all([zoomIntegration(), ringCentralIntegration(), googleCalendarIntegration()]);
});

const sandboxRequests = async (provider: string) =>
  (await (await fetch(`${sandbox().url}/__control/requests?provider=${provider}`)).json()).items as { method: string; path: string }[];

type RouteCase = {
  name: string;
  post: (body: Record<string, unknown>, who: Who, key?: string) => Promise<CallResult>;
  body: () => Record<string, unknown>;
  other: (b: Record<string, unknown>) => Record<string, unknown>;
  /** how many resources the provider was asked to make */
  made: () => Promise<number>;
  who: () => Who;
};

const withKey = (key?: string): Record<string, string> => (key === undefined ? {} : { "Idempotency-Key": key });

const routes: RouteCase[] = [
  {
    name: "POST /api/v1/meetings (Zoom)",
    post: (body, who, key) => call(meetingsRoute.POST as never, { url: "/api/v1/meetings", body, headers: withKey(key), ...who }),
    body: () => ({ topic: `Briefing ${randomBytes(3).toString("hex")}`, startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id }),
    other: (b) => ({ ...b, topic: `${b.topic} (moved)` }),
    made: async () => (await sandboxRequests("zoom")).filter((r) => r.method === "POST" && r.path === "/zoom/v2/users/me/meetings").length,
    who: () => ({ cookie: dispatcher.cookie }),
  },
  {
    name: "POST /api/v1/calls/ringout (RingCentral)",
    post: (body, who, key) => call(ringoutRoute.POST as never, { method: "POST", url: "/api/v1/calls/ringout", body, headers: withKey(key), ...who }),
    body: () => ({ to: `+7903777${String(1000 + Math.floor(Math.random() * 8999)).slice(-4)}` }),
    other: () => ({ to: "+79035550000" }),
    made: async () => (await rcRequests()).filter((r) => r.method === "POST" && r.path.endsWith("/ring-out") && r.headers["client-id"] === rc.clientId).length,
    who: () => ({ cookie: dispatcher.cookie }),
  },
  {
    name: "POST /api/v1/calendar/google/events (Google Calendar)",
    post: (body, who, key) => call(eventsRoute.POST as never, { method: "POST", url: "/api/v1/calendar/google/events", body, headers: withKey(key), ...who }),
    body: () => ({ integrationId: cal.row.id, title: `Inspection ${randomBytes(3).toString("hex")}`, allDay: true, startDate: "2031-07-01", endDate: "2031-07-02" }),
    other: (b) => ({ ...b, title: `${b.title} (other)` }),
    made: async () => db.calendarEvent.count({ where: { integrationId: cal.row.id } }),
    who: () => ({ cookie: admin.cookie }),
  },
];

describe.each(routes)("$name", (r) => {
  it("a retry with the same key and body gets the same resource back (200, Idempotent-Replayed), made once", async () => {
    const key = randomUUID();
    const body = r.body();
    const before = await r.made();
    const first = await r.post(body, r.who(), key);
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await r.post(body, r.who(), key);
    expect(again.status, again.text).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toMatchObject({ id: first.json.id, replayed: true });
    expect(await r.made()).toBe(before + 1);
  });

  it("the same key with another body is a 422 that makes nothing", async () => {
    const key = randomUUID();
    const body = r.body();
    const first = await r.post(body, r.who(), key);
    expect(first.status, first.text).toBe(201);
    const before = await r.made();
    const other = await r.post(r.other(body), r.who(), key);
    expect(other.status, other.text).toBe(422);
    expect(other.json.error).toMatchObject({ code: "unprocessable", message: expect.stringMatching(/Idempotency-Key was already used for a different request/) });
    expect(await r.made()).toBe(before);
  });

  it("two requests with one key at once make one resource; the other is refused (409) or replays it", async () => {
    const key = randomUUID();
    const body = r.body();
    const before = await r.made();
    const [a, b] = await Promise.all([r.post(body, r.who(), key), r.post(body, r.who(), key)]);
    const statuses = [a.status, b.status].sort();
    expect([[200, 201], [201, 409]]).toContainEqual(statuses);
    const loser = a.status === 201 ? b : a;
    if (loser.status === 409) expect(loser.json.error.message).toMatch(/still being processed/);
    else expect(loser.json.id).toBe((a.status === 201 ? a : b).json.id);
    expect(await r.made()).toBe(before + 1);
  });

  it("another caller's same key is another request (keys never collide across callers)", async () => {
    const key = randomUUID();
    const body = r.body();
    const first = await r.post(body, r.who(), key);
    expect(first.status, first.text).toBe(201);
    const apiKey = await createKey(["calendar:write", "calls:write"]);
    const theirs = await r.post(body, { bearer: apiKey.key }, key);
    expect(theirs.status, theirs.text).toBe(201);
    expect(theirs.json.id).not.toBe(first.json.id);
  });
});

// ───── payments, refunds and messages: a key belongs to its caller ─────

const hex = (n: number) => randomBytes(n).toString("hex");
type Caller = { bearer: string; id: string };
const payWith = (who: Caller, key: string, body: Record<string, unknown>) =>
  call(paymentsRoute.POST as never, { method: "POST", url: "/api/v1/payments", body, headers: withKey(key), bearer: who.bearer });

async function paidPayment(who: Caller, amountMinor: number) {
  const res = await payWith(who, randomUUID(), { amountMinor, currency: "USD" });
  expect(res.status, res.text).toBe(201);
  const paid = await fetch(`${sandbox().url}/stripe/__pay/${res.json.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
  expect(paid.status, await paid.text()).toBeLessThan(300);
  await refreshPayment(res.json.id);
  expect((await db.payment.findUniqueOrThrow({ where: { id: res.json.id } })).status).toBe("succeeded");
  return res.json.id as string;
}

type ScopedCase = {
  name: string;
  /** posts the request as `who` with `key`; `n` varies the body */
  post: (who: Caller, key: string, n: number) => Promise<CallResult>;
  /** the created resource's id in the answer */
  id: (res: CallResult) => string;
  /** rows carrying this key in the service's own unique column */
  rows: (key: string) => Promise<number>;
  /** what the answer must never carry to another caller */
  secret?: (res: CallResult) => string | undefined;
};

let callerA: Caller;
let callerB: Caller;
const refundIds: Record<string, string> = {};
const scopedCases: ScopedCase[] = [
  {
    name: "POST /api/v1/payments",
    post: (who, key, n) => payWith(who, key, { amountMinor: 1000 + n, currency: "USD" }),
    id: (res) => res.json.id,
    rows: (key) => db.payment.count({ where: { idempotencyKey: key } }),
    secret: (res) => res.json.paymentUrl,
  },
  {
    name: "POST /api/v1/payments/[id]/refund",
    post: async (who, key, n) => {
      const id = (refundIds[who.bearer] ??= await paidPayment(who, 5000));
      return call(refundRoute.POST as never, { method: "POST", url: `/api/v1/payments/${id}/refund`, body: { amountMinor: 100 + n }, params: { id }, headers: withKey(key), bearer: who.bearer });
    },
    id: (res) => res.json.refund.id,
    rows: (key) => db.refund.count({ where: { idempotencyKey: key } }),
  },
  {
    name: "POST /api/v1/integrations/payments/refund (the seed's path)",
    post: async (who, key, n) => {
      const id = (refundIds[`seed ${who.bearer}`] ??= await paidPayment(who, 6000));
      return call(seedRefundRoute.POST as never, { method: "POST", url: "/api/v1/integrations/payments/refund", body: { paymentId: id, amount: 100 + n }, headers: withKey(key), bearer: who.bearer });
    },
    id: (res) => res.json.refund.id,
    rows: (key) => db.refund.count({ where: { idempotencyKey: key } }),
  },
  {
    name: "POST /api/v1/sms/send",
    post: (who, key, n) => call(smsRoute.POST as never, { method: "POST", url: "/api/v1/sms/send", body: { to: "+79161230001", text: `hello ${n}` }, headers: withKey(key), bearer: who.bearer }),
    id: (res) => res.json.id,
    rows: (key) => db.message.count({ where: { idempotencyKey: key } }),
  },
  {
    name: "POST /api/v1/email/send",
    post: (who, key, n) =>
      call(emailRoute.POST as never, { method: "POST", url: "/api/v1/email/send", body: { to: "anna@example.com", subject: `Invoice ${n}`, text: "attached" }, headers: withKey(key), bearer: who.bearer }),
    id: (res) => res.json.id,
    rows: (key) => db.message.count({ where: { idempotencyKey: key } }),
  },
];

describe("payments, refunds and messages: a key belongs to its caller", () => {
  beforeAll(async () => {
    const scopes = ["payments:read", "payments:write", "payments:refund", "messages:send"];
    [callerA, callerB] = (await Promise.all([createKey(scopes), createKey(scopes)])).map((k) => ({ bearer: k.key, id: k.row.id }));
    await Promise.all([
      createIntegration(
        {
          provider: "stripe",
          name: "Stripe",
          mode: "sandbox",
          credentials: { secretKey: `sk_test_${hex(18)}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
          config: { currencies: ["USD"] },
        },
        system,
      ),
      createIntegration({ provider: "twilio", name: "Twilio", mode: "sandbox", credentials: { accountSid: `AC${hex(16)}`, authToken: hex(16) }, config: { from: "+15005550006" } }, system),
      createIntegration({ provider: "sendgrid", name: "SendGrid", mode: "sandbox", credentials: { apiKey: `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}` }, config: { fromEmail: "noreply@transfers.test" } }, system),
    ]);
  });

  describe.each(scopedCases)("$name", (c) => {
    it("two API keys sending the same Idempotency-Key get two resources; neither sees the other's", async () => {
      const key = randomUUID();
      const a = await c.post(callerA, key, 1);
      expect(a.status, a.text).toBeLessThan(300);
      const b = await c.post(callerB, key, 1);
      expect(b.status, b.text).toBeLessThan(300);
      expect(b.status).not.toBe(200);
      expect(b.headers.get("idempotent-replayed")).toBeNull();
      expect(b.json.replayed).toBeUndefined();
      expect(c.id(b)).not.toBe(c.id(a));
      if (c.secret) expect(b.text).not.toContain(c.secret(a));
      // each caller's retry still gets its own
      const againA = await c.post(callerA, key, 1);
      const againB = await c.post(callerB, key, 1);
      expect([againA.status, againB.status]).toEqual([200, 200]);
      expect(c.id(againA)).toBe(c.id(a));
      expect(c.id(againB)).toBe(c.id(b));
      // the service's own unique column keeps the caller-scoped key, never the raw one
      expect(await c.rows(key)).toBe(0);
      expect([await c.rows(`api_key:${callerA.id}:${key}`), await c.rows(`api_key:${callerB.id}:${key}`)]).toEqual([1, 1]);
    });

    it("the same caller with the same key and body gets the first resource again (200, replayed)", async () => {
      const key = randomUUID();
      const first = await c.post(callerA, key, 2);
      expect(first.status, first.text).toBeLessThan(300);
      const again = await c.post(callerA, key, 2);
      expect(again.status, again.text).toBe(200);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.json.replayed).toBe(true);
      expect(c.id(again)).toBe(c.id(first));
    });

    it("the same caller with the same key and another body is a 422 that makes nothing", async () => {
      const key = randomUUID();
      const first = await c.post(callerA, key, 3);
      expect(first.status, first.text).toBeLessThan(300);
      const other = await c.post(callerA, key, 4);
      expect(other.status, other.text).toBe(422);
      expect(other.json.error).toMatchObject({ code: "unprocessable", message: expect.stringMatching(/Idempotency-Key was already used for a different request/) });
    });
  });

  it("a caller cannot take an internal sender's key (the Telegram bot's reply, an alert's notice)", async () => {
    const eventId = randomUUID();
    for (const key of [`tg-reply:${eventId}`, `alert:${eventId}:email:${randomUUID()}`]) {
      const mine = await call(emailRoute.POST as never, { method: "POST", url: "/api/v1/email/send", body: { to: "mallory@example.com", subject: "mine", text: "x" }, headers: withKey(key), bearer: callerA.bearer });
      expect(mine.status, mine.text).toBe(202);
      const internal = await enqueue({ channel: "email", to: "admin@example.com", subject: "internal", text: "y", idempotencyKey: key });
      expect(internal.replayed).toBe(false);
      expect(internal.message.id).not.toBe(mine.json.id);
    }
  });
});

describe("an outcome the provider did not confirm", () => {
  it("a RingOut whose answer was lost keeps its 502 as the key's answer: the retry does not ring again", async () => {
    const made = routes[1].made;
    const before = await made();
    await fault({ provider: "ringcentral", path: "/ring-out$", method: "POST", delayMs: 3500, times: 1 });
    const key = randomUUID();
    const body = { to: "+79037770001" };
    const post = () => call(ringoutRoute.POST as never, { method: "POST", url: "/api/v1/calls/ringout", body, headers: { "Idempotency-Key": key }, cookie: dispatcher.cookie });
    const lost = await post();
    expect(lost.status, lost.text).toBe(502);
    expect(lost.json.error.details.callId).toEqual(expect.any(String));
    const again = await post();
    expect(again.status).toBe(502);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.error.details.callId).toBe(lost.json.error.details.callId);
    expect(await made()).toBe(before + 1);
  });
});

describe("the store", () => {
  it("keys sent at the same moment (claimed and completed in shared statements) each run once and keep their own answer", async () => {
    const caller = `api_key:${randomUUID()}`;
    const keys = Array.from({ length: 6 }, () => randomUUID());
    const runs = new Map<string, number>();
    const op = (key: string) =>
      withIdempotency({ caller, operation: "POST /api/v1/test-batch", key, request: { key } }, async () => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        return { status: 201, body: { made: key } };
      });
    // six keys and the first one twice more, all in one turn of the event loop
    const out = await Promise.allSettled([...keys.map(op), op(keys[0]), op(keys[0])]);
    expect(keys.map((k) => runs.get(k))).toEqual(keys.map(() => 1));
    out.slice(0, 6).forEach((r, i) => expect(r).toMatchObject({ status: "fulfilled", value: { status: 201, body: { made: keys[i] }, replayed: false } }));
    for (const r of out.slice(6)) {
      // the repeats find the first one still running (409) or already done (its answer)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409, message: expect.stringMatching(/still being processed/) });
      else expect(r.value).toMatchObject({ status: 200, body: { made: keys[0], replayed: true }, replayed: true });
    }
    const rows = await pgPool().query("select key, state, status from idempotency_keys where caller = $1 order by key", [caller]);
    expect(rows.rows).toEqual([...keys].sort().map((key) => ({ key, state: "completed", status: 201 })));
    // each key replays its own answer
    const again = await Promise.all(keys.map(op));
    again.forEach((a, i) => expect(a).toMatchObject({ status: 200, body: { made: keys[i], replayed: true }, replayed: true }));
    expect(keys.map((k) => runs.get(k))).toEqual(keys.map(() => 1));
  });

  it("keeps the answer sealed: a host's Zoom start URL and passcode are never in clear in idempotency_keys", async () => {
    const key = randomUUID();
    const res = await call(meetingsRoute.POST as never, {
      url: "/api/v1/meetings",
      body: { topic: "Sealed answer", startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id },
      headers: { "Idempotency-Key": key },
      cookie: dispatcher.cookie,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.startUrl).toMatch(/^https?:/);
    const row = (await pgPool().query("select * from idempotency_keys where key = $1", [key])).rows[0];
    expect(row).toMatchObject({ state: "completed", status: 201, caller: `user:${dispatcher.id}`, operation: "POST /api/v1/meetings" });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(res.json.startUrl);
    expect(stored).not.toContain(res.json.password);
    expect(stored).not.toContain("Sealed answer");
    // the replay still gives the host what the first answer gave
    const again = await call(meetingsRoute.POST as never, {
      url: "/api/v1/meetings",
      body: { topic: "Sealed answer", startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id },
      headers: { "Idempotency-Key": key },
      cookie: dispatcher.cookie,
    });
    expect(again.json).toMatchObject({ id: res.json.id, startUrl: res.json.startUrl, replayed: true });
  });

  it("a refused request (400) stores nothing and leaves the key free", async () => {
    const key = randomUUID();
    const bad = await call(meetingsRoute.POST as never, { url: "/api/v1/meetings", body: { topic: "" }, headers: { "Idempotency-Key": key }, cookie: dispatcher.cookie });
    expect(bad.status).toBe(400);
    const unknownZoom = await call(meetingsRoute.POST as never, {
      url: "/api/v1/meetings",
      body: { topic: "No such integration", startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: randomUUID() },
      headers: { "Idempotency-Key": key },
      cookie: dispatcher.cookie,
    });
    expect(unknownZoom.status).toBeGreaterThanOrEqual(400);
    expect((await pgPool().query("select 1 from idempotency_keys where key = $1", [key])).rowCount).toBe(0);
    const ok = await call(meetingsRoute.POST as never, {
      url: "/api/v1/meetings",
      body: { topic: "Fixed", startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id },
      headers: { "Idempotency-Key": key },
      cookie: dispatcher.cookie,
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it("an Idempotency-Key that is not 1–255 visible ASCII characters is a 400", async () => {
    const res = await call(meetingsRoute.POST as never, {
      url: "/api/v1/meetings",
      body: { topic: "Bad key", startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id },
      headers: { "Idempotency-Key": "x".repeat(256) },
      cookie: dispatcher.cookie,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/Idempotency-Key/);
  });

  it("the maintenance sweep deletes expired keys; an expired key is a new request again", async () => {
    const key = randomUUID();
    const body = { topic: `Expiring ${randomBytes(3).toString("hex")}`, startTime: "2030-05-04T09:30:00+03:00", duration: 30, integrationId: zoom.row.id };
    const post = () => call(meetingsRoute.POST as never, { url: "/api/v1/meetings", body, headers: { "Idempotency-Key": key }, cookie: dispatcher.cookie });
    const first = await post();
    expect(first.status).toBe(201);
    await pgPool().query("update idempotency_keys set expires_at = now() - interval '1 second' where key = $1", [key]);
    const fresh = await pgPool().query("select count(*)::int as n from idempotency_keys where expires_at > now()");
    // the workers' maintenance tick sweeps them
    expect((await runIntegrationMaintenance()).idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect((await pgPool().query("select 1 from idempotency_keys where key = $1", [key])).rowCount).toBe(0);
    expect((await pgPool().query("select count(*)::int as n from idempotency_keys where expires_at > now()")).rows[0].n).toBe(fresh.rows[0].n);
    const second = await post();
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
  });
});
