// What messaging does with normalized webhook events (lib/webhooks/domain.ts). Imported by
// the worker entry, so every worker that processes webhooks applies delivery reports.
import { z } from "zod";
import { subscribe } from "@/lib/webhooks/domain";
import { applyStatusUpdates } from "@/lib/messaging/outbox";

const statusUpdates = z.object({
  updates: z.array(
    z.object({
      providerMessageId: z.string().min(1),
      status: z.enum(["sent", "delivered", "undelivered", "failed"]),
      event: z.string(),
      at: z.string().optional(),
      errorCode: z.string().nullish(),
      error: z.string().nullish(),
      costMicros: z.number().int().nullish(),
      costCurrency: z.string().length(3).nullish(),
    }),
  ),
});

/** a report about a message we do not know is retried for this long (our send may not be recorded yet) */
const UNKNOWN_GRACE_MS = 10 * 60_000;

const g = globalThis as unknown as { __sbMessagingSubscribed?: boolean };
if (!g.__sbMessagingSubscribed) {
  g.__sbMessagingSubscribed = true;
  subscribe("message.status", async (data, ctx) => {
    const { updates } = statusUpdates.parse(data);
    const { unknown } = await applyStatusUpdates(ctx.integrationId, updates);
    if (unknown.length && Date.now() - ctx.event.receivedAt.getTime() < UNKNOWN_GRACE_MS) {
      throw new Error(`No message with provider id ${unknown.slice(0, 3).join(", ")} yet: retrying (the send may not be recorded yet)`);
    }
  });
}
