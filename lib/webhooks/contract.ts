// The webhook inbox API's answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the Webhooks
// page imports the types without the database.
import { z } from "zod";
import { timestamp } from "@/lib/contract";

export const WEBHOOK_STATUSES = ["pending", "processing", "completed", "failed", "ignored", "rejected"] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** One inbound event in the list: what arrived, how it was verified, how processing went. */
export const webhookItem = z.object({
  id: z.string(),
  receivedAt: timestamp,
  /** null once the integration is deleted: the history stays */
  integrationId: z.string().nullable(),
  integration: z.object({ name: z.string(), code: z.string() }).nullable(),
  provider: z.string(),
  eventType: z.string(),
  /** the provider's own event id, when it sends one */
  externalId: z.string().nullable(),
  status: z.enum(WEBHOOK_STATUSES),
  signatureVerified: z.boolean(),
  /** which scheme verified it, or why it was rejected */
  verification: z.string(),
  attempts: z.number().int(),
  maxRetries: z.number().int(),
  /** duplicate deliveries answered 2xx without processing */
  duplicates: z.number().int(),
  /** manual retries and replays */
  replays: z.number().int(),
  nextAttemptAt: timestamp.nullable(),
  processedAt: timestamp.nullable(),
  lastError: z.string().nullable(),
  sourceIp: z.string().nullable(),
});
export type WebhookItem = z.infer<typeof webhookItem>;

/** GET /api/v1/webhooks: newest first, keyset-paged */
export const webhookList = z.object({ items: z.array(webhookItem), nextCursor: z.string().nullable() });
export type WebhookList = z.infer<typeof webhookList>;

/** One processing attempt, or an admin's retry or replay request (`by`). */
export const webhookAttempt = z.object({
  attempt: z.number().int().optional(),
  at: timestamp,
  durationMs: z.number().optional(),
  outcome: z.string(),
  error: z.string().optional(),
  note: z.string().optional(),
  by: z.string().optional(),
  /** a retry's backoff */
  nextInSeconds: z.number().optional(),
});
export type WebhookAttempt = z.infer<typeof webhookAttempt>;

/** GET /api/v1/webhooks/{id} (and retry, replay): the event in full, redacted for display. */
export const webhookDetail = webhookItem.extend({
  integration: z.object({ name: z.string(), code: z.string(), provider: z.string() }).nullable(),
  /** the body as received (sensitive fields and the integration's secrets redacted) */
  payload: z.unknown(),
  /** request headers, secrets redacted */
  headers: z.record(z.string(), z.string()),
  path: z.string(),
  history: z.array(webhookAttempt),
  /** what processing produced: the handler's note and the normalized events */
  result: z.object({ note: z.string().nullable(), events: z.array(z.unknown()) }).nullable(),
});
export type WebhookDetail = z.infer<typeof webhookDetail>;

const count = z.number().int();
/** a count for every status */
const statusCounts = z.object({ pending: count, processing: count, completed: count, failed: count, ignored: count, rejected: count });

/** GET /api/v1/webhooks/stats: counts by status, and per bar of the chart */
export const webhookStatsAnswer = z.object({
  from: timestamp,
  to: timestamp,
  /** one bar's width, in words ("5 minutes", "hour") and in minutes */
  bucket: z.string(),
  bucketMinutes: z.number().int(),
  counts: statusCounts,
  total: count,
  series: z.array(statusCounts.extend({ at: timestamp })),
});
export type WebhookStats = z.infer<typeof webhookStatsAnswer>;

/** DELETE /api/v1/webhooks/{id} */
export const deletedWebhook = z.object({ deleted: z.literal(true) });
