// The job workers: sync jobs, the auto-sync scheduler and the retention job. Run by
// `npm run worker` (scripts/worker.ts), by `npm start`, or inside the web process with
// WORKERS_IN_WEB=true. Several workers on one database share the work safely (pg-boss).
import type PgBoss from "pg-boss";
import { newBoss, ensureQueues, QUEUES } from "@/lib/jobs/boss";
import { runSyncJob, scheduleDueSyncs } from "@/lib/jobs/sync";
import { deleteOldLogs } from "@/lib/logs/query";
import { processWebhookEvent, sweepWebhooks, dispatchWebhooks, deleteOldWebhooks } from "@/lib/webhooks/process";
import { dispatchMessages, sweepMessages, processMessages, pollStatuses, deleteOldMessages } from "@/lib/messaging/outbox";
import "@/lib/wiring";
import { deleteDeliveredEvents, deliver } from "@/lib/events";
import { deleteOldPositions } from "@/lib/tracking/service";
import { dispatchSuiteDash } from "@/lib/suitedash/sync";
import { expireExports, runExport } from "@/lib/exports/service";
import { runIntegrationMaintenance } from "@/lib/wiring/maintenance";
import { evaluateAlerts } from "@/lib/alerts/rules";
import { sweepUncaptured } from "@/lib/payments/capture";
import { endElapsedPeriods, runRenewals } from "@/lib/payments/renewals";
import { deleteOldAlerts } from "@/lib/alerts/service";
import { getSettings } from "@/lib/settings";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { deleteOldApiUsage } from "@/lib/api-usage";

export type Workers = {
  stop(): Promise<void>;
  /** Resolves once each named periodic loop (default: the dispatchers) has run a whole tick that started after this call. */
  ticked(names?: string[]): Promise<void>;
};

const DISPATCHERS = ["webhook dispatch", "message dispatch", "suitedash dispatch", "event delivery"];

/** The nightly clean-up, with the retention periods of the Settings page (the env variables by default). */
export async function runRetention() {
  const periods = (await getSettings()).retention;
  const days = periods.logsDays;
  const logs = await deleteOldLogs(days);
  const limits = await db.$executeRaw`delete from rate_limits where expire is not null and expire < ${Date.now() - 3600_000}`;
  const webhooks = await deleteOldWebhooks(periods.webhooksDays);
  const messages = await deleteOldMessages(periods.messagesDays);
  const positions = await deleteOldPositions(periods.gpsDays);
  // export files expire when each one's time is up (set from retention.exportTtlHours when it was made)
  const exports = await expireExports();
  await deleteOldApiUsage(days); // logs its own count
  // resolved alerts are kept as long as the webhook events they are often about
  const alerts = await deleteOldAlerts(periods.webhooksDays);
  // delivered events are kept as long as webhook events (a failed one stays until resolved)
  const events = await deleteDeliveredEvents(periods.webhooksDays);
  logger.info({ logs, rateLimits: limits, webhooks, messages, positions, exports, alerts, events, periods }, "retention done");
  return { logs, rateLimits: limits, webhooks, messages, positions, exports };
}

/** Callers waiting for a loop's next whole tick, per loop name (Workers.ticked). */
type TickWaiters = Map<string, (() => void)[]>;

/** Runs `fn` every `ms`, never two at once, errors logged (the next tick tries again). */
function every(ms: number, what: string, fn: () => Promise<unknown>, waiters?: TickWaiters): NodeJS.Timeout {
  let busy = false;
  waiters?.set(what, []);
  const t = setInterval(() => {
    if (busy) return;
    busy = true;
    const waiting = waiters?.get(what)?.splice(0) ?? [];
    fn()
      .catch((e) => logger.error({ err: (e as Error).message }, `${what} failed`))
      .finally(() => {
        busy = false;
        for (const w of waiting) w();
      });
  }, ms);
  t.unref();
  return t;
}

/** `n` pg-boss workers on a queue that fetch again right after a job, and can be woken. */
async function busyWorkers<T extends object>(boss: PgBoss, queue: string, n: number, polling: number, run: (data: T) => Promise<void>) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    let id = "";
    id = await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
      await run(job.data);
      boss.notifyWorker(id);
    });
    ids.push(id);
  }
  return { wake: () => ids.forEach((id) => boss.notifyWorker(id)) };
}

export async function startWorkers(opts: { pollingIntervalSeconds?: number; schedules?: boolean } = {}): Promise<Workers> {
  const boss = newBoss("worker");
  await boss.start();
  await ensureQueues(boss);
  const polling = opts.pollingIntervalSeconds ?? env().WORKER_POLL_SECONDS;
  const waiters: TickWaiters = new Map();

  await boss.work<{ syncJobId: string }>(QUEUES.sync, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
    await runSyncJob(job.data.syncJobId);
  });
  // several webhook attempts at once: handlers mostly wait on the network
  // pg-boss waits out the polling interval after every job, however short: a worker that just
  // finished one (or whose dispatcher just queued some) asks for the next one at once instead
  const webhookWorkers = await busyWorkers(boss, QUEUES.webhook, env().WEBHOOK_CONCURRENCY, polling, async (data: { eventId: string }) => {
    await processWebhookEvent(data.eventId);
  });
  // lost events queued again; new events turned into queue jobs in batches (the inbound path
  // only stores them)
  const sweeper = every(env().WEBHOOK_SWEEP_SECONDS * 1000, "webhook sweep", sweepWebhooks, waiters);
  const dispatcher = every(env().WEBHOOK_DISPATCH_MS, "webhook dispatch", async () => {
    if (await dispatchWebhooks()) webhookWorkers.wake();
  }, waiters);
  // messages: jobs of MESSAGE_JOB_SIZE ids, MESSAGE_CONCURRENCY jobs at once per worker
  const messageWorkers = await busyWorkers(boss, QUEUES.message, env().MESSAGE_CONCURRENCY, polling, async (data: { ids: string[] }) => {
    await processMessages(data.ids);
  });
  const messageDispatcher = every(env().MESSAGE_DISPATCH_MS, "message dispatch", async () => {
    if (await dispatchMessages()) messageWorkers.wake();
  }, waiters);
  const messageSweeper = every(15_000, "message sweep", sweepMessages, waiters);
  // website contact submissions to SuiteDash (API mode): claimed with a lease, synced in the tick
  const suitedashDispatcher = every(env().SUITEDASH_DISPATCH_MS, "suitedash dispatch", dispatchSuiteDash, waiters);
  const statusPoller = every(env().MESSAGE_STATUS_POLL_SECONDS * 1000, "message status poll", pollStatuses, waiters);
  // OAuth tokens refreshed before expiry (and daily), Google push channels and RingCentral
  // subscriptions renewed: each item under its own lock, so several workers never race
  const maintenance = every(env().OAUTH_MAINTENANCE_SECONDS * 1000, "integration maintenance", runIntegrationMaintenance, waiters);
  // the event outbox (lib/events.ts): what no process delivered at once (it died first, a
  // subscriber failed and its backoff is over)
  const events = every(env().EVENT_DELIVERY_MS, "event delivery", () => deliver(), waiters);
  // no missed capture: payments whose next step is ours (a PayPal order approved, its webhook
  // lost and the payer never back) are asked about and captured (lib/payments/capture.ts)
  const captureSweep = every(env().PAYMENT_CAPTURE_SWEEP_SECONDS * 1000, "payment capture sweep", () => sweepUncaptured(), waiters);
  // subscriptions Switchboard bills itself (YooKassa's saved methods): the due ones charged, the
  // failed ones retried on their schedule; and a provider-billed one set to cancel at the end of
  // a period that is over, ended by asking its provider (lib/payments/renewals.ts)
  const renewals = every(env().SUBSCRIPTION_RENEWAL_SECONDS * 1000, "subscription renewals", async () => {
    await runRenewals();
    await endElapsedPeriods();
  }, waiters);
  // what needs a person: alerts opened (admins told once) and resolved when the condition clears
  const alerts = every(env().ALERTS_EVALUATE_SECONDS * 1000, "alert rules", evaluateAlerts, waiters);
  await boss.work(QUEUES.scheduler, { pollingIntervalSeconds: polling }, async () => {
    const n = await scheduleDueSyncs();
    if (n) logger.info({ queued: n }, "scheduled syncs queued");
  });
  // exports: one at a time per worker (each streams its file; CPU-bound while it runs)
  await boss.work<{ exportId: string }>(QUEUES.export, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
    await runExport(job.data.exportId);
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
    ticked(names = DISPATCHERS) {
      return Promise.all(names.map((n) => new Promise<void>((resolve) => {
        const list = waiters.get(n);
        if (!list) throw new Error(`no periodic loop named "${n}"`);
        list.push(resolve);
      }))).then(() => undefined);
    },
    async stop() {
      clearInterval(sweeper);
      clearInterval(dispatcher);
      clearInterval(messageDispatcher);
      clearInterval(messageSweeper);
      clearInterval(suitedashDispatcher);
      clearInterval(statusPoller);
      clearInterval(maintenance);
      clearInterval(alerts);
      clearInterval(captureSweep);
      clearInterval(renewals);
      clearInterval(events);
      await boss.stop({ graceful: true, timeout: 20_000, wait: true });
      logger.info("workers stopped");
    },
  };
}
