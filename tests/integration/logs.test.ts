// The logs API: every filter, keyset pagination without gaps or repeats, the detail view.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import * as logsRoute from "@/app/api/v1/logs/route";
import * as logRoute from "@/app/api/v1/logs/[id]/route";
import * as actionsRoute from "@/app/api/v1/logs/actions/route";
import { call } from "../helpers/http";
import { createKey, createUser } from "../helpers/fixtures";

const A = randomUUID();
const B = randomUUID();
const base = Date.UTC(2026, 0, 10, 12, 0, 0);
let cookie: string;

beforeAll(async () => {
  cookie = (await createUser("viewer")).cookie;
  await db.integrationLog.deleteMany();
  // 300 rows: two integrations, three actions, errors every 7th, inbound every 5th, one per minute;
  // rows 100-109 share one timestamp to prove the (created_at, id) tie-break
  await db.integrationLog.createMany({
    data: Array.from({ length: 300 }, (_, i) => ({
      createdAt: new Date(base + (i >= 100 && i < 110 ? 100 : i) * 60_000),
      integrationId: i % 2 ? A : B,
      provider: "telegram",
      action: ["telegram.getMe", "telegram.sendMessage", "telegram.getWebhookInfo"][i % 3],
      direction: i % 5 === 0 ? ("inbound" as const) : ("outbound" as const),
      status: i % 7 === 0 ? ("error" as const) : ("success" as const),
      method: "POST",
      url: `https://api.example/bot[REDACTED]/m${i}`,
      statusCode: i % 7 === 0 ? 500 : 200,
      durationMs: i,
      error: i % 7 === 0 ? `boom_${i} 100%_done` : null,
      relatedType: "application",
      relatedId: `APP-${1000 + i}`,
      search: `${["telegram.getme", "telegram.sendmessage", "telegram.getwebhookinfo"][i % 3]} https://api.example/bot[redacted]/m${i} ${i % 7 === 0 ? `boom_${i} 100%_done` : ""} app-${1000 + i}`,
      request: { headers: {}, body: { n: i } },
    })),
  });
});

async function all(params: Record<string, string>) {
  const out: { id: string; createdAt: string }[] = [];
  let cursor: string | null = "";
  let pages = 0;
  while (cursor !== null) {
    const qs: URLSearchParams = new URLSearchParams({ ...params, limit: "37", ...(cursor ? { cursor } : {}) });
    const r: { status: number; text: string; json: { items: { id: string; createdAt: string }[]; nextCursor: string | null } } = await call(logsRoute.GET, { url: `/api/v1/logs?${qs}`, cookie });
    expect(r.status, r.text).toBe(200);
    out.push(...r.json.items);
    cursor = r.json.nextCursor;
    pages++;
    if (pages > 50) throw new Error("no end");
  }
  return out;
}

describe("logs API", () => {
  it("pages through everything newest first, without gaps or repeats, even on equal timestamps", async () => {
    const rows = await all({});
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.id)).size).toBe(300);
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1];
      const b = rows[i];
      expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && BigInt(a.id) > BigInt(b.id))).toBe(true);
    }
  });

  it.each([
    ["integration", { integrationId: A }, 150],
    ["action", { action: "telegram.sendMessage" }, 100],
    ["status", { status: "error" }, 43],
    ["direction", { direction: "inbound" }, 60],
    ["date range", { from: new Date(base + 200 * 60_000).toISOString(), to: new Date(base + 249 * 60_000).toISOString() }, 50],
    ["text in the URL", { q: "/m17" }, 11], // m17, m170-m179
    ["text in a related id, any case", { q: "APP-1042" }, 1],
    ["text with LIKE metacharacters taken literally", { q: "100%_done" }, 43],
    // odd i (A), i % 3 == 0 (getMe), i % 7 == 0 (error), i % 5 != 0 (outbound): 21, 63, 147, 189, 231, 273
    ["everything at once", { integrationId: A, action: "telegram.getMe", status: "error", direction: "outbound", q: "boom" }, 6],
  ])("filters by %s", async (_label, params, expected) => {
    const rows = await all(params as Record<string, string>);
    expect(rows).toHaveLength(expected);
  });

  it("combines filters correctly (checked against the rows)", async () => {
    const rows = await all({ integrationId: B, status: "error" });
    const expected = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 2 === 0 && i % 7 === 0).length;
    expect(rows).toHaveLength(expected);
  });

  it("shows one entry with its redacted request and response", async () => {
    const [first] = (await call(logsRoute.GET, { url: "/api/v1/logs?limit=1", cookie })).json.items;
    const r = await call(logRoute.GET, { url: "/x", cookie, params: { id: first.id } });
    expect(r.json).not.toHaveProperty("search"); // the text filter's index column is not part of the entry
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: first.id, request: { body: { n: expect.any(Number) } } });
    expect((await call(logRoute.GET, { url: "/x", cookie, params: { id: "999999999" } })).status).toBe(404);
    expect((await call(logRoute.GET, { url: "/x", cookie, params: { id: "abc" } })).status).toBe(404);
  });

  it("lists the distinct actions for the filter menu", async () => {
    const r = await call(actionsRoute.GET, { url: "/x", cookie });
    expect(r.json.items).toEqual(["telegram.getMe", "telegram.getWebhookInfo", "telegram.sendMessage"]);
  });

  it("rejects bad filters with 400 in the error shape", async () => {
    for (const qs of ["status=maybe", "limit=0", "limit=5000", "integrationId=nope", "cursor=garbage", "from=2026-02-01&to=2026-01-01", "from=yesterday"]) {
      const r = await call(logsRoute.GET, { url: `/api/v1/logs?${qs}`, cookie });
      expect(r.status, qs).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
    }
  });

  it("is readable with an API key holding logs:read, not without", async () => {
    const { key } = await createKey(["logs:read"]);
    expect((await call(logsRoute.GET, { url: "/api/v1/logs?limit=5", bearer: key })).json.items).toHaveLength(5);
    const { key: other } = await createKey(["jobs:read"]);
    expect((await call(logsRoute.GET, { url: "/api/v1/logs", bearer: other })).status).toBe(403);
  });
});
