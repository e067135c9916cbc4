// A verified Google push notification (lib/providers/google-calendar webhook → the inbox → a
// worker): "sync" is the channel's first message and says nothing changed; "exists" means the
// calendar changed, so an incremental sync is queued. When a sync is already queued it covers
// the change; when one is running it looks at the channel's last message when it finishes and
// makes one more pass (lib/calendar/sync.ts), so notifications never pile up jobs.
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { ProviderContext, StoredWebhook, WebhookHandleResult } from "@/lib/providers/types";
import { requestSync } from "@/lib/jobs/sync";

export type NotificationPayload = {
  channelId: string;
  resourceId: string | null;
  resourceState: string;
  resourceUri: string | null;
  messageNumber: number;
  channelExpiration: string | null;
};

export const SYNC_TYPE = "events";

export async function handleCalendarNotification(event: StoredWebhook, ctx: ProviderContext): Promise<WebhookHandleResult> {
  const p = event.payload as NotificationPayload;
  if (p.resourceState === "sync") return { outcome: "ignored", note: "The channel's first message (sync): nothing to do" };
  await db.calendarChannel.updateMany({ where: { id: p.channelId, integrationId: ctx.integration.id }, data: { lastMessageAt: event.receivedAt } });
  try {
    const job = await requestSync(ctx.integration.id, { type: SYNC_TYPE, trigger: "api", actor: { type: "system", label: "Google push notification" } });
    return { outcome: "completed", note: `Calendar changed (${p.resourceState}, message ${p.messageNumber}): incremental sync queued (job ${job.id})` };
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) return { outcome: "completed", note: `Calendar changed: ${e.message}; it picks this change up` };
    throw e;
  }
}
