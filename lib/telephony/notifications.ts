// What telephony does with RingCentral's webhook notifications (bound in ./bindings.ts; the wire
// format and its schemas are the provider's: lib/providers/ringcentral/webhook.ts).
import type { StoredWebhook, WebhookHandleResult } from "@/lib/providers/types";
import type { RingCentralContext } from "@/lib/providers/ringcentral/client";
import { notification, telephonyBody } from "@/lib/providers/ringcentral/webhook";
import { callEnded, messageStoreChanged } from "@/lib/telephony/events";

export async function handleNotification(event: StoredWebhook, ctx: RingCentralContext): Promise<WebhookHandleResult> {
  const n = notification.parse(event.payload);
  const current = (ctx.state.subscription as { id?: string } | undefined)?.id;
  const stale = n.subscriptionId && current && n.subscriptionId !== current ? ` (from subscription ${n.subscriptionId}, not the current ${current})` : "";
  if (event.type === "telephony.sessions") {
    const body = telephonyBody.safeParse(n.body ?? {});
    const codes = body.success ? body.data.parties.map((p) => p.status?.code).filter(Boolean) : [];
    const ended = codes.includes("Disconnected") || codes.includes("Gone");
    if (!ended) return { outcome: "ignored", note: `call ${codes.join(", ") || "update"}: nothing reaches the call log before the call ends${stale}` };
    const r = await callEnded(ctx.integration.id, event.receivedAt);
    return { outcome: "completed", note: `call ended: ${r}${stale}` };
  }
  if (event.type === "message-store") {
    const updates = await messageStoreChanged(ctx);
    if (!updates.length) return { outcome: "completed", note: `no SMS of this integration changed status${stale}` };
    return {
      outcome: "completed",
      note: `${updates.length} SMS status update${updates.length === 1 ? "" : "s"}${stale}`,
      events: [{ type: "message.status", data: { updates } }],
    };
  }
  return { outcome: "ignored", note: `${event.type} events are not used${stale}` };
}
