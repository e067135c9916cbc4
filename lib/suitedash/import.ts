// Import mode: "Generate export" writes every unsynced submission (pending or failed) into a
// CSV with the seed's columns (../shared/seeds/001-…), each header renamed as the admin
// configured (SuiteDash's own import template is UNCONFIRMED), stores it as a SuiteDashExport
// with its submissions linked, and "Mark as exported" moves those submissions to exported.
// CSV: RFC 4180 (CRLF, fields quoted when needed), UTF-8 without BOM, and cells that a
// spreadsheet would run as a formula (= + - @ tab CR at the start) prefixed with '.
import { csvRecords, neutralize } from "@/lib/csv";
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { SEED_COLUMNS, type SeedColumn, type SuiteDashConfig } from "@/lib/providers/suitedash/client";
import { activeSuiteDash } from "@/lib/suitedash/service";
import type { ContactSubmission } from "@/generated/prisma/client";


export type ExportColumn = { key: SeedColumn; header: string };

export function columnsFor(config: Pick<SuiteDashConfig, "importColumns"> | null | undefined): ExportColumn[] {
  return SEED_COLUMNS.map((key) => ({ key, header: config?.importColumns?.[key]?.trim() || key }));
}

/** A phone number ("+1 555 0100", "-") is data, not a formula: only digits and separators. */
const PHONE_LIKE = /^[+-]?[0-9 ()./-]*$/;

/** OWASP CSV injection: a leading = + - @ (or tab / CR) makes spreadsheets evaluate the cell. */
export function safeCell(v: string): string {
  return PHONE_LIKE.test(v) && /\d/.test(v) ? v : neutralize(v);
}

function cells(s: ContactSubmission): Record<SeedColumn, string> {
  return {
    ID: s.id,
    "First Name": s.firstName,
    "Last Name": s.lastName,
    Email: s.email,
    Phone: s.phone ?? "",
    Company: s.company ?? "",
    "Service Interest": s.serviceInterest ?? "",
    Message: s.message ?? "",
    Source: s.source ?? "",
    // UNCONFIRMED: the date format SuiteDash's importer expects; ISO 8601 in UTC
    "Created Date": s.createdAt.toISOString(),
    Tags: s.tags.join(", "),
  };
}

export function toCsv(rows: ContactSubmission[], columns: ExportColumn[]): string {
  const header = columns.map((c) => safeCell(c.header));
  const body = rows.map((r) => {
    const c = cells(r);
    return columns.map((col) => safeCell(c[col.key]));
  });
  return csvRecords([header, ...body]);
}

function fileName(at: Date) {
  const p = (n: number) => String(n).padStart(2, "0");
  return `suitedash-contacts-${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}.csv`;
}

function serializeExport(e: { id: string; fileName: string; columns: unknown; contactCount: number; createdBy: string | null; createdAt: Date; markedAt: Date | null; markedBy: string | null }) {
  return { id: e.id, fileName: e.fileName, columns: e.columns as ExportColumn[], contactCount: e.contactCount, createdBy: e.createdBy, createdAt: e.createdAt, markedAt: e.markedAt, markedBy: e.markedBy };
}

/** What the SuiteDash panel shows: the integration, its mode, the CSV headers. */
export async function suiteDashSettings() {
  const sd = await activeSuiteDash();
  return {
    integration: sd ? { id: sd.row.id, name: sd.row.name, code: sd.row.code, mode: sd.row.mode, status: sd.row.status } : null,
    mode: sd?.config.mode ?? null,
    columns: columnsFor(sd?.config),
  };
}

export const listExportsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export async function listExports(q: z.output<typeof listExportsQuery>) {
  const rows = await db.suiteDashExport.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: q.limit, omit: { content: true } });
  return { items: rows.map(serializeExport), settings: await suiteDashSettings() };
}

/** Writes the CSV of every pending/failed submission; 409 in API mode, 422 when there is none. */
export async function generateExport(who: Who) {
  const sd = await activeSuiteDash();
  if (sd && sd.config.mode === "api") {
    throw errors.conflict(`"${sd.row.name}" is in API mode: submissions go to SuiteDash automatically. Switch it to Import mode to export a CSV.`);
  }
  const columns = columnsFor(sd?.config);
  const created = await db.$transaction(async (tx) => {
    const ids = await tx.$queryRaw<{ id: string }[]>`
      select id from contact_submissions where status in ('pending', 'failed') order by created_at, id for update skip locked`;
    if (!ids.length) throw errors.unprocessable("Nothing to export: every submission is already synced or exported");
    const rows = await tx.contactSubmission.findMany({ where: { id: { in: ids.map((r) => r.id) } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const at = new Date();
    const csv = toCsv(rows, columns);
    const e = await tx.suiteDashExport.create({
      data: { fileName: fileName(at), content: Buffer.from(csv, "utf8"), columns, contactCount: rows.length, createdBy: who.actor.label ?? who.actor.id ?? null },
      omit: { content: true },
    });
    await tx.contactSubmission.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { exportId: e.id } });
    return e;
  });
  await audit(who.actor, "suitedash.export.create", "suitedash_export", created.id, { contactCount: created.contactCount, fileName: created.fileName }, who.meta);
  return serializeExport(created);
}

/** The stored CSV as a download (audited: it holds people's contact details). */
export async function downloadExport(id: string, who: Who): Promise<Response> {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Export");
  const e = await db.suiteDashExport.findUnique({ where: { id } });
  if (!e) throw errors.notFound("Export");
  await audit(who.actor, "suitedash.export.download", "suitedash_export", id, { contactCount: e.contactCount, fileName: e.fileName }, who.meta);
  return new Response(new Uint8Array(e.content), {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${e.fileName}"`,
      "Content-Length": String(e.content.byteLength),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** The admin imported the file in SuiteDash: its submissions still unsynced become exported. */
export async function markExported(id: string, who: Who) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Export");
  const result = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string; marked_at: Date | null }[]>`select id, marked_at from suitedash_exports where id = ${id}::uuid for update`;
    if (!locked.length) throw errors.notFound("Export");
    if (locked[0].marked_at) throw errors.conflict("This export is already marked as exported");
    const now = new Date();
    const n = await tx.contactSubmission.updateMany({
      where: { exportId: id, status: { in: ["pending", "failed"] } },
      data: { status: "exported", syncedAt: now, nextAttemptAt: null, error: null },
    });
    const e = await tx.suiteDashExport.update({ where: { id }, data: { markedAt: now, markedBy: who.actor.label ?? who.actor.id ?? null }, omit: { content: true } });
    return { e, marked: n.count };
  });
  await audit(who.actor, "suitedash.export.mark", "suitedash_export", id, { submissions: result.marked }, who.meta);
  return { ...serializeExport(result.e), submissionsMarked: result.marked };
}
