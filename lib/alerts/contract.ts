// The alerts API's request shapes, shared with the Alerts page's Resolve dialog: zod only (no
// database), so the browser checks the note with the server's own rule before sending it.
import { z } from "zod";
import "@/lib/errors";

/** POST /api/v1/alerts/{id}/resolve */
export const resolveAlertInput = z
  .object({
    /** what was done about it, kept with the alert */
    note: z.string().trim().max(1000, "At most 1000 characters").optional(),
  })
  .strict()
  .default({});
export type ResolveAlertInput = z.output<typeof resolveAlertInput>;
