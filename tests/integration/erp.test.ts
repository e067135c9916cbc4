// 1C ERP sync end to end against the 1C OData sandbox, through the HTTP API and the
// sync-job system: create then update (same Ref_Key, PATCH), "unchanged" without a call,
// the default mapping (zone-less dates in the integration's zone, money from minor units,
// the company's Ref_Key in the order) and a custom one (renamed object and fields,
// constants, posting), dependencies synced first, 1C's business error surfaced and retried
// with backoff by the automatic sync, 401, a 404 object, a 404 Ref_Key (recreated), 5xx,
// concurrent syncs making one object, the automatic sync taking changed entities only and
// stopping when cancelled, DeletionMark, payments by status, roles and API key scopes.
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { requestSync, runSyncJob } from "@/lib/jobs/sync";
import { syncEntity } from "@/lib/erp/service";
import { runErpSync } from "@/lib/erp/auto";
import { EMPTY_REF } from "@/lib/providers/onec/mapping";
import { buildContext } from "@/lib/integrations/service";
import type { OneCContext } from "@/lib/providers/onec/client";
import * as syncRoute from "@/app/api/v1/erp/sync/route";
import * as statusRoute from "@/app/api/v1/erp/sync/status/route";
import * as linksRoute from "@/app/api/v1/erp/links/route";
import * as linkRoute from "@/app/api/v1/erp/links/[id]/route";
import * as retryRoute from "@/app/api/v1/erp/links/[id]/retry/route";
import * as mappingRoute from "@/app/api/v1/erp/mapping/route";
import * as entitiesRoute from "@/app/api/v1/erp/entities/route";
import { call } from "../helpers/http";
import { createKey, createUser, fault, sandbox, system } from "../helpers/fixtures";
import { snakeKeys } from "../helpers/case";

let admin: { cookie: string };
let dispatcher: { cookie: string };
let viewer: { cookie: string };

let n = 0;
/** a 1C integration on its own sandbox infobase (its code) */
async function onec(config: Record<string, unknown> = {}, opts: { priority?: number } = {}) {
  const password = `pw-${randomBytes(6).toString("hex")}`;
  const row = await createIntegration(
    { provider: "onec", name: `1C ${++n}`, mode: "sandbox", credentials: { username: "Интеграция", password }, config: { timeoutSeconds: 2, ...config }, priority: opts.priority ?? 100 + n },
    system,
  );
  return { row, password, id: row.id, infobase: row.code };
}

const company = (over: Partial<{ name: string; taxId: string | null }> = {}) =>
  db.company.create({ data: { name: over.name ?? `ООО «Ромашка ${randomBytes(2).toString("hex")}»`, taxId: over.taxId === undefined ? `77${Math.floor(Math.random() * 1e8)}` : over.taxId } });
const application = (companyId: string | null, over: Record<string, unknown> = {}) =>
  db.application.create({
    data: {
      number: `A-${randomBytes(3).toString("hex")}`,
      companyId,
      pickupAddress: "Шереметьево, терминал B",
      dropoffAddress: "Красная площадь",
      pickupAt: new Date("2026-03-10T06:30:00Z"),
      priceMinor: 250050,
      currency: "RUB",
      ...over,
    },
  });

const objects = async (infobase: string, object: string): Promise<Record<string, unknown>[]> =>
  (await (await fetch(`${sandbox().url}/onec/__objects?infobase=${infobase}&object=${encodeURIComponent(object)}`)).json()).items;
type Seen = { method: string; path: string; body: string };
const requests = async (infobase: string): Promise<Seen[]> =>
  ((await (await fetch(`${sandbox().url}/__control/requests?provider=onec`)).json()).items as Seen[]).filter((r) => r.path.startsWith(`/onec/${infobase}/odata/`));
const onecControl = (path: string, body: unknown) => fetch(`${sandbox().url}/onec/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const sync = (body: Record<string, unknown>, who: { cookie?: string; bearer?: string } = dispatcher) =>
  call(syncRoute.POST as never, { method: "POST", url: "/api/v1/erp/sync", body, ...who });
const status = (q: Record<string, string>, who: { cookie?: string; bearer?: string } = viewer) =>
  call(statusRoute.GET as never, { url: `/api/v1/erp/sync/status?${new URLSearchParams(q)}`, ...who });

/** a sync job as the scheduler would run it (the row, then the worker's handler) */
async function autoSync(integrationId: string, type = "all") {
  const job = await requestSync(integrationId, { type, trigger: "manual", actor: system.actor });
  await runSyncJob(job.id, { cancelPollMs: 50 });
  return db.syncJob.findUniqueOrThrow({ where: { id: job.id } });
}

/** time passes: the link's retry is due */
const makeDue = (linkId: string) => db.erpLink.update({ where: { id: linkId }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });

beforeAll(async () => {
  admin = await createUser("admin");
  dispatcher = await createUser("dispatcher");
  viewer = await createUser("viewer");
});

describe("1C sync of one entity", () => {
  it("creates, answers unchanged without calling 1C, then updates the same object by PATCH (same Ref_Key); logs every call", async () => {
    const ib = await onec({}, { priority: 1 }); // the default integration from here on
    const c = await company({ name: "ООО «Ромашка»", taxId: "7707083893" });

    const first = await sync({ entity_type: "company", entity_id: c.id }); // alias (docs/api-compat.md)
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ ok: true, operation: "create", status: "synced", object: "Catalog_Контрагенты", integrationId: ib.id, attempts: 0 });
    const refKey = first.json.refKey as string;
    expect(refKey).toMatch(/^[0-9a-f-]{36}$/);
    // the default mapping
    const [stored] = await objects(ib.infobase, "Catalog_Контрагенты");
    expect(stored).toMatchObject({ Ref_Key: refKey, Description: "ООО «Ромашка»", НаименованиеПолное: "ООО «Ромашка»", ИНН: "7707083893", ЮрФизЛицо: "ЮрЛицо" });

    const before = (await requests(ib.infobase)).length;
    const again = await sync({ entity_type: "company", entity_id: c.id }); // alias (docs/api-compat.md)
    expect(again.json).toMatchObject({ ok: true, operation: "unchanged", refKey: refKey, status: "synced" });
    expect(again.json.message).toContain("Unchanged");
    expect((await requests(ib.infobase)).length).toBe(before);

    await db.company.update({ where: { id: c.id }, data: { name: "ООО «Ромашка и партнёры»" } });
    const updated = await sync({ entity_type: "company", entity_id: c.id }); // alias (docs/api-compat.md)
    expect(updated.json).toMatchObject({ ok: true, operation: "update", refKey: refKey });
    const now = await objects(ib.infobase, "Catalog_Контрагенты");
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ Ref_Key: refKey, Description: "ООО «Ромашка и партнёры»" });
    const patch = (await requests(ib.infobase)).find((r) => r.method === "PATCH")!;
    expect(patch.path).toContain(`(guid'${refKey}')`);

    // status: the link and its log, newest first, with request and response
    const st = await status({ entity_type: "company", entity_id: c.id }); // alias (docs/api-compat.md)
    expect(st.status).toBe(200);
    expect(st.json).toMatchObject({ status: "synced", refKey: refKey, entityLabel: "ООО «Ромашка и партнёры»", entityExists: true });
    const ops = st.json.logs.map((l: { operation: string }) => l.operation);
    expect(ops).toEqual(expect.arrayContaining(["find", "create", "update"]));
    const create = st.json.logs.find((l: { operation: string }) => l.operation === "create");
    expect(create).toMatchObject({ ok: true, httpStatus: 201, request: { method: "POST", body: { ИНН: "7707083893" } }, response: { status: 201, body: { Ref_Key: refKey } } });
    expect(create.request.url).toContain("$format=json");
    expect(st.json.logs[0].operation).toBe("update");
    // the password is in no log
    const all = JSON.stringify(await db.erpSyncLog.findMany(), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(all).not.toContain(ib.password);
    const httpLogs = JSON.stringify(await db.integrationLog.findMany({ where: { integrationId: ib.id } }), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(httpLogs).not.toContain(ib.password);
    // the provider calls are linked to the ERP link on the logs page
    expect(await db.integrationLog.count({ where: { integrationId: ib.id, relatedType: "erp_link", relatedId: first.json.link.id } })).toBeGreaterThanOrEqual(3);
  });

  it("adopts an existing 1C counterparty with the same ИНН instead of creating a duplicate", async () => {
    const ib = await onec();
    const ctxRow = await db.integration.findUniqueOrThrow({ where: { id: ib.id } });
    const ctx = buildContext(ctxRow) as unknown as OneCContext;
    const { createObject } = await import("@/lib/providers/onec/client");
    const existing = await createObject(ctx, "Catalog_Контрагенты", { Description: "Ромашка (заведена вручную)", ИНН: "5001234567" });
    const c = await company({ name: "ООО Ромашка", taxId: "5001234567" });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.json).toMatchObject({ ok: true, operation: "update", refKey: existing.entity.Ref_Key });
    expect(r.json.message).toContain("existing 1C object with the same ИНН was linked");
    expect(await objects(ib.infobase, "Catalog_Контрагенты")).toHaveLength(1);
  });

  it("an application syncs its company first and points at its Ref_Key; dates in the integration's zone, money as a decimal string", async () => {
    const ib = await onec({ timeZone: "Asia/Yekaterinburg" });
    const c = await company({ name: "ООО «Вектор»" });
    const a = await application(c.id);
    const r = await sync({ entity_type: "application", entity_id: a.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, operation: "create", object: "Document_ЗаказКлиента" });
    expect(r.json.dependencies).toEqual([{ entityType: "company", entityId: c.id, operation: "create", ok: true, refKey: expect.any(String) }]);
    const companyKey = r.json.dependencies[0].refKey;
    const [doc] = await objects(ib.infobase, "Document_ЗаказКлиента");
    expect(doc).toMatchObject({
      Ref_Key: r.json.refKey,
      Date: "2026-03-10T11:30:00", // 06:30Z in Yekaterinburg (UTC+5), no zone
      Number: a.number,
      Контрагент_Key: companyKey,
      СуммаДокумента: "2500.50",
      Комментарий: "Шереметьево, терминал B → Красная площадь",
      Posted: false,
    });
    // the company's link exists now; a second application reuses it without syncing it again
    const a2 = await application(c.id, { priceMinor: null });
    const r2 = await sync({ entity_type: "application", entity_id: a2.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r2.json.dependencies).toEqual([]);
    expect((await objects(ib.infobase, "Document_ЗаказКлиента")).find((d) => d.Ref_Key === r2.json.refKey)).toMatchObject({ Контрагент_Key: companyKey, СуммаДокумента: "0" });
    // without a company: the empty reference
    const a3 = await application(null);
    const r3 = await sync({ entity_type: "application", entity_id: a3.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect((await objects(ib.infobase, "Document_ЗаказКлиента")).find((d) => d.Ref_Key === r3.json.refKey)).toMatchObject({ Контрагент_Key: EMPTY_REF });
  });

  it("a custom mapping: renamed objects and fields, constants, no default fields, posting; the page's mapping shows it", async () => {
    const mapping = {
      company: { object: "Catalog_Партнеры", replaceFields: true, fields: { Description: "name", КодПоИНН: { source: "taxId", default: "не указан" }, Источник: { const: "Switchboard" }, Активен: { const: true } } },
      application: { object: "Document_ЗаявкаНаТрансфер", fields: { Контрагент_Key: null, Партнер_Key: { ref: "company" }, Пассажиров: "passengers", Number: null }, post: true },
    };
    const ib = await onec({ mapping });
    const c = await company({ name: "ИП Иванов", taxId: null });
    const a = await application(c.id, { passengers: 3 });
    const r = await sync({ entity_type: "application", entity_id: a.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.json).toMatchObject({ ok: true, operation: "create", object: "Document_ЗаявкаНаТрансфер" });
    const [partner] = await objects(ib.infobase, "Catalog_Партнеры");
    expect(partner).toMatchObject({ Description: "ИП Иванов", КодПоИНН: "не указан", Источник: "Switchboard", Активен: true });
    expect(partner).not.toHaveProperty("ИНН");
    expect(partner).not.toHaveProperty("НаименованиеПолное");
    const [doc] = await objects(ib.infobase, "Document_ЗаявкаНаТрансфер");
    expect(doc).toMatchObject({ Партнер_Key: partner.Ref_Key, Пассажиров: 3, СуммаДокумента: "2500.50", Posted: true, Date: "2026-03-10T09:30:00" });
    expect(doc).not.toHaveProperty("Контрагент_Key");
    expect(doc.Number).toBe("000000001"); // 1C numbered it
    const logs = await db.erpSyncLog.findMany({ where: { linkId: r.json.link.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.operation)).toEqual(["create", "post"]);

    const m = await call(mappingRoute.GET as never, { url: `/api/v1/erp/mapping?integration_id=${ib.id}`, cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(m.status).toBe(200);
    const co = m.json.entities.find((e: { entityType: string }) => e.entityType === "company");
    expect(co).toMatchObject({ object: "Catalog_Партнеры", customized: true, match: [] });
    expect(co.fields).toEqual(
      expect.arrayContaining([
        { attribute: "КодПоИНН", kind: "source", source: 'taxId (default "не указан")' },
        { attribute: "Источник", kind: "const", source: 'constant "Switchboard"' },
      ]),
    );
    const app = m.json.entities.find((e: { entityType: string }) => e.entityType === "application");
    expect(app.fields.map((f: { attribute: string }) => f.attribute)).toEqual(["Date", "СуммаДокумента", "Комментарий", "Партнер_Key", "Пассажиров"]);
    expect(app).toMatchObject({ post: true });
    // an invalid mapping is refused when saved, with the path
    const { updateIntegration } = await import("@/lib/integrations/service");
    const bad = await updateIntegration(ib.id, { config: { mapping: { driver: { fields: { Description: "surname" } } } } }, system).catch((e) => e);
    expect(bad.status).toBe(400);
    expect(bad.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "config.mapping.driver.fields.Description" })]));
  });
});

describe("1C failures", () => {
  it("a business error from 1C is surfaced with its text; the automatic sync retries it with backoff and succeeds once the data is fixed", async () => {
    const ib = await onec();
    await onecControl("__reject", { infobase: ib.infobase, object: "Catalog_Контрагенты", message: "Не заполнено поле ИНН", whenEmpty: "ИНН" });
    const c = await company({ name: "Без ИНН", taxId: null });

    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(502);
    expect(r.json.error.code).toBe("provider_error");
    expect(r.json.error.message).toContain("1C refused to create Catalog_Контрагенты (HTTP 400): Не заполнено поле ИНН");
    expect(r.json.error.details).toMatchObject({ ok: false, status: "failed", refKey: null, operation: "create", attempts: 1, httpStatus: 400, odataCode: "-1", errorKind: "refused", retryable: false });
    const linkId = r.json.error.details.link.id;
    const delay1 = new Date(r.json.error.details.nextAttemptAt).getTime() - Date.now();
    expect(delay1).toBeGreaterThan(40_000);
    expect(delay1).toBeLessThan(75_000);
    const log = await db.erpSyncLog.findFirstOrThrow({ where: { linkId, operation: "create" } });
    expect(log).toMatchObject({ ok: false, httpStatus: 400, error: expect.stringContaining("Не заполнено поле ИНН") });
    expect(log.response).toMatchObject({ status: 400, body: { "odata.error": { code: "-1", message: { lang: "ru", value: "Не заполнено поле ИНН" } } } });

    // the next run: not due yet, and unchanged since → left alone
    const run1 = await autoSync(ib.id, "company");
    expect(run1.status).toBe("completed");
    expect((run1.details as { types: Record<string, { waiting: number }> }).types.company.waiting).toBeGreaterThanOrEqual(1);
    expect(await db.erpLink.findUniqueOrThrow({ where: { id: linkId } })).toMatchObject({ attempts: 1, status: "failed" });

    // due: retried, refused again, the backoff doubles
    await makeDue(linkId);
    const run2 = await autoSync(ib.id, "company");
    expect(run2.details).toMatchObject({ retried: 1 });
    // the job's details name what failed in camelCase, like every answer of the API
    expect((run2.details as { errors: unknown[] }).errors).toEqual([{ entityType: "company", entityId: c.id, error: expect.stringContaining("Не заполнено поле ИНН") }]);
    const after2 = await db.erpLink.findUniqueOrThrow({ where: { id: linkId } });
    expect(after2).toMatchObject({ status: "failed", attempts: 2, lastError: expect.stringContaining("Не заполнено поле ИНН") });
    const delay2 = after2.nextAttemptAt!.getTime() - Date.now();
    expect(delay2).toBeGreaterThan(90_000);
    expect(delay2).toBeLessThan(150_000);

    // the data is fixed here: the changed company goes at the next run, whatever the backoff
    await db.company.update({ where: { id: c.id }, data: { taxId: "7801234567" } });
    const run3 = await autoSync(ib.id, "company");
    expect(run3.status).toBe("completed");
    const fixed = await db.erpLink.findUniqueOrThrow({ where: { id: linkId } });
    expect(fixed).toMatchObject({ status: "synced", attempts: 0, nextAttemptAt: null, lastError: null });
    expect((await objects(ib.infobase, "Catalog_Контрагенты")).find((o) => o.Ref_Key === fixed.refKey)).toMatchObject({ ИНН: "7801234567" });
  });

  it("gives up after ERP_MAX_ATTEMPTS; a person's Retry still sends it", async () => {
    const ib = await onec();
    await onecControl("__reject", { infobase: ib.infobase, object: "Catalog_ФизическиеЛица", message: "Ошибка проверки заполнения", times: 100 });
    const d = await db.driver.create({ data: { name: "Пётр Водитель", phone: `+7999${Math.floor(Math.random() * 1e7)}` } });
    const max = Number(process.env.ERP_MAX_ATTEMPTS ?? 6);
    const r = await sync({ entity_type: "driver", entity_id: d.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    const linkId = r.json.error.details.link.id;
    await db.erpLink.update({ where: { id: linkId }, data: { attempts: max - 1 } });
    const last = await syncEntity({ integrationId: ib.id, entityType: "driver", entityId: d.id, who: system });
    expect(last.ok).toBe(false);
    expect(last.link).toMatchObject({ attempts: max, nextAttemptAt: null });
    expect(last.message).toContain(`no more automatic retries after ${max} attempts`);

    await fetch(`${sandbox().url}/onec/__reject?infobase=${ib.infobase}`, { method: "DELETE" });
    const denied = await call(retryRoute.POST as never, { method: "POST", url: `/api/v1/erp/links/${linkId}/retry`, params: { id: linkId }, cookie: viewer.cookie });
    expect(denied.status).toBe(403);
    const retried = await call(retryRoute.POST as never, { method: "POST", url: `/api/v1/erp/links/${linkId}/retry`, params: { id: linkId }, cookie: dispatcher.cookie });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ ok: true, operation: "create", status: "synced", attempts: 0 });
    const audit = await db.auditLog.findFirst({ where: { action: "erp.retry", entityId: d.id } });
    expect(audit).toBeTruthy();
  });

  it("401: the wrong password is surfaced; the automatic sync stops and fails the job (the integration shows the error)", async () => {
    const ib = await onec();
    const c = await company();
    await onecControl("__users", { infobase: ib.infobase, username: "Интеграция", password: "changed-in-1c" });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(502);
    expect(r.json.error.message).toContain('1C rejected the user "Интеграция" (HTTP 401)');
    expect(r.json.error.details).toMatchObject({ errorKind: "auth", httpStatus: 401, status: "failed" });

    const job = await autoSync(ib.id, "company");
    expect(job.status).toBe("failed");
    expect(job.error).toContain("HTTP 401");
    expect(job.processed).toBe(1); // stopped at the first refusal
    expect(await db.integration.findUniqueOrThrow({ where: { id: ib.id } })).toMatchObject({ status: "error", lastError: expect.stringContaining("HTTP 401") });
  });

  it("404 object: a mapping naming an object 1C does not publish says which one", async () => {
    const ib = await onec({ mapping: { driver: { object: "Catalogs_Водители" } } });
    const d = await db.driver.create({ data: { name: "Иван", phone: `+7999${Math.floor(Math.random() * 1e7)}` } });
    const r = await sync({ entity_type: "driver", entity_id: d.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(502);
    expect(r.json.error.message).toContain('1C has no object "Catalogs_Водители" in its OData interface (HTTP 404)');
    expect(r.json.error.details).toMatchObject({ errorKind: "not_found", httpStatus: 404, object: "Catalogs_Водители" });
  });

  it("404 on the Ref_Key: the object was deleted in 1C → created again and recorded", async () => {
    const ib = await onec();
    const c = await company();
    const first = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    const oldKey = first.json.refKey;
    await onecControl("__delete", { infobase: ib.infobase, object: "Catalog_Контрагенты", refKey: oldKey });
    await db.company.update({ where: { id: c.id }, data: { email: "new@example.test", name: `${c.name} (новое)` } });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.json).toMatchObject({ ok: true, operation: "recreate", status: "synced" });
    expect(r.json.refKey).not.toBe(oldKey);
    expect(r.json.message).toContain(`the previous object ${oldKey} was deleted in 1C`);
    const logs = await db.erpSyncLog.findMany({ where: { linkId: r.json.link.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => [l.operation, l.httpStatus])).toEqual(expect.arrayContaining([["update", 404], ["check", 200], ["recreate", 201]]));
    expect(await objects(ib.infobase, "Catalog_Контрагенты")).toHaveLength(1);
  });

  it("5xx on create: failed and retryable; the next run after the backoff creates it once", async () => {
    const ib = await onec();
    const c = await company();
    await fault({ provider: "onec", method: "POST", path: `^/onec/${ib.infobase}/odata/standard.odata/Catalog_`, status: 503 });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(502);
    expect(r.json.error.message).toContain("1C had a server error (HTTP 503)");
    expect(r.json.error.details).toMatchObject({ retryable: true, errorKind: "server", attempts: 1 });
    expect(await objects(ib.infobase, "Catalog_Контрагенты")).toHaveLength(0);
    await makeDue(r.json.error.details.link.id);
    const job = await autoSync(ib.id, "company");
    expect(job.status).toBe("completed");
    const link = await db.erpLink.findUniqueOrThrow({ where: { id: r.json.error.details.link.id } });
    expect(link).toMatchObject({ status: "synced", attempts: 0 });
    // (the run also sent this file's other companies to this fresh infobase)
    expect((await objects(ib.infobase, "Catalog_Контрагенты")).filter((o) => o.Description === c.name)).toHaveLength(1);
  });

  it("a timeout leaves the link failed with a retry scheduled", async () => {
    const ib = await onec({ timeoutSeconds: 1 });
    const c = await company();
    await fault({ provider: "onec", method: "GET", path: `^/onec/${ib.infobase}/`, delayMs: 1500, times: 5 });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.status).toBe(502);
    expect(r.json.error.message).toContain("1C did not answer within 1 s");
    expect(r.json.error.details).toMatchObject({ errorKind: "timeout", retryable: true, nextAttemptAt: expect.any(String) });
  });
});

describe("1C sync under concurrency and automation", () => {
  it("two syncs of one entity at once make one 1C object", async () => {
    const ib = await onec();
    const c = await company();
    // a slow 1C: both syncs are in flight together
    await fault({ provider: "onec", method: "POST", path: `^/onec/${ib.infobase}/odata/standard.odata/Catalog_`, delayMs: 400 });
    const [a, b] = await Promise.all([
      syncEntity({ integrationId: ib.id, entityType: "company", entityId: c.id, who: system }),
      syncEntity({ integrationId: ib.id, entityType: "company", entityId: c.id, who: system }),
    ]);
    expect([a.operation, b.operation].sort()).toEqual(["create", "unchanged"]);
    expect(a.link!.refKey).toBe(b.link!.refKey);
    expect(await objects(ib.infobase, "Catalog_Контрагенты")).toHaveLength(1);
    expect((await requests(ib.infobase)).filter((r) => r.method === "POST")).toHaveLength(1);
    expect(await db.erpLink.count({ where: { integrationId: ib.id, entityId: c.id } })).toBe(1);
  });

  it("the automatic sync takes entities changed since its last run only, and reports progress on the job", async () => {
    const ib = await onec();
    const [x, y] = [await company(), await company()];
    const run1 = await autoSync(ib.id, "company");
    expect(run1.status).toBe("completed");
    const total = await db.company.count();
    expect(run1.processed).toBe(total);
    expect(run1.created).toBe(total);
    expect(await db.erpLink.count({ where: { integrationId: ib.id, entityType: "company", status: "synced" } })).toBe(total);
    const cursor = ((await db.integration.findUniqueOrThrow({ where: { id: ib.id } })).state as { erpCursors: { company: { id: string } } }).erpCursors.company;
    expect(cursor.id).toBeTruthy();

    await db.company.update({ where: { id: x.id }, data: { phone: "+74950000000", name: `${x.name}!` } });
    const before = await requests(ib.infobase);
    const run2 = await autoSync(ib.id, "company");
    expect(run2).toMatchObject({ status: "completed", processed: 1, updated: 1, created: 0, failed: 0 });
    const calls = (await requests(ib.infobase)).slice(0, (await requests(ib.infobase)).length - before.length);
    expect(calls.map((r) => r.method)).toEqual(["PATCH"]);
    const yLink = await db.erpLink.findFirstOrThrow({ where: { integrationId: ib.id, entityId: y.id } });
    expect(await db.erpSyncLog.count({ where: { linkId: yLink.id } })).toBe(2); // find + create, nothing since

    // nothing changed: nothing sent
    const run3 = await autoSync(ib.id, "company");
    expect(run3).toMatchObject({ status: "completed", processed: 0 });
  });

  it("'all' goes in dependency order; a cancelled run stops and resumes from its cursor", async () => {
    const ib = await onec();
    const c = await company();
    await application(c.id);
    const ctx = buildContext(await db.integration.findUniqueOrThrow({ where: { id: ib.id } })) as unknown as OneCContext;
    let progressed = 0;
    const stub = (cancelAfter: number) => ({
      jobId: randomUUID(),
      type: "all",
      progress: async () => {
        progressed++;
      },
      canceled: async () => progressed >= cancelAfter,
    });
    const partial = await runErpSync(ctx, stub(2));
    expect(partial.details).toMatchObject({ canceled: true });
    expect(progressed).toBe(2);
    const companyCursor = ((await db.integration.findUniqueOrThrow({ where: { id: ib.id } })).state as { erpCursors: Record<string, unknown> }).erpCursors;
    expect(Object.keys(companyCursor)).toEqual(["company"]);

    progressed = 0;
    const rest = await runErpSync(ctx, stub(Number.POSITIVE_INFINITY));
    expect(rest.details).not.toHaveProperty("canceled");
    const types = (rest.details as { types: Record<string, { processed: number }> }).types;
    expect(types.company.processed).toBe((await db.company.count()) - 2);
    expect(types.application.processed).toBe(await db.application.count());
    // companies came first: no application had to sync its company itself
    const appLink = await db.erpLink.findFirstOrThrow({ where: { integrationId: ib.id, entityType: "application" } });
    expect(appLink.status).toBe("synced");
  });
});

describe("1C sync: other entities, deletions, API", () => {
  it("payments: only received money goes to 1C (nothing synced for a pending one); a succeeded one brings its company along", async () => {
    const ib = await onec();
    const c = await company();
    const a = await application(c.id);
    const pending = await db.payment.create({ data: { id: randomUUID(), provider: "stripe", amountMinor: 1000, currency: "RUB", status: "pending", applicationId: a.id } });
    const skipped = await sync({ entity_type: "payment", entity_id: pending.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(skipped.json).toMatchObject({ ok: true, operation: "skipped", status: "not_linked", link: null });
    expect(skipped.json.message).toContain("only payments with status succeeded");
    expect(await db.erpLink.count({ where: { integrationId: ib.id } })).toBe(0);

    const paid = await db.payment.create({
      data: { id: randomUUID(), provider: "stripe", providerPaymentId: "pi_123", amountMinor: 250050, currency: "RUB", status: "succeeded", applicationId: a.id, description: "Трансфер", succeededAt: new Date("2026-03-09T21:15:00Z") },
    });
    const r = await sync({ entity_type: "payment", entity_id: paid.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.json).toMatchObject({ ok: true, operation: "create", object: "Document_ПоступлениеБезналичныхДенежныхСредств" });
    // the default payment mapping points at the company (Контрагент_Key): synced first
    expect(r.json.dependencies.map((d: { entityType: string }) => d.entityType)).toEqual(["company"]);
    const companyLink = await db.erpLink.findFirstOrThrow({ where: { integrationId: ib.id, entityType: "company", entityId: c.id } });
    const [doc] = await objects(ib.infobase, "Document_ПоступлениеБезналичныхДенежныхСредств");
    expect(doc).toMatchObject({ Date: "2026-03-10T00:15:00", СуммаДокумента: "2500.50", Контрагент_Key: companyLink.refKey, НазначениеПлатежа: "Трансфер", Комментарий: "stripe pi_123" });
    expect(await objects(ib.infobase, "Catalog_Контрагенты")).toHaveLength(1);
  });

  it("an entity deleted here is marked for deletion in 1C (DeletionMark)", async () => {
    const ib = await onec();
    const c = await company();
    const first = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    await db.company.delete({ where: { id: c.id } });
    const r = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(r.json).toMatchObject({ ok: true, operation: "delete", refKey: first.json.refKey });
    expect((await objects(ib.infobase, "Catalog_Контрагенты"))[0]).toMatchObject({ DeletionMark: true });
    // never linked and gone: 404
    const missing = await sync({ entity_type: "company", entity_id: randomUUID(), integration_id: ib.id }); // alias (docs/api-compat.md)
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe("Company not found");
  });

  it("enforces roles and API key scopes, validates input, lists links with filters and pages", async () => {
    const ib = await onec();
    const c = await company();
    expect((await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }, viewer)).status).toBe(403); // alias (docs/api-compat.md)
    expect((await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }, admin)).status).toBe(200); // alias (docs/api-compat.md)
    const bad = await sync({ entity_type: "invoice", entity_id: "nope" }); // alias (docs/api-compat.md)
    expect(bad.status).toBe(400);
    // the details name the fields by their documented (camelCase) names, whichever name was sent
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["entityId", "entityType"]);
    const notOnec = await createIntegration({ provider: "suitedash", name: "SD", mode: "sandbox", credentials: { publicId: "public-id-1", secretKey: "secret-key-1" } }, system);
    const wrong = await sync({ entity_type: "company", entity_id: c.id, integration_id: notOnec.id }); // alias (docs/api-compat.md)
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.details[0].path).toBe("integrationId");

    const reader = await createKey(["erp:read"]);
    const writer = await createKey(["erp:write"]);
    expect((await status({ entity_type: "company", entity_id: c.id, integration_id: ib.id }, { bearer: reader.key })).status).toBe(200); // alias (docs/api-compat.md)
    expect((await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id }, { bearer: reader.key })).status).toBe(403); // alias (docs/api-compat.md)
    const viaKey = await sync({ entity_type: "company", entity_id: c.id, integration_id: ib.id, force: true }, { bearer: writer.key }); // alias (docs/api-compat.md)
    expect(viaKey.status).toBe(200);
    expect(viaKey.json.operation).toBe("update"); // force: sent although unchanged

    const list = await call(linksRoute.GET as never, { url: `/api/v1/erp/links?integration_id=${ib.id}&limit=1`, cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0]).toMatchObject({ entityType: "company", entityLabel: c.name, integrationName: ib.row.name, status: "synced" });
    expect(list.json.counts).toEqual({ pending: 0, synced: 1, failed: 0 });
    const failedOnly = await call(linksRoute.GET as never, { url: `/api/v1/erp/links?status=failed&entity_type=company&integration_id=${ib.id}`, cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(failedOnly.json.items).toEqual([]);
    const page1 = await call(linksRoute.GET as never, { url: `/api/v1/erp/links?limit=2`, cookie: viewer.cookie });
    expect(page1.json.nextCursor).toBeTruthy();
    const page2 = await call(linksRoute.GET as never, { url: `/api/v1/erp/links?limit=2&cursor=${page1.json.nextCursor}`, cookie: viewer.cookie });
    expect(page2.json.items.map((i: { id: string }) => i.id)).not.toContain(page1.json.items[0].id);

    const one = await call(linkRoute.GET as never, { url: `/api/v1/erp/links/${list.json.items[0].id}`, params: { id: list.json.items[0].id }, cookie: viewer.cookie });
    expect(one.status).toBe(200);
    expect(one.json.logs.length).toBeGreaterThanOrEqual(2);

    const found = await call(entitiesRoute.GET as never, { url: `/api/v1/erp/entities?entity_type=company&q=${encodeURIComponent(c.name.slice(5, 12))}`, cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(found.json.items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect((await status({ entity_type: "driver", entity_id: randomUUID(), integration_id: ib.id })).status).toBe(404); // alias (docs/api-compat.md)
  });
});

describe("1C sync API names: camelCase, the old snake_case names as aliases (docs/api-compat.md)", () => {
  it("takes entityType, entityId and integrationId in the sync body and every query, and refuses both names of one field or an unknown one", async () => {
    const ib = await onec();
    const c = await company();
    const r = await sync({ entityType: "company", entityId: c.id, integrationId: ib.id });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ ok: true, operation: "create" });
    const st = await status({ entityType: "company", entityId: c.id, integrationId: ib.id });
    expect(st.status, st.text).toBe(200);
    expect(st.json.status).toBe("synced");
    const list = await call(linksRoute.GET as never, { url: `/api/v1/erp/links?integrationId=${ib.id}&entityType=company&entityId=${c.id}`, cookie: viewer.cookie });
    expect(list.status, list.text).toBe(200);
    expect(list.json.items).toHaveLength(1);
    const m = await call(mappingRoute.GET as never, { url: `/api/v1/erp/mapping?integrationId=${ib.id}`, cookie: viewer.cookie });
    expect(m.status, m.text).toBe(200);
    const found = await call(entitiesRoute.GET as never, { url: `/api/v1/erp/entities?entityType=company&q=${encodeURIComponent(c.name.slice(5, 12))}`, cookie: viewer.cookie });
    expect(found.json.items.map((i: { id: string }) => i.id)).toContain(c.id);

    const both = await sync({ entityType: "company", entity_type: "company", entityId: c.id });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "entity_type", message: 'Both "entityType" and its old name "entity_type" were sent: keep "entityType" and leave out "entity_type"' }]);
    const bothQuery = await status({ entityType: "company", entityId: c.id, entity_id: c.id });
    expect(bothQuery.status).toBe(400);
    expect(bothQuery.json.error.details[0].path).toBe("entity_id");
    // the answers are camelCase: the outcome, the status, the list and the mapping
    for (const answer of [r.json, st.json, list.json, m.json]) expect(snakeKeys(answer)).toEqual([]);
    const unknown = await sync({ entityType: "company", entityId: c.id, entityID: c.id });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "entityID"');
  });
});
