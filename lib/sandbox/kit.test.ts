// The sandbox kit every emulator delivers its webhooks and keeps its idempotency keys with:
// a signed POST whose answer (or failure) is logged newest first and capped, retries when asked,
// and the providers' idempotency semantics (replay the first answer, refuse another request).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answered, deliveryLog, idempotencyStore, postWebhook, webhookDeliverer } from "@/lib/sandbox/kit";

type Got = { headers: IncomingMessage["headers"]; body: string };
let server: Server;
let base = "";
const got: Got[] = [];
/** what the receiver answers next, per path */
const plan = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      const path = req.url ?? "/";
      if (path === "/slow") return; // never answers
      const status = plan.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain", "validation-token": "vt" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("postWebhook", () => {
  it("an answer: status, headers and body; a refusal and a timeout are answers too, never a throw", async () => {
    plan.set("/a", [500]);
    const bad = await postWebhook(`${base}/a`, { body: "{}", headers: { "content-type": "application/json" } });
    expect(bad).toMatchObject({ ok: false, status: 500, text: "nope", error: null, timedOut: false });
    expect(bad.headers?.get("validation-token")).toBe("vt");
    expect(answered(bad)).toEqual({ ok: false, httpStatus: 500, error: "HTTP 500" });
    expect(answered(bad, "status")).toEqual({ ok: false, status: 500, error: "HTTP 500" });

    const refused = await postWebhook("http://127.0.0.1:9/", { body: "{}" });
    expect(refused).toMatchObject({ ok: false, status: null, headers: null, timedOut: false });
    expect(refused.error).toBeTruthy();
    expect(answered(refused)).toEqual({ ok: false, error: refused.error });

    const slow = await postWebhook(`${base}/slow`, { body: "{}", timeoutMs: 200 });
    expect(slow).toMatchObject({ ok: false, status: null, timedOut: true });
  });

  it("retries only when asked, until a 2xx", async () => {
    plan.set("/r", [503, 502]);
    const before = got.length;
    const once = await postWebhook(`${base}/r`, { body: "1" });
    expect(once.status).toBe(503);
    expect(got.length - before).toBe(1);
    plan.set("/r", [503, 502]);
    const retried = await postWebhook(`${base}/r`, { body: "2", retries: 3, retryDelayMs: 1 });
    expect(retried).toMatchObject({ ok: true, status: 200 });
    expect(got.length - before).toBe(1 + 3);
  });
});

describe("webhookDeliverer", () => {
  it("signs each body, sends the common headers, and logs the emulator's own record newest first, capped", async () => {
    const items: { n: number; ok: boolean; httpStatus?: number; error?: string }[] = [];
    const d = webhookDeliverer<(typeof items)[number]>({
      log: () => items,
      limit: 2,
      headers: { "user-agent": "Acme-Hooks" },
      sign: (body) => ({ "x-signature": `sig(${body})` }),
    });
    for (const n of [1, 2, 3]) await d.deliver(`${base}/w`, JSON.stringify({ n }), { done: (p) => ({ n, ...answered(p) }) });
    expect(items.map((x) => x.n)).toEqual([3, 2]);
    expect(items[0]).toEqual({ n: 3, ok: true, httpStatus: 200 });
    const last = got.at(-1)!;
    expect(last.headers["x-signature"]).toBe('sig({"n":3})');
    expect(last.headers["user-agent"]).toBe("Acme-Hooks");
  });

  it("logFirst: the record is in the log while the POST is in flight, completed in place", async () => {
    const items: { id: string; status: number | null }[] = [];
    const d = webhookDeliverer<(typeof items)[number]>({ log: () => items });
    plan.set("/f", [410]);
    const p = d.deliver(`${base}/f`, undefined, { logFirst: true, start: { id: "x", status: null }, done: (r, rec) => void (rec!.status = r.status) });
    expect(items).toEqual([{ id: "x", status: null }]);
    await p;
    expect(items).toEqual([{ id: "x", status: 410 }]);
    expect(got.at(-1)!.body).toBe("");
  });

  it("deliveryLog filters", () => {
    const items: number[] = [];
    const log = deliveryLog(() => items, 3);
    for (const n of [1, 2, 3, 4, 5]) log.add(n);
    expect(log.list()).toEqual([5, 4, 3]);
    expect(log.list((n) => n % 2 === 1)).toEqual([5, 3]);
  });
});

describe("idempotencyStore", () => {
  it("new, then replay of the first answer for the same request, mismatch for another", () => {
    const map = new Map<string, { fingerprint: string; res: { status: number } }>();
    const keys = idempotencyStore(() => map);
    expect(keys.check("k", "POST /a body")).toEqual({ kind: "new" });
    keys.remember("k", "POST /a body", { status: 201 });
    expect(keys.check("k", "POST /a body")).toEqual({ kind: "replay", res: { status: 201 } });
    expect(keys.check("k", "POST /a other")).toEqual({ kind: "mismatch" });
    expect(keys.check("k2", "POST /a body")).toEqual({ kind: "new" });
  });
});
