// pg-boss on the application's own PostgreSQL. Web processes only send jobs (a producer
// instance: no maintenance, no cron); workers (lib/wiring/worker.ts) run handlers and the
// schedules. pg-boss coordinates several workers on one database by itself.
import PgBoss from "pg-boss";
import { logger } from "@/lib/logger";

export const QUEUES = {
  sync: "integration-sync",
  scheduler: "sync-scheduler",
  retention: "log-retention",
  webhook: "webhook-process",
  message: "message-send",
  export: "export-run",
  suitedash: "suitedash-sync",
} as const;

export const SCHEMA = "pgboss";

const g = globalThis as unknown as { __sbBoss?: Promise<PgBoss>; __sbBossUrl?: string };

export function newBoss(role: "producer" | "worker"): PgBoss {
  const boss = new PgBoss({
    connectionString: process.env.DATABASE_URL,
    schema: SCHEMA,
    application_name: `switchboard-${role}`,
    max: role === "producer" ? 2 : 6,
    supervise: role === "worker",
    schedule: role === "worker",
    migrate: true,
  });
  boss.on("error", (e) => logger.error({ err: e.message }, "pg-boss error"));
  return boss;
}

export async function ensureQueues(boss: PgBoss) {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  const wanted: PgBoss.Queue[] = [
    // a sync is not retried by the queue: the next scheduled run or a person starts it again
    { name: QUEUES.sync, retryLimit: 0, expireInSeconds: 60 * 60 },
    { name: QUEUES.scheduler, policy: "singleton", retryLimit: 0, expireInSeconds: 5 * 60 },
    { name: QUEUES.retention, policy: "singleton", retryLimit: 2, retryDelay: 60, expireInSeconds: 60 * 60 },
    // attempts and backoff are the event's own (webhook_events); the queue only retries a job
    // whose worker failed before it could record anything
    { name: QUEUES.webhook, retryLimit: 2, retryDelay: 5, expireInSeconds: 15 * 60 },
    // the same for messages: attempts, backoff and fallback live on the message row
    { name: QUEUES.message, retryLimit: 2, retryDelay: 5, expireInSeconds: 15 * 60 },
    // an export that fails is failed for good (the person starts another); a big one may take long
    { name: QUEUES.export, retryLimit: 0, expireInSeconds: 2 * 60 * 60 },
    // attempts and backoff live on the submission row (contact_submissions)
    { name: QUEUES.suitedash, retryLimit: 2, retryDelay: 5, expireInSeconds: 15 * 60 },
  ];
  for (const q of wanted) if (!existing.has(q.name)) await boss.createQueue(q.name, q);
}

/** The process-wide producer, started on first use. */
export function producer(): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  if (!g.__sbBoss || g.__sbBossUrl !== url) {
    g.__sbBossUrl = url;
    g.__sbBoss = (async () => {
      const boss = newBoss("producer");
      await boss.start();
      await ensureQueues(boss);
      return boss;
    })();
    g.__sbBoss.catch(() => {
      g.__sbBoss = undefined;
    });
  }
  return g.__sbBoss;
}

export async function stopProducer() {
  const b = g.__sbBoss;
  g.__sbBoss = undefined;
  if (b) await (await b).stop({ graceful: false, wait: true }).catch(() => {});
}
