// The queue between receiving and processing: one pg-boss job per attempt. A lost job (the
// send failed, the worker died) is not a lost event: the row in webhook_events is the truth
// and the sweeper (lib/webhooks/process.ts) sends a new job for anything left behind.
import { producer, QUEUES } from "@/lib/jobs/boss";
import { pgPool } from "@/lib/pg";
import { logger } from "@/lib/logger";

export async function enqueueWebhook(eventId: string, delaySeconds = 0): Promise<boolean> {
  try {
    const boss = await producer();
    await boss.send(QUEUES.webhook, { eventId }, delaySeconds > 0 ? { startAfter: Math.ceil(delaySeconds) } : {});
    return true;
  } catch (e) {
    // not queued: mark it so the dispatcher picks it up again
    logger.error({ eventId, err: (e as Error).message }, "webhook stored but not queued; the sweeper will queue it");
    await pgPool()
      .query("update webhook_events set queued_at = null where id = $1", [eventId])
      .catch(() => {});
    return false;
  }
}
