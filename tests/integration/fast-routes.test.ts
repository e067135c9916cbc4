// Every fast route (scripts/fast-routes.ts: served by the node:http front before Next.js)
// answers as the App Router does: status, content type and body shape for a good request, a
// refused one and one without credentials; for the live stream, its first event.
//
// "Through Next.js" here is the App Router route module's handler called the way Next.js calls
// it (tests/helpers/http.ts call(): a NextRequest in, its Response out); running the real
// Next.js server inside vitest is impractical (a build or a dev compiler per test file).
// "Through the front" is a real node:http server doing what scripts/server.ts does before
// Next.js (the client address header, the body limit) and handing the request to serveFast().
// The table itself: only existing App Router files, no dynamic segments.
import http from "node:http";
import path from "node:path";
import { existsSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env, resetEnvCache } from "@/lib/env";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { bodyLimitFor, limitBody } from "@/lib/body-limit";
import { createIntegration } from "@/lib/integrations/service";
import { FAST_ROUTES, compileFastRoutes, fastRoute, serveFast, type RouteHandler } from "@/scripts/fast-routes";
import { call, firstEventBlock } from "../helpers/http";
import { createKey, system } from "../helpers/fixtures";
import * as paymentsRoute from "@/app/api/v1/payments/route";

// the env read before tests/setup/file.ts set SANDBOX_URL is read again (the Stripe sandbox's address)
resetEnvCache();

let base = "";
let server: http.Server;
const keys: Record<string, string> = {};
let driverId = "";
/** an Idempotency-Key the payments key has used already (lib/idempotency.ts answers it on both paths) */
const usedKey = randomUUID();
const usedBody = { amountMinor: 1300, currency: "USD", description: "Fast route retry" };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // scripts/server.ts: the client address (here the one call() sends), the path, the body limit
    req.headers[CLIENT_IP_HEADER] = "10.0.0.1";
    req.headers["x-switchboard-path"] = req.url ?? "/";
    limitBody(req, res, bodyLimitFor(req.url, env()), () => {
      const fast = fastRoute(req.method, req.url);
      if (!fast) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"error":{"code":"not_found","message":"not a fast route"}}');
        return;
      }
      serveFast(req, res, fast).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "internal_error", message: (err as Error).message } }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  keys.tracking = (await createKey(["tracking:write", "tracking:read"])).key;
  keys.payments = (await createKey(["payments:read", "payments:write"])).key;
  keys.none = (await createKey(["logs:read"])).key;
  driverId = (await db.driver.create({ data: { name: "Fast Fedor", phone: `+7999${Math.floor(1_000_000 + Math.random() * 8_999_999)}` } })).id;
  await createIntegration(
    {
      provider: "stripe",
      name: "Stripe",
      mode: "sandbox",
      credentials: { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
      config: { currencies: ["USD"] },
    },
    system,
  );
  const first = await call(paymentsRoute.POST as RouteHandler, { method: "POST", url: "/api/v1/payments", bearer: keys.payments, body: usedBody, headers: { "Idempotency-Key": usedKey } });
  expect(first.status, first.text).toBe(201);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

type Req = { bearer?: string; body?: unknown; headers?: Record<string, string> };
type Answer = { status: number; contentType: string | null; shape: unknown; first?: { event: string; shape: unknown } };

/** The JSON's shape: keys and value types (arrays by their first item), not the values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return v === null ? "null" : typeof v;
}

/** An event's name and the shape of its data. */
function eventOf(block: string) {
  const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();
  return { event: field("event") ?? "message", shape: shape(JSON.parse(field("data") ?? "null")) };
}

async function throughFront(method: string, route: string, r: Req): Promise<Answer> {
  const ac = new AbortController();
  const res = await fetch(`${base}${route}`, {
    method,
    signal: ac.signal,
    headers: { ...(r.bearer ? { authorization: `Bearer ${r.bearer}` } : {}), ...(r.body !== undefined ? { "content-type": "application/json" } : {}), ...r.headers },
    body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
  });
  const contentType = res.headers.get("content-type");
  if (contentType?.startsWith("text/event-stream")) {
    const first = eventOf(await firstEventBlock(res.body!));
    ac.abort();
    await res.body!.cancel().catch(() => {});
    return { status: res.status, contentType, shape: null, first };
  }
  const text = await res.text();
  return { status: res.status, contentType, shape: shape(text ? JSON.parse(text) : null) };
}

async function throughNext(method: string, route: string, handler: RouteHandler, r: Req): Promise<Answer> {
  const res = await call(handler, { method, url: route, bearer: r.bearer, body: r.body, headers: r.headers, firstEventOfStreams: true });
  const contentType = res.headers.get("content-type");
  if (contentType?.startsWith("text/event-stream")) return { status: res.status, contentType, shape: null, first: eventOf(res.text) };
  return { status: res.status, contentType, shape: shape(res.text ? JSON.parse(res.text) : null) };
}

/** What each fast route is asked: a good request, a refused one, and one without a key (every route must have cases). */
const CASES: Record<string, Record<string, [status: number, make: () => Req]>> = {
  "POST /api/v1/tracking/locations": {
    accepted: [202, () => ({ bearer: keys.tracking, body: { driverId, latitude: 55.75 + Math.random() / 100, longitude: 37.61, speed: 30 } })],
    "a batch": [202, () => ({ bearer: keys.tracking, body: { positions: [{ driverId, latitude: 55.7, longitude: 37.6, recordedAt: Date.now() - Math.floor(Math.random() * 1e6) }] } })],
    "invalid body": [400, () => ({ bearer: keys.tracking, body: { driverId: "nope", latitude: 500, extra: 1 } })],
    "no key": [401, () => ({ body: { driverId, latitude: 1, longitude: 1 } })],
    "wrong scope": [403, () => ({ bearer: keys.none, body: { driverId, latitude: 1, longitude: 1 } })],
  },
  "GET /api/v1/tracking/stream": {
    "the first event": [200, () => ({ bearer: keys.tracking })],
    "no key": [401, () => ({})],
    "wrong scope": [403, () => ({ bearer: keys.none })],
  },
  "POST /api/v1/payments": {
    created: [201, () => ({ bearer: keys.payments, body: { amountMinor: 1200, currency: "USD", description: "Fast route check" } })],
    "invalid body": [400, () => ({ bearer: keys.payments, body: { amountMinor: -1, currency: "usd", colour: "red" } })],
    "a retry with a used Idempotency-Key": [200, () => ({ bearer: keys.payments, body: usedBody, headers: { "Idempotency-Key": usedKey } })],
    "a used Idempotency-Key with another body": [422, () => ({ bearer: keys.payments, body: { ...usedBody, amountMinor: 1301 }, headers: { "Idempotency-Key": usedKey } })],
    "no key": [401, () => ({ body: { amountMinor: 1200, currency: "USD" } })],
    "wrong scope": [403, () => ({ bearer: keys.none, body: { amountMinor: 1200, currency: "USD" } })],
  },
};

describe("the fast routes table", () => {
  it("lists only existing App Router files, each exporting the method's handler, and every route has comparison cases", async () => {
    expect(FAST_ROUTES.length).toBeGreaterThan(0);
    for (const r of FAST_ROUTES) {
      const file = path.join(process.cwd(), "app", r.route, "route.ts");
      expect(existsSync(file), `${r.method} ${r.route}: no ${file}`).toBe(true);
      const loaded = await r.load();
      const appRouter = await import(/* @vite-ignore */ file);
      expect(typeof loaded[r.method], `${r.method} ${r.route}`).toBe("function");
      expect(loaded[r.method], `${r.method} ${r.route} loads the App Router file's own handler`).toBe(appRouter[r.method]);
      expect(Object.keys(CASES[`${r.method} ${r.route}`] ?? {}).length, `no comparison cases for ${r.method} ${r.route}`).toBeGreaterThan(0);
    }
  });

  it("refuses at startup a route with a dynamic segment (it would get no params) or a path that is not a plain App Router path", () => {
    const load = async () => ({});
    expect(() => compileFastRoutes([{ method: "GET", route: "/api/v1/payments/[id]", load }])).toThrow(
      /Fast route GET \/api\/v1\/payments\/\[id\]: "\[id\]" is a dynamic segment, and the node front passes no params/,
    );
    expect(() => compileFastRoutes([{ method: "GET", route: "/api/v1/files/[...path]", load }])).toThrow(/dynamic segment/);
    expect(() => compileFastRoutes([{ method: "GET", route: "/api/v1/(group)/x", load }])).toThrow(/plain App Router path/);
    expect(() => compileFastRoutes([{ method: "GET", route: "/api/v1/payments/", load }])).toThrow(/plain App Router path/);
    // the real table compiles, and its patterns take a trailing slash and a query string but nothing deeper
    const [r] = compileFastRoutes([{ method: "POST", route: "/api/v1/payments", load }]);
    expect(["/api/v1/payments", "/api/v1/payments/", "/api/v1/payments?x=1"].every((u) => r.path.test(u))).toBe(true);
    expect(["/api/v1/payments/123", "/api/v1/paymentsX", "/api/v1/payments/stats"].some((u) => r.path.test(u))).toBe(false);
    expect(fastRoute("GET", "/api/v1/payments")).toBeNull();
    expect(fastRoute("POST", "/api/v1/payments/abc/refund")).toBeNull();
  });
});

describe("every fast route answers as the App Router does", () => {
  for (const r of FAST_ROUTES) {
    for (const [name, [status, make]] of Object.entries(CASES[`${r.method} ${r.route}`] ?? {})) {
      it(`${r.method} ${r.route}: ${name} (${status})`, async () => {
        const handler = (await r.load())[r.method] as RouteHandler;
        const front = await throughFront(r.method, r.route, make());
        const next = await throughNext(r.method, r.route, handler, make());
        expect(front).toEqual(next);
        expect(front.status).toBe(status);
        expect(front.contentType).toBeTruthy();
        if (front.first) expect(front.first.event).toBe("ready");
      });
    }
  }
});
