// lib/http.ts: timeouts, retries, Retry-After, and one redacted log row per attempt.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { request, providerFetch, HttpError, parseRetryAfter, type CallContext } from "@/lib/http";
import { scriptedServer } from "../helpers/scripted-server";
import { freePort } from "@/lib/runtime/embedded-pg";

let srv: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  srv = await scriptedServer();
});
afterAll(() => srv.close());
beforeEach(async () => {
  await db.integrationLog.deleteMany();
  srv.hits.length = 0;
});

const SECRET = "tok_live_abcdefghijklmnop";
const ctx = (over: Partial<CallContext> = {}): CallContext => ({
  provider: "test",
  action: "test.call",
  secrets: [SECRET],
  retry: { baseDelayMs: 5, maxDelayMs: 20 },
  ...over,
});
const logs = () => db.integrationLog.findMany({ orderBy: { id: "asc" } });

describe("lib/http", () => {
  it("logs a successful call with redacted request and response", async () => {
    srv.script("/ok", [{ status: 200, body: JSON.stringify({ access_token: "resp-secret", value: 1, echo: SECRET }) }]);
    const res = await request(ctx({ related: { type: "order", id: "APP-1" } }), {
      method: "POST",
      url: `${srv.url}/ok?api_key=${SECRET}`,
      headers: { Authorization: `Bearer ${SECRET}`, "X-Custom": "visible" },
      body: { password: "pw", nested: { token: "t" }, text: `has ${SECRET}`, amount: 100 },
    });
    expect(res.status).toBe(200);
    expect(res.json<{ value: number }>().value).toBe(1);
    const [log] = await logs();
    expect(log).toMatchObject({ provider: "test", action: "test.call", direction: "outbound", status: "success", method: "POST", statusCode: 200, attempt: 1, relatedType: "order", relatedId: "APP-1" });
    expect(log.durationMs).toBeGreaterThanOrEqual(0);
    const stored = JSON.stringify(log, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain("resp-secret");
    expect(stored).not.toContain('"pw"');
    expect(log.request).toMatchObject({ headers: { Authorization: "[REDACTED]", "X-Custom": "visible" }, body: { password: "[REDACTED]", amount: 100 } });
    expect(log.search).toContain("test.call");
    expect(log.search).toContain("app-1");
    // the server did get the real values
    expect(srv.hits[0].headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it("retries an idempotent call on 5xx and logs every attempt", async () => {
    srv.script("/flaky", [{ status: 503 }, { status: 502 }, { status: 200 }]);
    const res = await request(ctx(), { url: `${srv.url}/flaky` });
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(3);
    const rows = await logs();
    expect(rows.map((r) => [r.attempt, r.statusCode, r.status])).toEqual([
      [1, 503, "error"],
      [2, 502, "error"],
      [3, 200, "success"],
    ]);
  });

  it("gives up after the retry budget and returns the last answer", async () => {
    srv.script("/down", [{ status: 500 }]);
    const res = await request(ctx({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } }), { url: `${srv.url}/down` });
    expect(res.status).toBe(500);
    expect(res.attempts).toBe(3);
    expect(await db.integrationLog.count()).toBe(3);
  });

  it("does not retry a POST unless the caller says it is idempotent", async () => {
    srv.script("/post", [{ status: 503 }, { status: 200 }]);
    const once = await request(ctx(), { method: "POST", url: `${srv.url}/post`, body: {} });
    expect(once.status).toBe(503);
    expect(srv.hits).toHaveLength(1);
    srv.script("/post", [{ status: 503 }, { status: 200 }]);
    const safe = await request(ctx(), { method: "POST", url: `${srv.url}/post`, body: {}, idempotent: true });
    expect(safe.status).toBe(200);
  });

  it("honours Retry-After on 429, and returns the 429 when the wait is too long", async () => {
    srv.script("/limited", [{ status: 429, headers: { "Retry-After": "1" } }, { status: 200 }]);
    const t = Date.now();
    const res = await request(ctx(), { url: `${srv.url}/limited` });
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);

    srv.script("/limited-long", [{ status: 429, headers: { "Retry-After": "3600" } }, { status: 200 }]);
    const long = await request(ctx(), { url: `${srv.url}/limited-long` });
    expect(long.status).toBe(429);
    expect(long.headers.get("retry-after")).toBe("3600");
  });

  it("times out, logs the timeout, and throws HttpError('timeout')", async () => {
    srv.script("/slow", [{ status: 200, delayMs: 1500 }]);
    const err = await request(ctx({ timeoutMs: 200, retry: false }), { url: `${srv.url}/slow` }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe("timeout");
    const [log] = await logs();
    expect(log.status).toBe("error");
    expect(log.statusCode).toBeNull();
    expect(log.error).toMatch(/timed out after 200 ms/);
  });

  it("reports a refused connection as a network error after retrying", async () => {
    const closed = await freePort(); // nothing listens there
    const err = await request(ctx({ retry: { retries: 1, baseDelayMs: 1 } }), { url: `http://127.0.0.1:${closed}/nothing` }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe("network");
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(await db.integrationLog.count()).toBe(2);
  });

  it("stops when the caller cancels", async () => {
    srv.script("/slow2", [{ status: 200, delayMs: 2000 }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await request(ctx({ signal: ac.signal }), { url: `${srv.url}/slow2` }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe("aborted");
  });

  it("speaks HTTP as fetch did: compressed answers decoded, redirects returned not followed, a timeout while the body streams", async () => {
    const { gzipSync, brotliCompressSync } = await import("node:zlib");
    const http = await import("node:http");
    const body = JSON.stringify({ hello: "wörld", n: 1 });
    const server = http.createServer((req, res) => {
      if (req.url === "/gzip") res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(gzipSync(body));
      else if (req.url === "/br") res.writeHead(200, { "content-type": "application/json", "content-encoding": "br" }).end(brotliCompressSync(body));
      else if (req.url === "/moved") res.writeHead(302, { location: "/gzip", "set-cookie": ["a=1", "b=2"] }).end();
      else if (req.url === "/trickle") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("part");
      } else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect((await request(ctx(), { url: `${base}/gzip` })).json()).toEqual({ hello: "wörld", n: 1 });
      expect((await request(ctx(), { url: `${base}/br` })).json()).toEqual({ hello: "wörld", n: 1 });
      const moved = await request(ctx(), { url: `${base}/moved` });
      expect(moved.status).toBe(302);
      expect(moved.headers.get("location")).toBe("/gzip");
      expect(moved.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
      expect((await request(ctx(), { method: "DELETE", url: `${base}/empty` })).status).toBe(204);
      const err = await request(ctx({ timeoutMs: 300, retry: false }), { url: `${base}/trickle` }).catch((e) => e);
      expect(err).toBeInstanceOf(HttpError);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("gives SDKs a fetch that logs each call", async () => {
    srv.script("/sdk", [{ status: 201, body: '{"id":"x1"}' }]);
    const f = providerFetch(ctx({ action: "sdk.create" }));
    const res = await f(`${srv.url}/sdk`, { method: "POST", body: "a=1&secret=zzz", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: "x1" });
    const [log] = await logs();
    expect(log).toMatchObject({ action: "sdk.create", statusCode: 201, status: "success" });
    expect(log.request).toMatchObject({ body: { a: "1", secret: "[REDACTED]" } });
    srv.script("/gone", [{ status: 204, body: "" }]);
    expect((await f(`${srv.url}/gone`)).status).toBe(204);
  });

  it("parses Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
