// The SuiteDash client against its sandbox: upsert by e-mail (create, then update on a second
// submission with the same e-mail; tags attached), the auth headers, test connection (ok and
// 401), 5xx and 429 classified as transient, other 4xx as permanent, keys never in the logs.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SuiteDashError, upsertContact, type ContactInput, type SuiteDashContext } from "@/lib/providers/suitedash/client";
import type { SandboxContact } from "@/lib/providers/suitedash/sandbox";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";

const def = getProvider("suitedash")!;

let n = 0;
async function sdIntegration(secretKey = `sk_${randomBytes(16).toString("hex")}`, config: Record<string, unknown> = {}) {
  const publicId = randomUUID();
  const row = await createIntegration({ provider: "suitedash", name: `SuiteDash ${++n}`, mode: "sandbox", credentials: { publicId, secretKey }, config }, system);
  return { row, publicId, secretKey, ctx: buildContext(row) as unknown as SuiteDashContext };
}

const contacts = async (publicId: string): Promise<SandboxContact[]> =>
  (await (await fetch(`${sandbox().url}/suitedash/__contacts?publicId=${publicId}`)).json()).items;

function input(over: Partial<ContactInput> = {}): ContactInput {
  return { firstName: "Ada", lastName: "Lovelace", email: `ada-${randomBytes(3).toString("hex")}@example.test`, phone: "+44 20 7946 0000", company: "Analytical Ltd", serviceInterest: "Consulting", message: "Hello", source: "website", tags: ["website-lead"], ...over };
}

async function sdError(p: Promise<unknown>): Promise<SuiteDashError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(SuiteDashError);
  return e as SuiteDashError;
}

describe("suitedash provider", () => {
  it("creates a contact (role Lead, custom fields, tags) with the auth headers", async () => {
    const { publicId, secretKey, ctx, row } = await sdIntegration();
    const c = input();
    const r = await upsertContact(ctx, c);
    expect(r).toMatchObject({ created: true, tagged: true });
    const [stored] = await contacts(publicId);
    expect(stored).toMatchObject({
      uid: r.externalId,
      email: c.email,
      first_name: "Ada",
      last_name: "Lovelace",
      role: "Lead",
      send_welcome_email: false,
      company_name: "Analytical Ltd",
      custom_fields: { phone: "+44 20 7946 0000", service_interest: "Consulting", message: "Hello", source: "website" },
      tags: ["website-lead"],
    });
    const seen = (await (await fetch(`${sandbox().url}/__control/requests?provider=suitedash`)).json()).items as { method: string; path: string; headers: Record<string, string> }[];
    const post = seen.find((s) => s.method === "POST" && s.path === "/suitedash/contact")!;
    expect(post.headers["x-public-id"]).toBe(publicId);
    expect(post.headers["x-secret-key"]).toBe(secretKey);
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["suitedash.contact.find", "suitedash.contact.create", "suitedash.contact.tags"]));
    expect(JSON.stringify(logs, (_k, x) => (typeof x === "bigint" ? String(x) : x))).not.toContain(secretKey);
  });

  it("updates the same contact on a second submission with the same e-mail", async () => {
    const { publicId, ctx } = await sdIntegration();
    const first = await upsertContact(ctx, input({ email: "grace@example.test", tags: ["a"] }));
    const second = await upsertContact(ctx, input({ email: "grace@example.test", company: "Navy", tags: ["b"] }));
    expect(second).toMatchObject({ externalId: first.externalId, created: false });
    const all = await contacts(publicId);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ company_name: "Navy", tags: ["a", "b"] });
  });

  it("skips the (unconfirmed) tags endpoint when attachTags is off", async () => {
    const { publicId, ctx } = await sdIntegration(undefined, { attachTags: false });
    const r = await upsertContact(ctx, input());
    expect(r.tagged).toBe(false);
    expect((await contacts(publicId))[0].tags).toEqual([]);
  });

  it("tests the connection, and says so when the keys are rejected (401)", async () => {
    const ok = await sdIntegration();
    const good = await testIntegration(ok.row.id, system);
    expect(good).toMatchObject({ ok: true });
    expect(good.message).toMatch(/Connected to SuiteDash/);

    const bad = await sdIntegration("wrong-secret-key");
    const r = await testIntegration(bad.row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/rejected the Public ID or Secret Key \(401\)/);
    const e = await sdError(upsertContact(bad.ctx, input()));
    expect(e.status).toBe(401);
    expect(e.transient).toBe(false);
  });

  it("classifies 5xx and 429 as transient and a refused request (4xx) as permanent", async () => {
    const { ctx, publicId } = await sdIntegration();
    await fault({ provider: "suitedash", path: "^/suitedash/contact$", method: "POST", status: 503 });
    const e5 = await sdError(upsertContact(ctx, input()));
    expect(e5).toMatchObject({ status: 503, transient: true });
    expect(e5.message).toMatch(/server error \(HTTP 503\)/);

    await fault({ provider: "suitedash", path: "^/suitedash/contact$", method: "POST", status: 429, retryAfter: 7 });
    const e429 = await sdError(upsertContact(ctx, input()));
    expect(e429).toMatchObject({ status: 429, transient: true, retryAfterSeconds: 7 });

    await fault({ provider: "suitedash", path: "^/suitedash/contact$", method: "POST", status: 422, body: { success: false, message: "The email must be a valid email address." } });
    const e422 = await sdError(upsertContact(ctx, input()));
    expect(e422).toMatchObject({ status: 422, transient: false });
    expect(e422.message).toContain("The email must be a valid email address.");
    expect(await contacts(publicId)).toHaveLength(0);

    // GETs are retried by lib/http.ts: one 500 on the lookup is absorbed
    await fault({ provider: "suitedash", path: "^/suitedash/contact/", method: "GET", status: 500 });
    const r = await upsertContact(ctx, input());
    expect(r.created).toBe(true);
  });

  it("describes its config with the import columns and mode defaults", () => {
    const conf = def.config.parse({});
    expect(conf).toEqual({ mode: "api", role: "Lead", sendWelcomeEmail: false, attachTags: true, importColumns: {} });
    expect(() => def.config.parse({ importColumns: { Nope: "x" } })).toThrow();
  });
});
