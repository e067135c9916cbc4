// What telephony does on RingCentral's behalf (issue 17: lib/providers/bindings.ts): the call-log
// sync, the webhook notifications, and the webhook subscription that lives with the connection
// (made on integration.connected, deleted before the grant is revoked). Loaded by the wiring.
import { subscribe } from "@/lib/events";
import { bindProvider } from "@/lib/providers/bindings";
import type { RingCentralContext } from "@/lib/providers/ringcentral/client";
import { syncCallLog } from "@/lib/telephony/call-log";
import { ensureSubscription, removeSubscription } from "@/lib/telephony/maintenance";
import { handleNotification } from "@/lib/telephony/notifications";

bindProvider("telephony", "ringcentral", {
  sync: (ctx, run) => syncCallLog(ctx as RingCentralContext, run),
  webhook: { handle: (event, ctx) => handleNotification(event, ctx as RingCentralContext) },
  async beforeDisconnect(ctx) {
    const r = await removeSubscription(ctx.integration.id);
    if (r.status === "failed") throw new Error(`The webhook subscription could not be deleted: ${r.error}`);
  },
});

subscribe("integration.connected", "telephony.subscribe", async (data) => {
  if (data.provider !== "ringcentral") return;
  const r = await ensureSubscription(String(data.integrationId));
  if (r.status === "failed") throw new Error(`RingCentral's call and SMS events could not be subscribed to (${r.error}); retried automatically`);
});
