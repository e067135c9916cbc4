// The 1C OData client against its sandbox: Basic auth and $format=json on every call,
// Cyrillic object names percent-encoded, create (Ref_Key) → get by key → PATCH, search with
// OData string escaping, document posting, DeletionMark; 1C's errors surfaced with its own
// (Russian) text and classified: 401 (not retryable), 404 object vs 404 key, a business
// refusal (not retryable), 5xx and timeouts (retryable; GET/PATCH retried by lib/http.ts,
// a create never); test connection; the mapping's validation and payload rules.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import {
  ODataError,
  createObject,
  eqFilter,
  findByFilter,
  getByKey,
  objectExists,
  postDocument,
  setDeletionMark,
  updateObject,
  type OneCContext,
} from "@/lib/providers/onec/client";
import { parseEqFilter } from "@/lib/providers/onec/sandbox";
import { EMPTY_REF, buildPayload, effectiveMapping, mappingConfig, toOneCDate } from "@/lib/providers/onec/mapping";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";

const def = getProvider("onec")!;
let n = 0;

async function onec(config: Record<string, unknown> = {}, password = `pw-${randomBytes(6).toString("hex")}`) {
  const row = await createIntegration(
    { provider: "onec", name: `1C ${++n}`, mode: "sandbox", credentials: { username: "Администратор", password }, config: { timeoutSeconds: 2, ...config } },
    system,
  );
  return { row, password, ctx: buildContext(row) as unknown as OneCContext };
}

type Seen = { method: string; path: string; headers: Record<string, string>; body: string };
const requests = async (): Promise<Seen[]> => (await (await fetch(`${sandbox().url}/__control/requests?provider=onec`)).json()).items;
const stored = async (infobase: string, object: string): Promise<Record<string, unknown>[]> =>
  (await (await fetch(`${sandbox().url}/onec/__objects?infobase=${infobase}&object=${encodeURIComponent(object)}`)).json()).items;
const control = (path: string, body: unknown) => fetch(`${sandbox().url}/onec/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function odataError(p: Promise<unknown>): Promise<ODataError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ODataError);
  return e as ODataError;
}

describe("1C OData client", () => {
  it("creates, reads, updates and marks for deletion a catalog item with Basic auth, $format=json and an encoded Cyrillic name", async () => {
    const { ctx, row, password } = await onec();
    const { entity } = await createObject(ctx, "Catalog_Контрагенты", { Description: "ООО «Ромашка»", ИНН: "7707083893" });
    expect(entity.Ref_Key).toMatch(/^[0-9a-f-]{36}$/);
    expect(entity.DataVersion).toBeTruthy();

    const seen = (await requests()).find((r) => r.method === "POST" && r.path.startsWith(`/onec/${row.code}/odata/`))!;
    expect(seen.path).toBe(`/onec/${row.code}/odata/standard.odata/Catalog_Контрагенты`);
    // on the wire the name is percent-encoded, with $format=json
    const sent = await db.integrationLog.findFirstOrThrow({ where: { integrationId: row.id, action: "onec.create" } });
    expect(sent.url).toBe(`${sandbox().url}/onec/${row.code}/odata/standard.odata/Catalog_%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82%D1%8B?$format=json`);
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from(`Администратор:${password}`, "utf8").toString("base64")}`);
    expect(JSON.parse(seen.body)).toEqual({ Description: "ООО «Ромашка»", ИНН: "7707083893" });

    const got = await getByKey(ctx, "Catalog_Контрагенты", entity.Ref_Key);
    expect(got.entity).toMatchObject({ Ref_Key: entity.Ref_Key, Description: "ООО «Ромашка»", DeletionMark: false });

    const upd = await updateObject(ctx, "Catalog_Контрагенты", entity.Ref_Key, { Description: "ООО «Ромашка и партнёры»" });
    expect(upd.entity).toMatchObject({ Ref_Key: entity.Ref_Key, Description: "ООО «Ромашка и партнёры»", ИНН: "7707083893" });
    expect(upd.entity!.DataVersion).not.toBe(entity.DataVersion);
    const patch = (await requests()).find((r) => r.method === "PATCH")!;
    expect(patch.path).toContain(`(guid'${entity.Ref_Key}')`);
    expect(patch.path).not.toContain("?"); // query string not in the path
    await setDeletionMark(ctx, "Catalog_Контрагенты", entity.Ref_Key, true);
    expect((await stored(row.code, "Catalog_Контрагенты"))[0]).toMatchObject({ DeletionMark: true });

    // every call asked for JSON and is in the integration log without the password
    const all = await requests();
    expect(all.filter((r) => r.path.includes("/odata/")).length).toBeGreaterThanOrEqual(4);
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["onec.create", "onec.get", "onec.update"]));
    expect(logs.every((l) => l.url?.includes("$format=json") || l.action === "onec.sandbox.user")).toBe(true);
    const text = JSON.stringify(logs, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`Администратор:${password}`, "utf8").toString("base64"));
  });

  it("finds by filter with OData string escaping (a quote doubled), $top and $select", async () => {
    const { ctx } = await onec();
    await createObject(ctx, "Catalog_ФизическиеЛица", { Description: "O'Brien" });
    await createObject(ctx, "Catalog_ФизическиеЛица", { Description: "OBrien" });
    expect(eqFilter({ Description: "O'Brien" })).toBe("Description eq 'O''Brien'");
    expect(eqFilter({ Контрагент_Key: EMPTY_REF, Date: "2026-01-01T00:00:00", Posted: true, N: 5 })).toBe(
      `Контрагент_Key eq guid'${EMPTY_REF}' and Date eq datetime'2026-01-01T00:00:00' and Posted eq true and N eq 5`,
    );
    const { items } = await findByFilter(ctx, "Catalog_ФизическиеЛица", { Description: "O'Brien" }, { select: ["Ref_Key", "Description"] });
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0]).sort()).toEqual(["Description", "Ref_Key"]);
    // the sandbox's own parser agrees with the escaping
    expect(parseEqFilter("Description eq 'O''Brien' and Code eq '001'")).toEqual([["Description", "O'Brien"], ["Code", "001"]]);
    expect(parseEqFilter("Description ne 'x'")).toBeNull();
  });

  it("posts a document; writes zone-less dates; rejects a date with a zone (1C's format)", async () => {
    const { ctx, row } = await onec();
    const { entity } = await createObject(ctx, "Document_ЗаказКлиента", { Date: "2026-03-01T09:30:00", СуммаДокумента: "1500.00" });
    expect(entity).toMatchObject({ Posted: false, Date: "2026-03-01T09:30:00" });
    await postDocument(ctx, "Document_ЗаказКлиента", entity.Ref_Key);
    expect((await stored(row.code, "Document_ЗаказКлиента"))[0]).toMatchObject({ Posted: true });
    const post = (await requests()).find((r) => r.path.endsWith("/Post"))!;
    expect(post.method).toBe("POST");

    const bad = await odataError(createObject(ctx, "Document_ЗаказКлиента", { Date: "2026-03-01T09:30:00Z" }));
    expect(bad).toMatchObject({ kind: "refused", status: 400, retryable: false });
    expect(bad.message).toContain("Неверный формат даты");
  });

  it("surfaces 1C's business error with its Russian text as is, not retryable", async () => {
    const { ctx, row } = await onec();
    await control("__reject", { infobase: row.code, object: "Catalog_Контрагенты", message: "Не заполнено поле ИНН", whenEmpty: "ИНН", code: "-1" });
    const e = await odataError(createObject(ctx, "Catalog_Контрагенты", { Description: "Без ИНН" }));
    expect(e).toMatchObject({ kind: "refused", status: 400, retryable: false });
    expect(e.opts).toMatchObject({ odataCode: "-1", odataMessage: "Не заполнено поле ИНН", object: "Catalog_Контрагенты" });
    expect(e.message).toBe("1C refused to create Catalog_Контрагенты (HTTP 400): Не заполнено поле ИНН");
    expect(e.opts.exchange).toMatchObject({ method: "POST", status: 400, request: { Description: "Без ИНН" }, response: { "odata.error": { message: { value: "Не заполнено поле ИНН" } } } });
    // with the field filled it goes through
    expect((await createObject(ctx, "Catalog_Контрагенты", { Description: "С ИНН", ИНН: "7707083893" })).entity.Ref_Key).toBeTruthy();
  });

  it("says which object 1C does not publish (404 on the set) and tells a missing key apart", async () => {
    const { ctx } = await onec();
    const e = await odataError(createObject(ctx, "Справочник_Контрагенты", { Description: "x" }));
    expect(e).toMatchObject({ kind: "not_found", status: 404, retryable: false });
    expect(e.message).toContain(`1C has no object "Справочник_Контрагенты" in its OData interface`);
    expect((await objectExists(ctx, "Справочник_Контрагенты")).exists).toBe(false);
    expect((await objectExists(ctx, "Catalog_Номенклатура")).exists).toBe(true);

    const gone = await odataError(updateObject(ctx, "Catalog_Номенклатура", "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f", { Description: "x" }));
    expect(gone).toMatchObject({ kind: "not_found", status: 404 });
    expect(gone.message).toContain("has no Catalog_Номенклатура with this Ref_Key");
    expect((await getByKey(ctx, "Catalog_Номенклатура", "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f")).entity).toBeNull();
  });

  it("401: a wrong password is reported with the user name, not retried", async () => {
    const { ctx, row } = await onec();
    // someone changed the password in 1C
    await control("__users", { infobase: row.code, username: "Администратор", password: "changed-in-1c" });
    const before = (await requests()).length;
    const e = await odataError(getByKey(ctx, "Catalog_Контрагенты", "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f"));
    expect(e).toMatchObject({ kind: "auth", status: 401, retryable: false });
    expect(e.message).toContain(`1C rejected the user "Администратор" (HTTP 401)`);
    expect((await requests()).length - before).toBe(1); // a GET, yet not repeated: 401 is not a retry status
  });

  it("5xx: a create is not repeated (it could duplicate), a PATCH is; both are retryable", async () => {
    const { ctx, row } = await onec();
    await fault({ provider: "onec", method: "POST", path: "Catalog_", status: 503 });
    const e = await odataError(createObject(ctx, "Catalog_Контрагенты", { Description: "A" }));
    expect(e).toMatchObject({ kind: "server", status: 503, retryable: true });
    expect(e.message).toContain("Внутренняя ошибка сервера");
    expect(await stored(row.code, "Catalog_Контрагенты")).toHaveLength(0);

    const { entity } = await createObject(ctx, "Catalog_Контрагенты", { Description: "A" });
    await fault({ provider: "onec", method: "PATCH", status: 500 });
    const upd = await updateObject(ctx, "Catalog_Контрагенты", entity.Ref_Key, { Description: "B" });
    expect(upd.entity).toMatchObject({ Description: "B" });
    const patches = (await requests()).filter((r) => r.method === "PATCH" && r.path.startsWith(`/onec/${row.code}/`));
    expect(patches).toHaveLength(2);
  });

  it("accepts 200 or 201 for a create and 200 with the object or 204 for a PATCH (1C's statuses are unconfirmed)", async () => {
    const { ctx } = await onec();
    const key = "0b6f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e";
    await fault({ provider: "onec", method: "POST", status: 200, body: { Ref_Key: key, Description: "x" } });
    expect((await createObject(ctx, "Catalog_Контрагенты", { Description: "x" })).entity.Ref_Key).toBe(key);
    const { entity } = await createObject(ctx, "Catalog_Контрагенты", { Description: "y" });
    await fault({ provider: "onec", method: "PATCH", status: 204, body: "" });
    expect((await updateObject(ctx, "Catalog_Контрагенты", entity.Ref_Key, { Description: "z" })).entity).toBeNull();
  });

  it("a timeout is retryable and says so", async () => {
    const { ctx } = await onec({ timeoutSeconds: 1 });
    await fault({ provider: "onec", method: "POST", delayMs: 1500, status: 201 });
    const e = await odataError(createObject(ctx, "Catalog_Контрагенты", { Description: "slow" }));
    expect(e).toMatchObject({ kind: "timeout", status: 0, retryable: true });
    expect(e.message).toContain("1C did not answer within 1 s");
  });

  it("without $format=json 1C answers Atom XML: the client reports it instead of guessing", async () => {
    const { ctx, row, password } = await onec();
    const res = await fetch(`${sandbox().url}/onec/${row.code}/odata/standard.odata/Catalog_X`, {
      headers: { authorization: `Basic ${Buffer.from(`Администратор:${password}`).toString("base64")}` },
    });
    expect(res.headers.get("content-type")).toContain("atom+xml");
    // and a "success" without a Ref_Key is not taken for one
    await fault({ provider: "onec", method: "POST", status: 201, body: { nothing: true } });
    const e = await odataError(createObject(ctx, "Catalog_Контрагенты", { Description: "x" }));
    expect(e).toMatchObject({ kind: "bad_response" });
    expect(e.message).toContain("no Ref_Key");
  });
});

describe("1C provider", () => {
  it("tests the connection: every mapped object published; names the missing one; 401 with the reason", async () => {
    const ok = await onec();
    const good = await testIntegration(ok.row.id, system);
    expect(good).toMatchObject({ ok: true, message: 'Connected to 1C as "Администратор": 4 mapped objects published' });

    // a typo in the kind: valid as a name, unknown to 1C
    const custom = await onec({ mapping: { driver: { object: "Catalogs_Водители" } } });
    const r = await testIntegration(custom.row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toContain("does not publish Catalogs_Водители");

    await control("__users", { infobase: ok.row.code, username: "Администратор", password: "other" });
    // testIntegration re-registers sandbox users (sandboxConnect): call the test itself
    const bad = await def.testConnection(ok.ctx as never);
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain("HTTP 401");
  });

  it("validates the mapping: unknown source fields, refs a type cannot have, bad object names, posting a catalog", () => {
    const r = def.config.safeParse({
      mapping: {
        company: { fields: { Description: "title", Родитель_Key: { ref: "driver" } }, post: true },
        driver: { object: "Catalog Физлица" },
        application: { fields: { Ref_Key: "id" } },
      },
    });
    expect(r.success).toBe(false);
    const msgs = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringContaining('mapping.company.fields.Description: Unknown company field "title"'),
        expect.stringContaining("mapping.company.fields.Родитель_Key: A company points at no other entity"),
        expect.stringContaining("mapping.company.post: Only documents"),
        expect.stringContaining("mapping.driver.object: An OData object name"),
        "mapping.application.fields.Ref_Key: Ref_Key is 1C's own: it cannot be mapped",
      ]),
    );
    expect(def.config.parse({})).toEqual({ timeZone: "Europe/Moscow", timeoutSeconds: 30, mapping: {} });
    expect(def.config.safeParse({ timeZone: "Mars/Olympus" }).success).toBe(false);
  });

  it("builds payloads: zone-less local dates in the integration's zone, money from minor units as a decimal string, empty refs", () => {
    expect(toOneCDate(new Date("2026-01-15T06:30:00Z"), "Europe/Moscow")).toBe("2026-01-15T09:30:00");
    expect(toOneCDate(new Date("2026-07-01T23:05:09Z"), "Asia/Tashkent")).toBe("2026-07-02T04:05:09");
    const m = effectiveMapping(mappingConfig.parse({}), "application");
    const row = { number: "A-1", pickupAt: new Date("2026-01-15T06:30:00Z"), priceMinor: 150050, currency: "RUB", pickupAddress: "SVO", dropoffAddress: "Кремль" };
    expect(buildPayload(m, row, "Europe/Moscow", { company: null })).toEqual({
      Date: "2026-01-15T09:30:00",
      Number: "A-1",
      Контрагент_Key: EMPTY_REF,
      СуммаДокумента: "1500.50",
      Комментарий: "SVO → Кремль",
    });
    expect(buildPayload(m, { ...row, priceMinor: null }, "Europe/Moscow", { company: "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f" })).toMatchObject({
      СуммаДокумента: "0",
      Контрагент_Key: "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f",
    });
  });

  it("describes itself for the admin form (JSON schema of credentials and config, password secret)", async () => {
    const { describeProvider } = await import("@/lib/integrations/service");
    const d = describeProvider(def);
    expect(d).toMatchObject({ id: "onec", name: "1C:Enterprise (OData)", category: "erp", secretFields: ["password"], modes: ["sandbox", "live"] });
    expect(d.configSchema.properties?.mapping?.type).toBe("object");
    expect(d.syncTypes.map((t) => t.id)).toEqual(["all", "company", "driver", "application", "payment"]);
  });
});
