// Input the API refuses once, for every route, in the project's error shape (issue 15 item 18's
// two classes that answered 500): a NUL character in any text input (query string, JSON body,
// path) and a path segment whose percent-encoding does not decode (refused by the node:http
// front before the router, which would answer a plain-text 500 on every dynamic route).
import http from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { malformedPathSegment, refuseMalformedPath } from "@/lib/runtime/front-guard";
import { webhookTarget } from "@/lib/webhooks/node-front";
import * as applicationsRoute from "@/app/api/v1/calendar/google/applications/route";
import * as contactsRoute from "@/app/api/v1/contacts/route";
import * as alertRoute from "@/app/api/v1/alerts/[id]/route";
import { ROUTE_MODULES } from "@/app/api/v1/openapi.json/routes.generated";
import { call } from "../helpers/http";
import { createUser } from "../helpers/fixtures";

type User = Awaited<ReturnType<typeof createUser>>;
let admin: User;

beforeAll(async () => {
  admin = await createUser("admin");
});

describe("a NUL character in text input", () => {
  it("in a query string is a 400 naming the field, not a database error", async () => {
    const res = await call(applicationsRoute.GET, { url: "/api/v1/calendar/google/applications?q=%00x", cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("validation_failed");
    expect(res.json.error.details).toEqual([{ path: "q", message: expect.stringContaining("NUL") }]);
    expect(res.text).not.toMatch(/invalid byte sequence|0x00/);
  });

  it("in a JSON body (a nested value or a key) is a 400 naming the field, and nothing is stored", async () => {
    const before = await db.contactSubmission.count();
    const res = await call(contactsRoute.POST, { method: "POST", url: "/api/v1/contacts", body: { firstName: "Ann", lastName: "Lee", email: "ann@example.test", message: "hi", tags: ["ok", "a\u0000b"] } });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([{ path: "tags.1", message: expect.stringContaining("NUL") }]);
    const key = await call(contactsRoute.POST, { method: "POST", url: "/api/v1/contacts", rawBody: '{"firstName":"Ann","lastName":"Lee","email":"ann@example.test","x\\u0000":1}', headers: { "content-type": "application/json" } });
    expect(key.status).toBe(400);
    expect(key.json.error.details[0].path).toBe("x\u0000");
    expect(await db.contactSubmission.count()).toBe(before);
  });

  it("in a path parameter is a 400 in the error shape", async () => {
    const res = await call(alertRoute.GET, { url: "/api/v1/alerts/%00", params: { id: "\u0000" }, cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("validation_failed");
  });
});

describe("a path segment that is not valid percent-encoding", () => {
  let server: http.Server;
  let base: string;
  let reachedRouter = 0;

  beforeAll(async () => {
    // the front's order: the guard first, then (here) a stand-in for Next.js' router, which
    // answers such paths with a plain-text 500
    server = http.createServer((req, res) => {
      if (refuseMalformedPath(req, res)) return;
      reachedRouter++;
      res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** every dynamic API route, with its first {param} made malformed; and the webhook routes */
  const dynamicPaths = [
    ...ROUTE_MODULES.filter((r) => r.path.includes("{")).map((r) => r.path.replace(/\{[^}]+\}/, "%ff").replace(/\{[^}]+\}/g, "x")),
    "/api/webhooks/stripe/%ff",
    "/api/webhooks/%E0%A4%A/abc",
    "/api/webhooks/receive/%ff",
    "/api/v1/alerts/%",
    "/api/v1/alerts/%00",
  ];

  it("is a 400 in the error shape on every dynamic route, unauthenticated, before any routing", async () => {
    expect(dynamicPaths.length).toBeGreaterThan(20);
    for (const p of dynamicPaths) {
      for (const method of ["GET", "POST"]) {
        const res = await fetch(base + p, { method, ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}) });
        const text = await res.text();
        expect(res.status, `${method} ${p}`).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/json");
        expect(JSON.parse(text).error).toMatchObject({ code: "validation_failed", message: expect.stringContaining("percent-encoding") });
      }
    }
    expect(reachedRouter).toBe(0);
  });

  it("leaves well-formed paths (escapes included) to the router", async () => {
    for (const u of ["/api/v1/alerts/abc", "/api/v1/alerts/%20x", "/api/webhooks/stripe/abc?x=%ff", "/"]) expect(malformedPathSegment(u), u).toBeNull();
    expect(webhookTarget("POST", "/api/webhooks/stripe/a%20b")).toEqual({ provider: "stripe", code: "a b" });
    const res = await fetch(`${base}/api/v1/alerts/abc`);
    expect(res.status).toBe(500); // the stand-in router's answer: the guard let it through
  });

  it("runs first in the web server's front (scripts/server.ts), before the webhook and API fronts and Next.js", () => {
    const src = readFileSync("scripts/server.ts", "utf8");
    const body = src.slice(src.indexOf("http.createServer("));
    const guard = body.indexOf("refuseMalformedPath(req, res)");
    expect(guard).toBeGreaterThan(0);
    for (const later of ["webhookTarget(", "fastRoute(", "handle(req, res)"]) expect(body.indexOf(later), later).toBeGreaterThan(guard);
  });
});
