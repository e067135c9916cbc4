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

// ───────────── events (lib/events.ts) ─────────────

/**
 * "alert.raised": an open alert claimed for telling the admins, once per alert (written in the
 * claim's transaction: lib/alerts/service.ts notifyAlert). Messaging subscribes and queues the
 * notices (lib/messaging/bindings.ts); `subject` and `text` are what people read.
 */
export const ALERT_RAISED = "alert.raised";
export const alertRaisedEvent = z.object({
  alertId: z.uuid(),
  rule: z.string(),
  severity: z.string(),
  title: z.string(),
  /** the e-mail's subject and the Telegram message's first line */
  subject: z.string(),
  /** the message, with links to where a person looks into it */
  text: z.string(),
  /** what the notices are about (the integration, or the alert itself) */
  related: z.object({ type: z.string(), id: z.string() }),
});
export type AlertRaised = z.infer<typeof alertRaisedEvent>;
