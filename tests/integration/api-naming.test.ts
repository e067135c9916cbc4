// The API's one naming policy (docs/api-compat.md): JSON bodies and query strings in camelCase,
// the names routes took before (and the seeds' shapes) accepted as the aliases lib/compat.ts
// declares. Here: the seed's Stripe intent and refund paths and the OAuth connect link, each in
// camelCase, a field under both names (400 naming the one to leave out), an unknown field (still
// a 400 naming it), and camelCase answers. Calls, push registration and tracking have theirs
// next to their other tests (calls, push-tokens, tracking).
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import * as stripeIntent from "@/app/api/v1/integrations/payments/stripe/intent/route";
import * as seedRefund from "@/app/api/v1/integrations/payments/refund/route";
import * as startRoute from "@/app/api/oauth/[provider]/start/route";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import * as contactsRoute from "@/app/api/v1/contacts/route";
import * as eventsRoute from "@/app/api/v1/calendar/google/events/route";
import * as calendarsRoute from "@/app/api/v1/calendar/google/calendars/route";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { API_ALIASES, type RouteAliases } from "@/lib/compat";
import { seedDemoData, seedDemoIntegrations, seedDemoMessages } from "@/lib/runtime/seed";
import { ROUTE_MODULES } from "@/app/api/v1/openapi.json/routes.generated";
import { call } from "../helpers/http";
import { createKey, createUser, sandbox, system } from "../helpers/fixtures";
import { runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { snakeKeys } from "../helpers/case";

// workers and the webhook front for this file, with fast dispatch and short retries
runWorkers({ webhooks: true, env: { WEBHOOK_DISPATCH_MS: "50", WEBHOOK_RETRY_BASE_SECONDS: "0.2", WEBHOOK_RETRY_MAX_SECONDS: "1" } });

let key: string;
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write", "payments:refund"])).key;
  await createIntegration(
    {
      provider: "stripe",
      name: "Stripe",
      mode: "sandbox",
      priority: 10,
      credentials: { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
      config: { currencies: ["USD"] },
    },
    system,
  );
});

const post = (handler: unknown, url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(handler as never, { method: "POST", url, body, bearer: key, headers });
const INTENT = "/api/v1/integrations/payments/stripe/intent";
const REFUND = "/api/v1/integrations/payments/refund";

/** A Stripe payment paid in the sandbox, ready to refund. */
async function paidPayment() {
  const res = await post(stripeIntent.POST, INTENT, { amount: 4000, currency: "usd" });
  expect(res.status, res.text).toBe(201);
  const paid = await fetch(`${sandbox().url}/stripe/__pay/${res.json.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
  expect(paid.status, await paid.clone().text()).toBeLessThan(300);
  await waitFor(async () => (await db.payment.findUnique({ where: { id: res.json.id } }))?.status === "succeeded", 20_000, "the payment to succeed");
  return res.json.id as string;
}

describe("POST /api/v1/integrations/payments/stripe/intent", () => {
  it("takes customerEmail and applicationId in camelCase and answers in camelCase", async () => {
    const order = await db.application.findFirst({ select: { id: true } });
    const res = await post(stripeIntent.POST, INTENT, { amount: 2500, currency: "usd", customerEmail: "anna@example.com", ...(order ? { applicationId: order.id } : {}) });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ amountMinor: 2500, currency: "USD", customerEmail: "anna@example.com", applicationId: order?.id ?? null });
    expect(snakeKeys(res.json)).toEqual([]);
  });

  it("still takes the seed's customer_email (an alias), stored under the same field", async () => {
    const res = await post(stripeIntent.POST, INTENT, { amount: 2600, currency: "usd", customer_email: "ivan@example.com" }); // alias (docs/api-compat.md)
    expect(res.status, res.text).toBe(201);
    expect(res.json.customerEmail).toBe("ivan@example.com");
  });

  it("refuses both names of a field (saying which to keep) and an unknown field; no payment is made", async () => {
    const before = await db.payment.count();
    const both = await post(stripeIntent.POST, INTENT, { amount: 100, currency: "usd", customerEmail: "a@example.com", customer_email: "a@example.com" });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "customer_email", message: 'Both "customerEmail" and its old name "customer_email" were sent: keep "customerEmail" and leave out "customer_email"' }]);
    const unknown = await post(stripeIntent.POST, INTENT, { amount: 100, currency: "usd", customerMail: "a@example.com" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "customerMail"');
    expect(await db.payment.count()).toBe(before);
  });
});

describe("POST /api/v1/integrations/payments/refund", () => {
  it("takes paymentId in camelCase, and payment_id as an alias; answers in camelCase", async () => {
    const id = await paidPayment();
    const r1 = await post(seedRefund.POST, REFUND, { paymentId: id, amount: 1000, reason: "late driver" }, { "idempotency-key": randomUUID() });
    expect(r1.status, r1.text).toBe(201);
    expect(r1.json.payment).toMatchObject({ id, refundedMinor: 1000 });
    expect(snakeKeys(r1.json)).toEqual([]);
    const r2 = await post(seedRefund.POST, REFUND, { payment_id: id, amount: 500 }); // alias (docs/api-compat.md)
    expect(r2.status, r2.text).toBe(201);
    expect(r2.json.payment).toMatchObject({ id, refundedMinor: 1500 });
  });

  it("refuses both names of paymentId and an unknown field; nothing is refunded", async () => {
    const id = await paidPayment();
    const both = await post(seedRefund.POST, REFUND, { paymentId: id, payment_id: id, amount: 100 });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "payment_id", message: expect.stringContaining('keep "paymentId"') }]);
    const unknown = await post(seedRefund.POST, REFUND, { paymentID: id, amount: 100 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details).toEqual(expect.arrayContaining([{ path: "paymentID", message: 'Unknown field "paymentID"' }]));
    expect(await db.refund.count({ where: { paymentId: id } })).toBe(0);
  });
});

describe("GET /api/oauth/{provider}/start", () => {
  const P = "google-calendar";
  const integration = () =>
    createIntegration(
      {
        provider: P,
        name: `Calendar ${randomUUID().slice(0, 8)}`,
        mode: "sandbox",
        credentials: { clientId: `client-${Date.now()}.apps.googleusercontent.com`, clientSecret: `GOCSPX-${randomBytes(12).toString("hex")}` },
        config: {},
      },
      system,
    );

  it("takes integrationId and returnTo in camelCase (integration_id, return_to: aliases)", async () => {
    const row = await integration();
    const admin = await createUser("admin");
    const start = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integrationId=${row.id}&returnTo=/calendar`, params: { provider: P }, cookie: admin.cookie });
    expect(start.status).toBe(303);
    expect(start.headers.get("location")!.startsWith(`${sandbox().url}/${P}/`)).toBe(true);
    const state = await db.oAuthState.findFirstOrThrow({ where: { integrationId: row.id }, orderBy: { createdAt: "desc" } });
    expect(state.returnTo).toBe("/calendar");
    const old = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integration_id=${row.id}&return_to=/map`, params: { provider: P }, cookie: admin.cookie }); // alias (docs/api-compat.md)
    expect(old.status).toBe(303);
    expect(old.headers.get("location")!.startsWith(`${sandbox().url}/${P}/`)).toBe(true);
    expect(await db.oAuthState.count({ where: { integrationId: row.id, returnTo: "/map" } })).toBe(1);
  });

  it("names a parameter given under both names, or an unknown one, in the message it sends back; no connect is started", async () => {
    const row = await integration();
    const admin = await createUser("admin");
    const both = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integrationId=${row.id}&integration_id=${row.id}`, params: { provider: P }, cookie: admin.cookie });
    expect(both.status).toBe(303);
    const why = new URL(both.headers.get("location")!).searchParams.get("oauth_error");
    expect(why).toBe('The connect link is invalid: Both "integrationId" and its old name "integration_id" were sent: keep "integrationId" and leave out "integration_id"');
    const unknown = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integrationId=${row.id}&returnto=/x`, params: { provider: P }, cookie: admin.cookie });
    expect(new URL(unknown.headers.get("location")!).searchParams.get("oauth_error")).toBe('The connect link is invalid: Unknown field "returnto"');
    expect(await db.oAuthState.count({ where: { integrationId: row.id } })).toBe(0);
  });
});

describe("the OpenAPI document shows the camelCase names only, and notes the aliases", () => {
  it("every aliased /api/v1 route: x-aliases as declared, a note in its description, new names in its schema, no old name", async () => {
    const res = await call(openapiRoute.GET, { url: "/api/v1/openapi.json" });
    expect(res.status).toBe(200);
    const doc = res.json as { paths: Record<string, Record<string, any>> };
    for (const [route, a] of Object.entries(API_ALIASES as Record<string, RouteAliases>)) {
      const [method, p] = route.split(" ");
      if (!p.startsWith("/api/v1/")) continue; // the OAuth connect link is not part of the document
      const o = doc.paths[p]?.[method.toLowerCase()];
      expect(o, route).toBeDefined();
      expect(o["x-aliases"], route).toEqual({ in: a.in, fields: a.fields });
      expect(o.description, route).toContain("docs/api-compat.md");
      const shown = JSON.stringify(a.in === "body" ? o.requestBody : o.parameters);
      for (const [old, neu] of Object.entries(a.fields)) {
        expect(shown, `${route} ${old}`).not.toContain(`"${old.split(".").pop()}"`);
        expect(shown, `${route} ${neu}`).toContain(`"${neu.split(".").pop()}"`);
      }
    }
  });

  it("no request body or query parameter of the document is named in snake_case", async () => {
    const doc = (await call(openapiRoute.GET, { url: "/api/v1/openapi.json" })).json as { paths: Record<string, Record<string, any>> };
    const snake = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
    const found: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, where));
      if (!node || typeof node !== "object") return;
      for (const [k, v] of Object.entries(node)) {
        if (k === "properties" && v && typeof v === "object") for (const name of Object.keys(v)) if (snake.test(name)) found.push(`${where} ${name}`);
        walk(v, where);
      }
    };
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, o] of Object.entries(item)) {
        const where = `${m.toUpperCase()} ${p}`;
        walk(o.requestBody, where);
        for (const q of o.parameters ?? []) if (q.in === "query" && snake.test(q.name)) found.push(`${where} ?${q.name}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe("routes that took both names before: now camelCase, the snake_case names aliases", () => {
  it("the contact form (POST /api/v1/contacts): camelCase stored, first_name an alias, both names a 400 naming the one to leave out", async () => {
    const form = (body: unknown) => call(contactsRoute.POST as never, { method: "POST", url: "/api/v1/contacts", body, headers: { [CLIENT_IP_HEADER]: `10.77.0.${Math.floor(Math.random() * 200) + 1}` } });
    const camel = await form({ firstName: "Ada", lastName: "Lovelace", email: `ada.${randomUUID().slice(0, 6)}@example.com`, serviceInterest: "Airport transfer" });
    expect(camel.status, camel.text).toBe(201);
    expect(camel.json).toMatchObject({ firstName: "Ada", lastName: "Lovelace", serviceInterest: "Airport transfer" });
    expect(snakeKeys(camel.json)).toEqual([]);
    const both = await form({ firstName: "Ada", first_name: "Ada", lastName: "L", email: `ada.${randomUUID().slice(0, 6)}@example.com` });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "first_name", message: expect.stringContaining('keep "firstName"') }]);
  });

  it("the calendar's event list and calendars (GET): both names of integrationId are a 400", async () => {
    const dispatcher = await createUser("dispatcher");
    const id = randomUUID();
    const events = await call(eventsRoute.GET as never, { url: `/api/v1/calendar/google/events?integrationId=${id}&integration_id=${id}`, cookie: dispatcher.cookie });
    expect(events.status).toBe(400);
    expect(events.json.error.details).toEqual([{ path: "integration_id", message: expect.stringContaining('keep "integrationId"') }]);
    const calendars = await call(calendarsRoute.GET as never, { url: `/api/v1/calendar/google/calendars?integrationId=${id}&integration_id=${id}`, cookie: dispatcher.cookie });
    expect(calendars.status).toBe(400);
    expect(calendars.json.error.details[0].path).toBe("integration_id");
  });
});

describe("answers: every list and overview the API serves is camelCase", () => {
  it("no GET route (with the demo data loaded) answers a snake_case key, except values used as keys and what providers or people wrote", async () => {
    await seedDemoData();
    await seedDemoIntegrations();
    await seedDemoMessages();
    const admin = await createUser("admin");
    // not field names of ours: a map keyed by payment status values, a provider's own payload
    // as the sandbox inbox shows it, a template's variables as its author named them
    const notOurs = /(^|\.)(byStatus|payload|sampleData)(\.|$)/;
    const found: string[] = [];
    let checked = 0;
    for (const r of ROUTE_MODULES) {
      const GET = (r.module as Record<string, unknown>).GET;
      if (r.path.includes("{") || r.path.endsWith("/stream") || typeof GET !== "function") continue;
      const res = await call(GET as never, { url: r.path, cookie: admin.cookie });
      if (!(res.headers.get("content-type") ?? "").includes("json")) continue;
      checked++;
      for (const k of snakeKeys(res.json)) if (!notOurs.test(k)) found.push(`${r.path} ${k}`);
    }
    expect(checked).toBeGreaterThan(30);
    expect(found).toEqual([]);
  }, 120_000);
});
