// The SuiteDash area's API answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the contacts
// screens import the types without the database.
import { z } from "zod";
import { timestamp } from "@/lib/contract";
import { INTEGRATION_MODES, INTEGRATION_STATUSES } from "@/lib/integrations/contract";

// ───────────── Import mode: the CSVs an admin imports in SuiteDash (lib/suitedash/import.ts) ─────────────

/** One column of the import CSV: the submission's field and the header SuiteDash maps it by. */
export const exportColumn = z.object({ key: z.string(), header: z.string() });
export type ExportColumn = z.infer<typeof exportColumn>;

/** A generated CSV (its content is only downloaded, never in a JSON answer). */
export const suiteDashExport = z.object({
  id: z.string(),
  fileName: z.string(),
  columns: z.array(exportColumn),
  contactCount: z.number().int(),
  /** who generated it, by name */
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  /** when an admin said it was imported in SuiteDash, and who */
  markedAt: timestamp.nullable(),
  markedBy: z.string().nullable(),
});
export type SuiteDashExport = z.infer<typeof suiteDashExport>;

/** What the SuiteDash panel shows: the integration, its mode, the CSV's columns. */
export const suiteDashSettings = z.object({
  integration: z
    .object({ id: z.string(), name: z.string(), code: z.string(), mode: z.enum(INTEGRATION_MODES), status: z.enum(INTEGRATION_STATUSES) })
    .nullable(),
  mode: z.enum(["api", "import"]).nullable(),
  columns: z.array(exportColumn),
});
export type SuiteDashSettings = z.infer<typeof suiteDashSettings>;

/** GET /api/v1/suitedash/exports */
export const suiteDashExportList = z.object({ items: z.array(suiteDashExport), settings: suiteDashSettings });
export type SuiteDashExportList = z.infer<typeof suiteDashExportList>;

/** POST /api/v1/suitedash/exports/{id}/mark: the export, and how many submissions became exported */
export const markedSuiteDashExport = suiteDashExport.extend({ submissionsMarked: z.number().int() });
export type MarkedSuiteDashExport = z.infer<typeof markedSuiteDashExport>;
