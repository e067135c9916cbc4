// The logs API's answers (issue 17: one shape, written once): zod only, so the routes declare
// them as their responses (the OpenAPI document shows real bodies) and the screens import the
// types (components/logs) without the database.
import { z } from "zod";

export const LOG_STATUSES = ["success", "error", "expected"] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export const logListItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  integrationId: z.string().nullable(),
  provider: z.string(),
  action: z.string(),
  direction: z.enum(["outbound", "inbound"]),
  /** "expected": a non-2xx the call expects (a lookup's 404, then create): not a failure */
  status: z.enum(LOG_STATUSES),
  method: z.string().nullable(),
  url: z.string().nullable(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  attempt: z.number().int(),
  error: z.string().nullable(),
  relatedType: z.string().nullable(),
  relatedId: z.string().nullable(),
});
export type LogListItem = z.infer<typeof logListItem>;

export const logList = z.object({ items: z.array(logListItem), nextCursor: z.string().nullable() });

/** One entry with its redacted request and response. */
export const logDetail = logListItem.extend({ request: z.unknown(), response: z.unknown() });
export type LogDetail = z.infer<typeof logDetail>;

/** The action names that appear in the logs (the filter menu). */
export const logActionList = z.object({ items: z.array(z.string()) });
