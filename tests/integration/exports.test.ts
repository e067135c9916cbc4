// Exports through the API on a real PostgreSQL, each format opened by a real reader: CSV
// (csv-parse), XLSX (exceljs), PDF (pdf.js text extraction), JSON; escaping and formula
// injection, money in 0- and 2-decimal currencies, large exports as jobs with progress, a
// 100,000-row export with flat memory, limits, expiry and permissions.
import { beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { seedDemoData } from "@/lib/runtime/seed";
import { expireExports, exportsDir, runExport } from "@/lib/exports/service";
import * as exportsRoute from "@/app/api/v1/exports/route";
import * as one from "@/app/api/v1/exports/[id]/route";
import * as download from "@/app/api/v1/exports/[id]/download/route";
import { createKey, createUser } from "../helpers/fixtures";
import { waitFor } from "../helpers/wait";
import { NextRequest } from "next/server";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { call } from "../helpers/http";
import { parseCsvStrict } from "../helpers/csv";
import { runWorkers, withEnv } from "../helpers/workers";

runWorkers({ env: { EXPORT_DIR: mkdtempSync(path.join(os.tmpdir(), "sb-exports-")), EXPORT_INLINE_ROWS: "5000" } });

let key: string;
const TRICKY = 'Terminal "D"; gate 5\nthen left';
// a line break alone (no delimiter, no quote) must be quoted too (RFC 4180), or a reader splits the row
const NEWLINE = "Terminal 1\nDeparture hall";
const FORMULA = '=HYPERLINK("http://evil.example","click")';
beforeAll(async () => {
  await seedDemoData();
  // the exports' own scopes and the read scope of every type's data (see "data scopes")
  key = (await createKey(["exports:read", "exports:write", "tracking:read", "payments:read", "contacts:read", "messages:read", "logs:read"])).key;
  const d = await db.driver.findFirstOrThrow();
  await db.application.create({ data: { number: "APP-TRICKY", status: "completed", pickupAddress: TRICKY, dropoffAddress: FORMULA, pickupAt: new Date("2026-01-02T03:04:05Z"), passengers: 3, priceMinor: 123456, currency: "RUB", driverId: d.id, notes: "x" } });
  await db.application.create({ data: { number: "APP-NEWLINE", status: "completed", pickupAddress: NEWLINE, dropoffAddress: "Gate 5\r\nArrivals", pickupAt: new Date("2026-01-04T00:00:00Z"), priceMinor: 100, currency: "RUB" } });
  await db.application.create({ data: { number: "APP-KIRILL", status: "completed", pickupAddress: "Москва, Красная площадь", dropoffAddress: "-1+2", pickupAt: new Date("2026-01-03T00:00:00Z"), priceMinor: 5000, currency: "JPY" } });
});

/** POSTs an export and returns the raw response (a file, or the job). */
async function run(body: unknown, auth: { bearer?: string; cookie?: string } = { bearer: key }) {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: "10.0.0.1", "content-type": "application/json" };
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  return exportsRoute.POST(new NextRequest("http://localhost:3000/api/v1/exports", { method: "POST", headers, body: JSON.stringify(body) }) as never, { params: Promise.resolve({}) } as never);
}
async function file(res: Response) {
  expect(res.status, res.status >= 400 ? await res.clone().text() : "").toBe(200);
  return Buffer.from(await res.arrayBuffer());
}
const appCount = async () => (await pgPool().query<{ n: number }>("select count(*)::int as n from applications")).rows[0].n;

describe("formats", () => {
  it("CSV: UTF-8 with BOM, ';', quoting, formulas neutralised, decimal comma, every row", async () => {
    const res = await run({ type: "applications", format: "csv" });
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="applications-.*\.csv"/);
    const buf = await file(res);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsvStrict<string[]>(buf, { bom: true, delimiter: ";" });
    expect(rows[0]).toEqual(["Number", "Status", "Pickup at (UTC)", "Pickup", "Drop-off", "Passengers", "Price", "Currency", "Company", "Contact", "Driver", "Vehicle", "Created (UTC)"]);
    expect(rows.length - 1).toBe(await appCount());
    const tricky = rows.find((r) => r[0] === "APP-TRICKY")!;
    expect(tricky[3]).toBe(TRICKY); // quotes, ';' and a newline survive
    expect(tricky[4]).toBe(`'${FORMULA}`); // never a formula
    expect(tricky[2]).toBe("2026-01-02 03:04:05");
    expect(tricky[6]).toBe("1234,56");
    const newline = rows.find((r) => r[0] === "APP-NEWLINE")!;
    expect(newline[3]).toBe(NEWLINE);
    expect(newline[4]).toBe("Gate 5\r\nArrivals");
    expect(rows.every((r) => r.length === rows[0].length)).toBe(true);
    const kirill = rows.find((r) => r[0] === "APP-KIRILL")!;
    expect(kirill[3]).toBe("Москва, Красная площадь");
    expect(kirill[4]).toBe("'-1+2");
    expect(kirill[6]).toBe("5000"); // JPY has no decimals

    const comma = await file(await run({ type: "applications", format: "csv", delimiter: "," }));
    const r2 = parseCsvStrict<string[]>(comma, { bom: true, delimiter: "," });
    expect(r2.find((r) => r[0] === "APP-TRICKY")![6]).toBe("1234.56");
  });

  it("XLSX: typed cells, header row, widths, frozen header", async () => {
    const buf = await file(await run({ type: "applications", format: "xlsx", filters: { status: ["completed"] } }));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as never);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe("Number");
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(ws.getColumn(4).width).toBe(32);
    const completed = (await pgPool().query<{ n: number }>("select count(*)::int as n from applications where status = 'completed'")).rows[0].n;
    expect(ws.actualRowCount - 1).toBe(completed);
    let tricky: ExcelJS.Row | undefined;
    ws.eachRow((r) => {
      if (r.getCell(1).value === "APP-TRICKY") tricky = r;
    });
    expect(tricky!.getCell(3).value).toEqual(new Date("2026-01-02T03:04:05Z"));
    expect(tricky!.getCell(6).value).toBe(3);
    expect(tricky!.getCell(7).value).toBe(1234.56);
    expect(tricky!.getCell(7).numFmt).toBe("#,##0.00");
    expect(tricky!.getCell(4).value).toBe(TRICKY);
  });

  it("PDF: title, filters, the rows, page numbers; Cyrillic prints", async () => {
    const buf = await file(await run({ type: "applications", format: "pdf" }));
    expect(buf.subarray(0, 5).toString()).toBe("%PDF-");
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const doc = await pdfjs.getDocument({ data: new Uint8Array(buf), useSystemFonts: false, disableFontFace: true }).promise;
    let all = "";
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      all += content.items.map((x) => ("str" in x ? x.str : "")).join(" ") + "\n";
    }
    expect(all).toContain("Orders (applications)");
    expect(all).toContain("Filters: none");
    expect(all).toContain("APP-TRICKY");
    expect(all).toContain("Москва");
    expect(all).toContain(`Page ${doc.numPages}`);
    expect(doc.numPages).toBeGreaterThanOrEqual(1);
  });

  it("JSON: a streamed array with exact amounts", async () => {
    await db.payment.createMany({
      data: [
        { id: crypto.randomUUID(), provider: "stripe", amountMinor: 1250, currency: "USD", status: "succeeded", capturedMinor: 1250 },
        { id: crypto.randomUUID(), provider: "stripe", amountMinor: 1000, currency: "JPY", status: "pending" },
      ],
    });
    const buf = await file(await run({ type: "payments", format: "json", filters: { provider: "stripe" } }));
    const items = JSON.parse(buf.toString("utf8")) as Record<string, unknown>[];
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.find((p) => p.currency === "USD" && p.amount_minor === "12.50")).toMatchObject({ captured_minor: "12.50", status: "succeeded" });
    expect(items.find((p) => p.currency === "JPY")).toMatchObject({ amount_minor: "1000" });
  });
});

describe("jobs and limits", () => {
  it("a large export becomes a job with progress, then downloads", async () => {
    await withEnv({ EXPORT_INLINE_ROWS: "10" }, async () => {
      const res = await run({ type: "applications", format: "xlsx" });
      expect(res.status).toBe(202);
      const job = (await res.json()) as { id: string; status: string; rowsTotal: number };
      expect(job).toMatchObject({ status: "queued", rowsTotal: await appCount() });
      const done = await waitFor(async () => {
        const r = await call(one.GET as never, { url: `/api/v1/exports/${job.id}`, params: { id: job.id }, bearer: key });
        return r.json.status === "completed" ? r.json : null;
      }, 20_000, "the export job");
      expect(done).toMatchObject({ progress: 1, rowsDone: await appCount() });
      expect(done.sizeBytes).toBeGreaterThan(1000);
      const dl = await download.GET(new NextRequest(`http://localhost:3000/api/v1/exports/${job.id}/download`, { headers: { authorization: `Bearer ${key}`, [CLIENT_IP_HEADER]: "10.0.0.1" } }) as never, { params: Promise.resolve({ id: job.id }) } as never);
      expect(dl.status).toBe(200);
      expect(Number(dl.headers.get("content-length"))).toBe(done.sizeBytes);
    });
  });

  it("refuses too many rows with the reason, and a PDF that would be huge", async () => {
    await withEnv({ EXPORT_MAX_ROWS: "5" }, async () => {
      const res = await run({ type: "applications", format: "csv" });
      expect(res.status).toBe(422);
      const text = await res.text();
      // the Exports screen shows this to people: the limit in words, not the setting's name
      expect(text).toContain("more than the 5 an export may hold: narrow the filters");
      expect(text).not.toContain("EXPORT_MAX_ROWS");
    });
    const bad = await run({ type: "applications", format: "docx", filters: { status: ["flying"] } });
    expect(bad.status).toBe(400);
    const badFilter = await run({ type: "applications", format: "csv", filters: { status: ["flying"] } });
    expect(badFilter.status).toBe(400);
    expect(await badFilter.text()).toContain("filters.status");
  });

  it("expired files are removed and no longer download", async () => {
    const res = await run({ type: "vehicles", format: "csv" });
    const id = res.headers.get("x-export-id")!;
    await res.arrayBuffer();
    expect(existsSync(path.join(exportsDir(), `${id}.csv`))).toBe(true);
    await pgPool().query("update export_jobs set expires_at = now() - interval '1 second' where id = $1", [id]);
    expect(await expireExports()).toBeGreaterThanOrEqual(1);
    expect(existsSync(path.join(exportsDir(), `${id}.csv`))).toBe(false);
    const dl = await call(download.GET as never, { url: `/api/v1/exports/${id}/download`, params: { id }, bearer: key });
    expect(dl.status).toBe(410);
  });

  it("roles: viewers read and download, dispatchers and admins export; no session, no file", async () => {
    const viewer = await createUser("viewer");
    expect((await run({ type: "drivers", format: "csv" }, { cookie: viewer.cookie })).status).toBe(403);
    const list = await call(exportsRoute.GET as never, { url: "/api/v1/exports", cookie: viewer.cookie });
    expect(list.status).toBe(200);
    const id = list.json.items.find((x: { status: string }) => x.status === "completed").id;
    expect((await call(download.GET as never, { url: `/api/v1/exports/${id}/download`, params: { id }, cookie: viewer.cookie })).status).toBe(200);
    expect((await call(download.GET as never, { url: `/api/v1/exports/${id}/download`, params: { id } })).status).toBe(401);
    const dispatcher = await createUser("dispatcher");
    expect((await run({ type: "drivers", format: "csv" }, { cookie: dispatcher.cookie })).status).toBe(200);
    const readOnly = (await createKey(["exports:read"])).key;
    expect((await run({ type: "drivers", format: "csv" }, { bearer: readOnly })).status).toBe(403);
  });
});

describe("file modes", () => {
  it("export files are 0600 in a 0700 directory, whatever the umask and the directory's old mode", async () => {
    const dir = exportsDir();
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777); // left looser by an older version or by hand
    const old = process.umask(0); // nothing masked: the product alone decides the modes
    try {
      for (const format of ["csv", "xlsx"] as const) {
        const res = await run({ type: "vehicles", format });
        expect(res.status).toBe(200);
        const id = res.headers.get("x-export-id")!;
        await res.arrayBuffer();
        expect((statSync(path.join(dir, `${id}.${format}`)).mode & 0o777).toString(8), format).toBe("600");
      }
      expect((statSync(dir).mode & 0o777).toString(8)).toBe("700");
    } finally {
      process.umask(old);
    }
  });
});

describe("data scopes", () => {
  const jobCount = async () => (await pgPool().query<{ n: number }>("select count(*)::int as n from export_jobs")).rows[0].n;

  it("an export needs its data's read scope too: to create it, list it, read it and download it", async () => {
    const bare = (await createKey(["exports:read", "exports:write"])).key;
    for (const [type, scope] of [
      ["payments", "payments:read"],
      ["contacts", "contacts:read"],
      ["logs", "logs:read"],
    ] as const) {
      const before = await jobCount();
      const refused = await run({ type, format: "csv" }, { bearer: bare });
      expect(refused.status, type).toBe(403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("forbidden");
      expect(body.error.message).toContain(`"${scope}"`);
      expect(await jobCount(), `${type}: nothing written on a refused request`).toBe(before);

      // with the data scope the same export works
      const full = (await createKey(["exports:read", "exports:write", scope])).key;
      const ok = await run({ type, format: "csv" }, { bearer: full });
      expect(ok.status, type).toBe(200);
      const id = ok.headers.get("x-export-id")!;
      await ok.arrayBuffer();

      // the export now exists: a key without the data scope neither downloads, reads nor lists it
      const dl = await call(download.GET as never, { url: `/api/v1/exports/${id}/download`, params: { id }, bearer: bare });
      expect(dl.status, type).toBe(403);
      expect(dl.json.error.message).toContain(`"${scope}"`);
      expect((await call(one.GET as never, { url: `/api/v1/exports/${id}`, params: { id }, bearer: bare })).status).toBe(403);
      expect((await call(one.DELETE as never, { method: "DELETE", url: `/api/v1/exports/${id}`, params: { id }, bearer: bare })).status).toBe(403);
      const hidden = await call(exportsRoute.GET as never, { url: "/api/v1/exports?limit=200", bearer: bare });
      expect(hidden.status).toBe(200);
      expect(hidden.json.items.map((x: { id: string }) => x.id)).not.toContain(id);

      const shown = await call(exportsRoute.GET as never, { url: "/api/v1/exports?limit=200", bearer: full });
      expect(shown.json.items.map((x: { id: string }) => x.id)).toContain(id);
      expect(shown.json.items.every((x: { type: string }) => x.type === type)).toBe(true);
      expect((await call(download.GET as never, { url: `/api/v1/exports/${id}/download`, params: { id }, bearer: full })).status).toBe(200);
    }
  });

  it("every export type names the read permission and scope of its data", async () => {
    const { SOURCES } = await import("@/lib/exports/sources");
    const { SCOPES } = await import("@/lib/auth/scopes");
    const { PERMISSIONS } = await import("@/lib/auth/roles");
    for (const [type, s] of Object.entries(SOURCES)) {
      const read = (s as { read?: { permission: string; scope: string } }).read;
      expect(read, type).toBeDefined();
      expect(Object.keys(PERMISSIONS), type).toContain(read!.permission);
      expect(Object.keys(SCOPES), type).toContain(read!.scope);
      expect(read!.scope.startsWith("exports:"), type).toBe(false);
    }
  });
});

describe("size", () => {
  it("100,000 rows to XLSX and CSV with flat memory", async () => {
    await pgPool().query(
      `insert into applications (number, status, pickup_address, dropoff_address, pickup_at, passengers, price_minor, currency, updated_at)
       select 'BULK-' || g, 'completed', 'Sheremetyevo, terminal ' || (g % 5), 'Red Square ' || g, now() - g * interval '1 minute', 1 + g % 4, 250000 + g, 'RUB', now()
         from generate_series(1, 100000) g`,
    );
    for (const format of ["xlsx", "csv"] as const) {
      const job = (
        await pgPool().query<{ id: string }>(`insert into export_jobs (type, format, filters, rows_total) values ('applications', $1, '{}', $2) returning id`, [format, await appCount()])
      ).rows[0];
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      await runExport(job.id);
      clearInterval(t);
      const j = (await pgPool().query("select status, rows_done, error from export_jobs where id = $1", [job.id])).rows[0];
      expect(j, JSON.stringify(j)).toMatchObject({ status: "completed" });
      expect(j.rows_done).toBeGreaterThanOrEqual(100_000);
      // the whole file is tens of MB; what the process holds while writing it stays small
      expect((peak - base) / 1024 / 1024, `${format}: peak RSS growth`).toBeLessThan(150);
    }
  }, 180_000);
});
