// The exports API's request and answer shapes, shared with the Exports page and its New export
// form: zod and the export types' pure filter schemas only (no database, no file system), so the
// browser checks the form with the server's own rules, every field at once, and reads the
// answers' types.
import { z } from "zod";
import { zodDetails } from "@/lib/errors";
import { timestamp } from "@/lib/contract";
import { EXPORT_TYPES, SOURCES, fromSeedFilters, type ExportType } from "@/lib/exports/sources";

export const FORMATS = ["csv", "xlsx", "pdf", "json"] as const;

/** An export type's name as people read it ("Drivers"); a type this version does not know, as it is (other areas: the alerts name failing exports). */
export function exportTypeLabel(type: string): string {
  return (SOURCES as Record<string, { label: string } | undefined>)[type]?.label ?? type;
}

export const createExportInput = z.strictObject({
  type: z.enum(EXPORT_TYPES as [ExportType, ...ExportType[]], { error: `type is one of ${EXPORT_TYPES.join(", ")}` }),
  format: z.enum(FORMATS, { error: `format is one of ${FORMATS.join(", ")}` }),
  filters: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      "The type's filters (from/to as ISO date-times, status, …; an unknown one is refused) and limit (at most this many rows). " +
        "Aliases from the seed's export API: date_from and date_to (YYYY-MM-DD, whole days in UTC) for from and to.",
    ),
  /** CSV only; default EXPORT_CSV_DELIMITER */
  delimiter: z.enum([";", ",", "tab", "|"]).optional(),
});


/**
 * An export type's filters checked: seed 000's aliases (date_from, date_to) read, the type's own
 * schema, and a date range that ends after it starts. Paths are relative to `filters`.
 */
export function checkExportFilters(
  type: ExportType,
  raw: Record<string, unknown>,
): { ok: true; data: Record<string, unknown> } | { ok: false; details: { path: string; message: string }[] } {
  const { filters, problems } = fromSeedFilters(type, raw);
  const r = (SOURCES[type].filters as z.ZodType).safeParse(filters);
  const details = [...problems, ...(r.success ? [] : zodDetails(r.error))];
  const data = r.success ? (r.data as Record<string, unknown>) : undefined;
  if (data && typeof data.from === "string" && typeof data.to === "string" && Date.parse(data.to) <= Date.parse(data.from)) {
    details.push({ path: "to", message: "Until must be later than From" });
  }
  return details.length || !data ? { ok: false, details } : { ok: true, data };
}

// ───────────── the answers (lib/exports/service.ts present) ─────────────

export const EXPORT_STATUSES = ["queued", "running", "completed", "failed", "expired"] as const;

/** An export job: what it copies, how far it got, its file. */
export const exportJob = z.object({
  id: z.string(),
  type: z.enum(EXPORT_TYPES as [ExportType, ...ExportType[]]),
  /** the type's name as people read it ("Drivers") */
  label: z.string(),
  format: z.enum(FORMATS),
  /** the filters it ran with (and the CSV delimiter, when one was chosen) */
  filters: z.record(z.string(), z.unknown()),
  status: z.enum(EXPORT_STATUSES),
  rowsTotal: z.number().int().nullable(),
  rowsDone: z.number().int(),
  /** 0 to 1 */
  progress: z.number(),
  fileName: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  error: z.string().nullable(),
  /** who started it, by name */
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** when the file is removed */
  expiresAt: timestamp.nullable(),
});
export type ExportJob = z.infer<typeof exportJob>;

/** GET /api/v1/exports */
export const exportList = z.object({ items: z.array(exportJob) });
export type ExportList = z.infer<typeof exportList>;
