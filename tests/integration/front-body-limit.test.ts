// The node:http front caps every request body before anything reads it (issue 15 item 14):
// next-auth's /api/auth routes used to read whatever they were sent. The server here is put
// together the way scripts/server.ts does it (limitBody before anything else reads the body),
// with a stand-in for Next.js that reads the whole body the way it does and reports its size.
import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH_BODY_LIMIT_BYTES, bodyLimitFor, limitBody } from "@/lib/body-limit";
import { env } from "@/lib/env";
import { ROUTE_MODULES } from "@/app/api/v1/openapi.json/routes.generated";

let base = "";
let server: http.Server;
const reached: { url: string; bytes: number; sha: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    limitBody(req, res, bodyLimitFor(req.url, env()), () => {
      // like Next.js: read the node stream to its end, then answer
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        reached.push({ url: req.url ?? "", bytes: body.length, sha: createHash("sha256").update(body).digest("hex") });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ bytes: body.length }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

type Answer = { status: number; json: any; ms: number };

/** Posts `body` with a Content-Length, or in chunks without one; resolves with the first answer. */
function post(path: string, body: Buffer, o: { chunked?: boolean } = {}): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(o.chunked ? {} : { "content-length": String(body.length) }) },
    });
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        answered = true;
        const text = Buffer.concat(parts).toString("utf8");
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, ms: Date.now() - started });
      });
    });
    // the server may close the connection while the rest of a refused body is still being sent
    req.on("error", (e) => {
      if (!answered) setTimeout(() => !answered && reject(e), 1000);
    });
    if (!o.chunked) {
      req.end(body);
      return;
    }
    void (async () => {
      for (let at = 0; at < body.length && !req.destroyed && !answered; at += 8192) {
        if (!req.write(body.subarray(at, at + 8192))) await new Promise((r) => req.once("drain", r).once("close", r));
      }
      if (!req.destroyed) req.end();
    })();
  });
}

const MB = randomBytes(1_048_576);

describe("the front's body limit", () => {
  it("answers 413 in the error shape at once when a sign-in post declares 1 MB, without reading it", async () => {
    const before = reached.length;
    const r = await post("/api/auth/callback/credentials", MB);
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: { code: "payload_too_large", message: `The request body exceeds ${AUTH_BODY_LIMIT_BYTES} bytes` } });
    expect(r.ms).toBeLessThan(3000);
    expect(reached.length).toBe(before); // next-auth never saw it
  });

  it("cuts a chunked body without a length as soon as it passes the limit", async () => {
    const before = reached.length;
    const r = await post("/api/auth/callback/credentials", MB, { chunked: true });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe("payload_too_large");
    expect(r.ms).toBeLessThan(3000);
    expect(reached.length).toBe(before);
  });

  it("hands bodies within the limit on whole, chunked or not", async () => {
    const form = Buffer.from(`csrfToken=${"a".repeat(64)}&email=admin%40example.test&password=${"p".repeat(900)}`);
    for (const chunked of [false, true]) {
      const r = await post("/api/auth/callback/credentials", form, { chunked });
      expect(r.status, `chunked: ${chunked}`).toBe(200);
      expect(r.json.bytes).toBe(form.length);
      expect(reached.at(-1)).toMatchObject({ url: "/api/auth/callback/credentials", sha: createHash("sha256").update(form).digest("hex") });
    }
    // a chunked body of exactly the limit passes; one byte more does not
    const exact = randomBytes(AUTH_BODY_LIMIT_BYTES);
    expect((await post("/api/auth/signin", exact, { chunked: true })).status).toBe(200);
    expect((await post("/api/auth/signin", Buffer.concat([exact, Buffer.from("x")]), { chunked: true })).status).toBe(413);
  });

  it("gives the API its own limit (API_BODY_LIMIT_BYTES) and pages the same: 1 MB passes, 1 MB + 1 does not", async () => {
    const over = Buffer.concat([MB, Buffer.from("x")]);
    expect(env().API_BODY_LIMIT_BYTES).toBe(1_048_576);
    expect((await post("/api/v1/integrations", MB)).status).toBe(200);
    expect((await post("/api/v1/integrations", over)).status).toBe(413);
    expect((await post("/api/v1/integrations", over, { chunked: true })).status).toBe(413);
    expect((await post("/login", over, { chunked: true })).status).toBe(413);
  });
});

describe("bodyLimitFor", () => {
  const e = { API_BODY_LIMIT_BYTES: 1000, WEBHOOK_BODY_LIMIT_BYTES: 2000 };
  it("is small for next-auth, WEBHOOK_BODY_LIMIT_BYTES for webhooks, API_BODY_LIMIT_BYTES elsewhere", () => {
    expect(bodyLimitFor("/api/auth/callback/credentials?x=1", e)).toBe(16 * 1024);
    expect(bodyLimitFor("/api/auth", e)).toBe(16 * 1024);
    expect(bodyLimitFor("http://hub.example.com/api/auth/signout", e)).toBe(16 * 1024);
    expect(bodyLimitFor("/api/webhooks/stripe/main", e)).toBe(2000);
    expect(bodyLimitFor("/api/webhooks/receive/abc", e)).toBe(2000);
    expect(bodyLimitFor("/api/v1/integrations", e)).toBe(1000);
    expect(bodyLimitFor("/api/authx", e)).toBe(1000);
    expect(bodyLimitFor("/", e)).toBe(1000);
  });

  it("is never below what an API route accepts itself (route()'s bodyLimit)", () => {
    const e = env();
    let larger = 0;
    for (const { path, module } of ROUTE_MODULES) {
      for (const [method, handler] of Object.entries(module)) {
        const own = (handler as { route?: { bodyLimit?: number } })?.route;
        if (!own || method === "GET") continue;
        const limit = own.bodyLimit ?? e.API_BODY_LIMIT_BYTES;
        if (own.bodyLimit) larger++;
        expect(bodyLimitFor(path, e), `${method} ${path}`).toBeGreaterThanOrEqual(limit);
      }
    }
    expect(larger).toBeGreaterThanOrEqual(3); // the bulk sends and e-mail with attachments
  });

  it("runs in the web server's front before anything reads the body", () => {
    const src = readFileSync("scripts/server.ts", "utf8");
    const front = src.slice(src.indexOf("http.createServer("));
    const cap = front.indexOf("limitBody(req, res, bodyLimitFor(req.url, e), () => serve(req, res))");
    expect(cap).toBeGreaterThan(0);
    const serve = src.slice(src.indexOf("function serve("));
    for (const later of ["webhookTarget(", "fastRoute(", "handle(req, res)"]) expect(serve.indexOf(later), later).toBeGreaterThan(0);
    expect(src.indexOf("function serve(")).toBeGreaterThan(src.indexOf("http.createServer("));
  });
});
