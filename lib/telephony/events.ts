// What RingCentral's notifications (lib/providers/ringcentral/webhook.ts) make happen here.
//
// callEnded: a finished call is in the call log: an incremental call-log sync is queued (a
// visible sync job, like the scheduled ones). When a sync is already queued it will see the
// call; when one is already running it may have read past it, so the notification fails for
// now and the inbox retries it after the running sync (its backoff), which then queues one.
//
// messageStoreChanged: RingCentral's message-store event only says "an SMS changed"; the
// statuses of this integration's SMS still "sent" are asked for and returned as updates.
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { requestSync } from "@/lib/jobs/sync";
import { getProvider } from "@/lib/providers/registry";
import type { StatusUpdate } from "@/lib/providers/types";
import type { RingCentralContext } from "@/lib/providers/ringcentral/client";

export async function callEnded(integrationId: string, receivedAt: Date): Promise<string> {
  const busy = await db.syncJob.findFirst({
    where: { integrationId, type: "call_log", status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "desc" },
  });
  if (busy?.status === "queued") return `a call-log sync is already queued (job ${busy.id})`;
  if (busy?.status === "running" && (busy.startedAt ?? busy.createdAt) <= receivedAt) {
    throw new Error(`A call-log sync (job ${busy.id}) was already running when the call ended: retrying after it`);
  }
  try {
    // event-driven, not a person's action: "scheduled" keeps it out of the audit trail
    const job = await requestSync(integrationId, { type: "call_log", trigger: "scheduled", actor: { type: "system", label: "RingCentral notification" } });
    return `call-log sync queued (job ${job.id})`;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 409) {
      // a disabled integration, or a sync queued a moment ago by someone else
      return `no sync queued: ${(e as Error).message}`;
    }
    throw e;
  }
}

export async function messageStoreChanged(ctx: RingCentralContext, limit = 50): Promise<StatusUpdate[]> {
  const def = getProvider("ringcentral");
  if (!def?.messaging?.fetchStatus) return [];
  const due = await pgPool().query<{ provider_message_id: string }>(
    `select provider_message_id from messages
      where integration_id = $1 and status = 'sent' and provider_message_id is not null and sent_at > now() - interval '3 days'
      order by sent_at desc limit $2`,
    [ctx.integration.id, limit],
  );
  if (!due.rows.length) return [];
  const updates = await def.messaging.fetchStatus(ctx, due.rows.map((r) => r.provider_message_id));
  return updates.filter((u) => u.status !== "sent");
}
