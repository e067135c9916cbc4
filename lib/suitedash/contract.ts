// The SuiteDash area's API answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the contacts
// screens import the types without the database.
import { z } from "zod";
import { timestamp } from "@/lib/contract";
import { INTEGRATION_MODES, INTEGRATION_STATUSES } from "@/lib/integrations/contract";
import { logListItem } from "@/lib/logs/contract";

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

// ───────────── the website's contact submissions (POST/GET /api/v1/contacts) ─────────────

export const SUBMISSION_STATUSES = ["pending", "synced", "failed", "exported"] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** A submission as it was received and where it went (lib/suitedash/service.ts serialize). */
export const submission = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  serviceInterest: z.string().nullable(),
  message: z.string().nullable(),
  source: z.string().nullable(),
  tags: z.array(z.string()),
  status: z.enum(SUBMISSION_STATUSES),
  /** SuiteDash's id of the contact once synced */
  externalId: z.string().nullable(),
  /** the SuiteDash integration it goes to */
  integrationId: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: timestamp.nullable(),
  syncedAt: timestamp.nullable(),
  /** the import CSV it went out in (Import mode) */
  exportId: z.string().nullable(),
  exportFileName: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Submission = z.infer<typeof submission>;

/** GET /api/v1/contacts: newest first, keyset pages, with the count of every status */
export const submissionList = z.object({ items: z.array(submission), nextCursor: z.string().nullable(), counts: z.record(z.enum(SUBMISSION_STATUSES), z.number().int()) });
export type SubmissionList = z.infer<typeof submissionList>;

/** GET /api/v1/contacts/{id} (and its retry): with the sender's address and browser, and the SuiteDash calls made for it */
export const submissionDetail = submission.extend({
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  logs: z.array(logListItem.pick({ id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true })),
});
export type SubmissionDetail = z.infer<typeof submissionDetail>;
