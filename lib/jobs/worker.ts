// The job workers: sync jobs, the auto-sync scheduler and the retention job. Run by
// `npm run worker` (scripts/worker.ts), by `npm start`, or inside the web process with
// WORKERS_IN_WEB=true. Several workers on one database share the work safely (pg-boss).
import { newBoss, ensureQueues, QUEUES } from "@/lib/jobs/boss";
import { runSyncJob, scheduleDueSyncs } from "@/lib/jobs/sync";
import { deleteOldLogs } from "@/lib/logs/query";
import { processWebhookEvent, sweepWebhooks, deleteOldWebhooks } from "@/lib/webhooks/process";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

export type Workers = { stop(): Promise<void> };

export async function runRetention() {
  const days = env().LOG_RETENTION_DAYS;
  const logs = await deleteOldLogs(days);
  const limits = await db.$executeRaw`delete from rate_limits where expire is not null and expire < ${Date.now() - 3600_000}`;
  const webhooks = await deleteOldWebhooks();
  logger.info({ logs, rateLimits: limits, webhooks, days }, "retention done");
  return { logs, rateLimits: limits, webhooks };
}

export async function startWorkers(opts: { pollingIntervalSeconds?: number; schedules?: boolean } = {}): Promise<Workers> {
  const boss = newBoss("worker");
  await boss.start();
  await ensureQueues(boss);
  const polling = opts.pollingIntervalSeconds ?? env().WORKER_POLL_SECONDS;

  await boss.work<{ syncJobId: string }>(QUEUES.sync, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
    await runSyncJob(job.data.syncJobId);
  });
  // several webhook attempts at once: handlers mostly wait on the network
  for (let i = 0; i < env().WEBHOOK_CONCURRENCY; i++) {
    await boss.work<{ eventId: string }>(QUEUES.webhook, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
      await processWebhookEvent(job.data.eventId);
    });
  }
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepWebhooks()
      .catch((e) => logger.error({ err: (e as Error).message }, "webhook sweep failed"))
      .finally(() => (sweeping = false));
  }, env().WEBHOOK_SWEEP_SECONDS * 1000);
  sweeper.unref();
  await boss.work(QUEUES.scheduler, { pollingIntervalSeconds: polling }, async () => {
    const n = await scheduleDueSyncs();
    if (n) logger.info({ queued: n }, "scheduled syncs queued");
  });
  await boss.work(QUEUES.retention, { pollingIntervalSeconds: polling }, async () => {
    await runRetention();
  });
  if (opts.schedules !== false) {
    await boss.schedule(QUEUES.scheduler, "* * * * *");
    await boss.schedule(QUEUES.retention, "17 3 * * *");
  }
  logger.info("workers started");
  return {
    async stop() {
      clearInterval(sweeper);
      await boss.stop({ graceful: true, timeout: 20_000, wait: true });
      logger.info("workers stopped");
    },
  };
}
