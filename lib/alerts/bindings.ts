// What alerts do when other areas announce trouble (issue 17: lib/events.ts), and the alerts port
// (lib/ports.ts) other areas read the open alerts through. Loaded by the wiring.
import { z } from "zod";
import { subscribe } from "@/lib/events";
import { providePort } from "@/lib/ports";
import { openAlerts, raiseAlert } from "@/lib/alerts/service";
import { pastDueCondition, reconnectCondition } from "@/lib/alerts/rules";
import { SUBSCRIPTION_PAST_DUE, subscriptionPastDueEvent } from "@/lib/payments/contract";

const needsReconnect = z.object({ integrationId: z.string(), name: z.string(), provider: z.string(), reason: z.string(), at: z.string() });

// an OAuth grant was refused (lib/oauth/tokens.ts): the admins' "Reconnect" alert, opened now and
// notified once (raiseAlert is keyed by the integration, so a redelivery changes nothing)
subscribe("integration.needs_reconnect", "alerts.reconnect", async (data) => {
  const x = needsReconnect.parse(data);
  await raiseAlert(reconnectCondition({ ...x, at: new Date(x.at) }));
});

// a subscription's renewal failed (lib/payments/subscriptions.ts): the admins' alert, opened now
// and notified once (keyed by the subscription: a redelivery, or the next evaluation, changes nothing)
subscribe(SUBSCRIPTION_PAST_DUE, "alerts.subscription-past-due", async (data, ctx) => {
  const x = subscriptionPastDueEvent.parse(data);
  await raiseAlert(pastDueCondition({ ...x, at: ctx.occurredAt }));
});

// the Telegram bot's /alerts (lib/messaging/telegram-bot.ts)
providePort("alerts", "alerts", { open: (limit) => openAlerts(limit) });
