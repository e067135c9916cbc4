// A provider call whose non-2xx answer is the designed outcome is not a failure (issue 16 item 4).
// SuiteDash's "create or update by e-mail" asks GET /contact/{email} first: a 404 there means
// "no such contact yet, create it". Such a call is logged as expected (not an error), so the
// Overview's error rate and "Need attention", and the Logs page's error filter, count only
// real failures; a real failure of the same call still counts.
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration } from "@/lib/integrations/service";
import { upsertContact, type ContactInput, type SuiteDashContext } from "@/lib/providers/suitedash/client";
import * as healthRoute from "@/app/api/v1/overview/health/route";
import * as callsRoute from "@/app/api/v1/overview/route";
import * as logsRoute from "@/app/api/v1/logs/route";
import { call } from "../helpers/http";
import { createUser, fault, system } from "../helpers/fixtures";

let cookie: string;
beforeAll(async () => {
  cookie = (await createUser("admin")).cookie;
});

function input(): ContactInput {
  return { firstName: "Ada", lastName: "Lovelace", email: `ada-${randomBytes(4).toString("hex")}@example.test`, phone: null, company: null, serviceInterest: null, message: "Hello", source: "website", tags: [] };
}

async function suitedash() {
  const row = await createIntegration(
    { provider: "suitedash", name: `SuiteDash ${randomBytes(2).toString("hex")}`, mode: "sandbox", credentials: { publicId: randomUUID(), secretKey: `sk_${randomBytes(16).toString("hex")}` }, config: {} },
    system,
  );
  return { row, ctx: buildContext(row) as unknown as SuiteDashContext };
}

type HealthItem = { id: string; calls: number; errors: number; errorRate: number | null; attention: string[] };
const health = async (id: string): Promise<HealthItem> =>
  (await call(healthRoute.GET as never, { url: "/api/v1/overview/health?period=24h", cookie })).json.items.find((i: HealthItem) => i.id === id);

describe("expected non-2xx answers", () => {
  it("SuiteDash's contact-not-found lookup is logged as expected and does not count as a failure", async () => {
    const { row, ctx } = await suitedash();
    // five new contacts: each is a lookup that finds nothing (404), then a create
    for (let i = 0; i < 5; i++) expect((await upsertContact(ctx, input())).created).toBe(true);

    const finds = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "suitedash.contact.find" } });
    expect(finds).toHaveLength(5);
    for (const f of finds) expect(f).toMatchObject({ statusCode: 404, status: "expected", error: null });
    expect(await db.integrationLog.count({ where: { integrationId: row.id, status: "error" } })).toBe(0);

    // the Overview: no failed calls, nothing that needs attention
    const h = await health(row.id);
    expect(h).toMatchObject({ calls: 10, errors: 0, errorRate: 0 });
    expect(h.attention).toEqual([]);

    // Logs: not under "error", found under "expected"
    const errors = await call(logsRoute.GET as never, { url: `/api/v1/logs?integrationId=${row.id}&status=error`, cookie });
    expect(errors.status).toBe(200);
    expect(errors.json.items).toHaveLength(0);
    const expected = await call(logsRoute.GET as never, { url: `/api/v1/logs?integrationId=${row.id}&status=expected`, cookie });
    expect(expected.json.items.map((l: { action: string; status: string }) => [l.action, l.status])).toEqual(Array(5).fill(["suitedash.contact.find", "expected"]));

    // the calls chart counts them with the calls that worked, not with the failures
    const calls = await call(callsRoute.GET as never, { url: "/api/v1/overview?period=24h", cookie });
    const totals = (calls.json.calls as { success: number; error: number }[]).reduce((a, b) => ({ success: a.success + b.success, error: a.error + b.error }), { success: 0, error: 0 });
    const all = await db.integrationLog.count({ where: { createdAt: { gte: new Date(calls.json.from) } } });
    const failed = await db.integrationLog.count({ where: { createdAt: { gte: new Date(calls.json.from) }, status: "error" } });
    expect(totals).toEqual({ success: all - failed, error: failed });
  });

  it("a real failure of the same lookup still counts", async () => {
    const { row, ctx } = await suitedash();
    await fault({ provider: "suitedash", path: "/contact/", method: "GET", status: 403, times: 1 });
    await expect(upsertContact(ctx, input())).rejects.toThrow(/403/);
    const [find] = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "suitedash.contact.find" } });
    expect(find).toMatchObject({ statusCode: 403, status: "error", error: "HTTP 403" });
    expect(await health(row.id)).toMatchObject({ calls: 1, errors: 1 });
  });
});
