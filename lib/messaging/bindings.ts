// What messaging does for the rest of the product (issue 17): the events it reacts to (delivery
// reports, alerts to tell the admins about) and what it runs on a provider's behalf (the
// Telegram bot). Loaded by the wiring (lib/wiring.ts) in the web process and the workers.
import { z } from "zod";
import { eventIntegration, subscribe } from "@/lib/events";
import { applyStatusUpdates } from "@/lib/messaging/outbox";
import { handleTelegramUpdate } from "@/lib/messaging/telegram-bot";
import { noticeOfAlert } from "@/lib/messaging/admin-notices";
import { ALERT_RAISED, alertRaisedEvent } from "@/lib/alerts/contract";
import { bindProvider } from "@/lib/providers/bindings";

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

subscribe("message.status", "messaging.apply-status", async (data, ctx) => {
  const { updates } = statusUpdates.parse(data);
  const { unknown } = await applyStatusUpdates(eventIntegration(ctx), updates);
  if (unknown.length && Date.now() - ctx.occurredAt.getTime() < UNKNOWN_GRACE_MS) {
    throw new Error(`No message with provider id ${unknown.slice(0, 3).join(", ")} yet: retrying (the send may not be recorded yet)`);
  }
});

// the Telegram bot's commands and account linking, run for the telegram provider's webhooks
bindProvider("messaging", "telegram", { webhook: { handle: handleTelegramUpdate } });

// an alert opened (lib/alerts): every admin is told once per channel; the messages' idempotency
// keys (alert:<id>:<channel>:<admin>) make a redelivered event queue nothing twice
subscribe(ALERT_RAISED, "messaging.notify-admins", async (data) => {
  await noticeOfAlert(alertRaisedEvent.parse(data));
});
