// Website contact submissions end to end: POST /api/v1/contacts (validation, per-IP limit),
// stored first, then synced to the SuiteDash sandbox by the workers' dispatcher (API mode:
// upsert by e-mail, failures retried with backoff, 4xx permanent until an operator retries),
// and Import mode: the CSV parsed back with csv-parse (renamed headers, quoting, formula
// protection), download, export history, mark as exported.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration, updateIntegration } from "@/lib/integrations/service";
import type { SandboxContact } from "@/lib/providers/suitedash/sandbox";
import * as contacts from "@/app/api/v1/contacts/route";
import * as one from "@/app/api/v1/contacts/[id]/route";
import * as retry from "@/app/api/v1/contacts/[id]/retry/route";
import * as exportsRoute from "@/app/api/v1/suitedash/exports/route";
import * as download from "@/app/api/v1/suitedash/exports/[id]/download/route";
import * as mark from "@/app/api/v1/suitedash/exports/[id]/mark/route";
import { call } from "../helpers/http";
import { parseCsvStrict } from "../helpers/csv";
import { createKey, createUser, fault, sandbox, system } from "../helpers/fixtures";
import { waitFor } from "../helpers/wait";
import { expectNothingMore } from "../helpers/quiet";
import { runWorkers } from "../helpers/workers";

const running = runWorkers({ env: { SUITEDASH_DISPATCH_MS: "50", CONTACT_SUBMISSIONS_PER_HOUR: "5", SUITEDASH_MAX_ATTEMPTS: "4" } });

let integrationId: string;
const publicId = randomUUID();
let admin: { cookie: string };
let dispatcher: { cookie: string };
let viewer: { cookie: string };

beforeAll(async () => {
  const row = await createIntegration(
    { provider: "suitedash", name: "SuiteDash", mode: "sandbox", credentials: { publicId, secretKey: `sk_${randomBytes(16).toString("hex")}` }, config: { mode: "api" } },
    system,
  );
  integrationId = row.id;
  admin = await createUser("admin");
  dispatcher = await createUser("dispatcher");
  viewer = await createUser("viewer");
});

let ipN = 0;
const freshIp = () => `10.77.${Math.floor(++ipN / 250)}.${ipN % 250}`;
const submit = (body: unknown, ip = freshIp(), extra: { bearer?: string } = {}) =>
  call(contacts.POST as never, { method: "POST", url: "/api/v1/contacts", body, ip, headers: { "user-agent": "WebsiteForm/1.0" }, ...extra });
const person = (over: Record<string, unknown> = {}) => ({
  firstName: "Ada",
  lastName: "Lovelace",
  email: `ada-${randomBytes(4).toString("hex")}@example.test`,
  phone: "+1 555 0100",
  company: "Analytical Engines",
  serviceInterest: "Business consultancy",
  message: "Please call me back",
  source: "website",
  tags: ["website-lead", "consultancy"],
  ...over,
});
const sandboxContacts = async (): Promise<SandboxContact[]> =>
  (await (await fetch(`${sandbox().url}/suitedash/__contacts?publicId=${publicId}`)).json()).items;
const row = (id: string) => db.contactSubmission.findUniqueOrThrow({ where: { id } });
const until = (id: string, pred: (r: Awaited<ReturnType<typeof row>>) => boolean, what: string, ms = 15_000) =>
  waitFor(async () => {
    const r = await row(id);
    return pred(r) ? r : null;
  }, ms, what);

describe("contact submissions", () => {
  it("rejects invalid submissions with the fields named (400) and stores nothing", async () => {
    const before = await db.contactSubmission.count();
    const r = await submit({ firstName: "", lastName: "X", email: "not-an-email", phone: "call me", tags: "x" });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("validation_failed");
    const paths = (r.json.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["firstName", "email", "phone", "tags"]));
    const extra = await submit({ ...person(), admin: true });
    expect(extra.status).toBe(400);
    const notJson = await call(contacts.POST as never, { method: "POST", url: "/api/v1/contacts", rawBody: "a=b", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(notJson.status).toBe(415);
    expect(await db.contactSubmission.count()).toBe(before);
  });

  it("limits submissions per IP (429 with Retry-After); other IPs and API keys are not affected", async () => {
    const ip = "10.99.0.1";
    for (let i = 0; i < 5; i++) expect((await submit(person(), ip)).status).toBe(201);
    const limited = await submit(person(), ip);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // the website's page may read every answer, errors included (CORS, no cookies involved)
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect(limited.headers.get("access-control-expose-headers")).toContain("Retry-After");
    const preflight = await contacts.OPTIONS();
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect((await submit(person(), "10.99.0.2")).status).toBe(201);
    // the website's backend with a contacts:write key: the key's own limit, not the IP's
    const { key, row: keyRow } = await createKey(["contacts:write"]);
    expect((await submit(person(), ip, { bearer: key })).status).toBe(201);
    const noScope = await createKey(["contacts:read"]);
    expect((await submit(person(), ip, { bearer: noScope.key })).status).toBe(403);
    await db.apiKey.deleteMany({ where: { id: { in: [keyRow.id, noScope.row.id] } } });
  });

  it("stores the submission first, then the dispatcher syncs it to SuiteDash; the same e-mail again updates the contact", async () => {
    const email = `grace-${randomBytes(3).toString("hex")}@example.test`;
    const r = await submit({ first_name: "Grace", last_name: "Hopper", email: email.toUpperCase(), tags: ["navy"] }, "10.50.0.1"); // alias (docs/api-compat.md)
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ status: "pending", email, firstName: "Grace", integrationId });
    const stored = await row(r.json.id);
    expect(stored).toMatchObject({ ip: "10.50.0.1", userAgent: "WebsiteForm/1.0" });

    const synced = await until(r.json.id, (x) => x.status === "synced", "synced");
    expect(synced.externalId).toBeTruthy();
    expect(synced).toMatchObject({ attempts: 1, error: null, integrationId });
    expect(synced.syncedAt).toBeInstanceOf(Date);

    const again = await submit({ firstName: "Grace", lastName: "Hopper", email, company: "US Navy", tags: ["cobol"] });
    const second = await until(again.json.id, (x) => x.status === "synced", "second synced");
    expect(second.externalId).toBe(synced.externalId);
    const mine = (await sandboxContacts()).filter((c) => c.email === email);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ uid: synced.externalId, role: "Lead", company_name: "US Navy", tags: ["navy", "cobol"] });

    // the list and the detail, for a viewer
    const list = await call(contacts.GET as never, { url: `/api/v1/contacts?status=synced&q=grace%20hopper`, cookie: viewer.cookie });
    expect(list.status).toBe(200);
    expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([again.json.id, r.json.id]);
    expect(list.json.counts.synced).toBeGreaterThanOrEqual(2);
    const detail = await call(one.GET as never, { url: `/api/v1/contacts/${r.json.id}`, params: { id: r.json.id }, cookie: viewer.cookie });
    expect(detail.json).toMatchObject({ id: r.json.id, status: "synced", ip: "10.50.0.1" });
    expect(detail.json.logs.map((l: { action: string }) => l.action)).toEqual(expect.arrayContaining(["suitedash.contact.find", "suitedash.contact.create", "suitedash.contact.tags"]));
    const paged = await call(contacts.GET as never, { url: `/api/v1/contacts?status=synced&q=grace&limit=1`, cookie: viewer.cookie });
    expect(paged.json.items).toHaveLength(1);
    const page2 = await call(contacts.GET as never, { url: `/api/v1/contacts?status=synced&q=grace&limit=1&cursor=${paged.json.nextCursor}`, cookie: viewer.cookie });
    expect(page2.json.items[0].id).toBe(r.json.id);
  });

  it("a server error fails the submission with the reason, then it is retried with backoff and synced", async () => {
    await fault({ provider: "suitedash", path: "^/suitedash/contact$", method: "POST", status: 503 });
    const r = await submit(person());
    const failed = await until(r.json.id, (x) => x.status === "failed", "failed");
    expect(failed.error).toMatch(/server error \(HTTP 503\)/);
    expect(failed.attempts).toBe(1);
    expect(failed.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() - 1000);
    const synced = await until(r.json.id, (x) => x.status === "synced", "synced after retry");
    expect(synced).toMatchObject({ attempts: 2, error: null });
    expect(synced.externalId).toBeTruthy();
  });

  it("a refused request (4xx) fails at once without retries, until an operator retries it", async () => {
    await fault({ provider: "suitedash", path: "^/suitedash/contact$", method: "POST", status: 422, body: { success: false, message: "The selected role is invalid." } });
    const r = await submit(person());
    const failed = await until(r.json.id, (x) => x.status === "failed", "failed");
    expect(failed).toMatchObject({ attempts: 1, nextAttemptAt: null });
    expect(failed.error).toContain("The selected role is invalid.");
    await expectNothingMore(async () => expect((await row(r.json.id)).attempts).toBe(1), { workers: running.workers });

    const byViewer = await call(retry.POST as never, { method: "POST", url: `/api/v1/contacts/${r.json.id}/retry`, params: { id: r.json.id }, cookie: viewer.cookie });
    expect(byViewer.status).toBe(403);
    const ok = await call(retry.POST as never, { method: "POST", url: `/api/v1/contacts/${r.json.id}/retry`, params: { id: r.json.id }, cookie: dispatcher.cookie });
    expect(ok.status).toBe(200);
    const synced = await until(r.json.id, (x) => x.status === "synced", "synced after manual retry");
    expect(synced.externalId).toBeTruthy();
    const again = await call(retry.POST as never, { method: "POST", url: `/api/v1/contacts/${r.json.id}/retry`, params: { id: r.json.id }, cookie: dispatcher.cookie });
    expect(again.status).toBe(409);
    expect(await db.auditLog.count({ where: { action: "contact.retry", entityId: r.json.id } })).toBe(1);
  });

  it("refuses to export a CSV while the integration is in API mode", async () => {
    const r = await call(exportsRoute.POST as never, { method: "POST", url: "/api/v1/suitedash/exports", cookie: admin.cookie });
    expect(r.status).toBe(409);
    const byDispatcher = await call(exportsRoute.GET as never, { url: "/api/v1/suitedash/exports", cookie: dispatcher.cookie });
    expect(byDispatcher.status).toBe(403);
  });

  it("Import mode: a CSV of every unsynced submission with the renamed headers, quoted and formula-safe; download, history, mark as exported", async () => {
    // let the dispatcher finish what API mode still had, then switch
    await waitFor(async () => (await db.contactSubmission.count({ where: { status: "pending" } })) === 0, 15_000, "nothing pending");
    await updateIntegration(integrationId, { config: { mode: "import", importColumns: { Email: "E-mail Address", "First Name": "Given Name", "Service Interest": "Interested In" } } }, system);

    const tricky = await submit(person({ firstName: "Jean, Jr.", lastName: 'O"Neil', message: 'He said "hi",\nthen left', company: "=HYPERLINK(\"http://evil\")", source: "@SUM(A1)", serviceInterest: "-2+3+cmd|' /C calc'!A0", tags: ["a,b", "c"] }));
    const plain = await submit(person({ phone: "+44 20 7946 0000", tags: [] }));
    // a line break alone (no comma, no quote): RFC 4180 quotes it, or a reader sees three rows
    const multiline = await submit(person({ message: "First line\nsecond line", company: "Line\rbreak" }));
    // the dispatcher must leave them alone now
    await expectNothingMore(async () => expect((await row(tricky.json.id)).status).toBe("pending"), { workers: running.workers, loops: ["suitedash dispatch"] });

    const created = await call(exportsRoute.POST as never, { method: "POST", url: "/api/v1/suitedash/exports", cookie: admin.cookie });
    expect(created.status).toBe(201);
    expect(created.json.fileName).toMatch(/^suitedash-contacts-\d{8}-\d{6}\.csv$/);

    const file = await call(download.GET as never, { url: `/api/v1/suitedash/exports/${created.json.id}/download`, params: { id: created.json.id }, cookie: admin.cookie });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="${created.json.fileName}"`);
    expect(file.text.charCodeAt(0)).not.toBe(0xfeff); // no BOM
    expect(file.text).toContain("\r\n");
    expect(file.text).toContain('"He said ""hi"",\nthen left"');

    // strict: every record has the header's length, quotes are never relaxed
    const records = parseCsvStrict<Record<string, string>>(file.text, { columns: true, bom: false });
    expect(Object.keys(records[0])).toEqual(["ID", "Given Name", "Last Name", "E-mail Address", "Phone", "Company", "Interested In", "Message", "Source", "Created Date", "Tags"]);
    expect(records).toHaveLength(created.json.contactCount);
    const t = records.find((x) => x.ID === tricky.json.id)!;
    expect(t).toMatchObject({
      "Given Name": "Jean, Jr.",
      "Last Name": 'O"Neil',
      Message: 'He said "hi",\nthen left',
      Company: "'=HYPERLINK(\"http://evil\")",
      Source: "'@SUM(A1)",
      "Interested In": "'-2+3+cmd|' /C calc'!A0",
      Phone: "+1 555 0100", // a phone number is data, not a formula
      Tags: "a,b, c",
      "E-mail Address": tricky.json.email,
    });
    expect(new Date(t["Created Date"]).toISOString()).toBe(t["Created Date"]);
    expect(records.find((x) => x.ID === plain.json.id)).toMatchObject({ Phone: "+44 20 7946 0000", Tags: "" });
    expect(records.find((x) => x.ID === multiline.json.id)).toMatchObject({ Message: "First line\nsecond line", Company: "Line\rbreak" });
    // nothing synced or exported is in it
    const ids = records.map((x) => x.ID);
    const inFile = await db.contactSubmission.findMany({ where: { id: { in: ids } } });
    expect(inFile.every((x) => ["pending", "failed"].includes(x.status) && x.exportId === created.json.id)).toBe(true);

    const history = await call(exportsRoute.GET as never, { url: "/api/v1/suitedash/exports", cookie: admin.cookie });
    expect(history.json.items[0]).toMatchObject({ id: created.json.id, contactCount: records.length, markedAt: null });
    expect(history.json.settings).toMatchObject({ mode: "import", integration: { id: integrationId } });
    expect(history.json.items[0].columns[3]).toEqual({ key: "Email", header: "E-mail Address" });

    const marked = await call(mark.POST as never, { method: "POST", url: `/api/v1/suitedash/exports/${created.json.id}/mark`, params: { id: created.json.id }, cookie: admin.cookie });
    expect(marked.status).toBe(200);
    expect(marked.json.submissionsMarked).toBe(records.length);
    const after = await row(tricky.json.id);
    expect(after.status).toBe("exported");
    expect(after.syncedAt).toBeInstanceOf(Date);
    const twice = await call(mark.POST as never, { method: "POST", url: `/api/v1/suitedash/exports/${created.json.id}/mark`, params: { id: created.json.id }, cookie: admin.cookie });
    expect(twice.status).toBe(409);
    const empty = await call(exportsRoute.POST as never, { method: "POST", url: "/api/v1/suitedash/exports", cookie: admin.cookie });
    expect(empty.status).toBe(422);
    expect(await db.auditLog.count({ where: { action: { in: ["suitedash.export.create", "suitedash.export.mark"] }, entityId: created.json.id } })).toBe(2);
  });
});
