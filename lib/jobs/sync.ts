// Sync jobs: a SyncJob row is the record people see (status, counters, timings, error);
// a pg-boss job carries the work to a worker. Cancel works while queued (the queue job is
// cancelled) and while running (the handler's signal aborts, the provider stops at the next
// safe point).
import { z } from "zod";
import { Prisma, type SyncJob as SyncJobRow } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { getProvider } from "@/lib/providers/registry";
import { buildContext, getIntegrationRow, mergeState } from "@/lib/integrations/service";
import { producer, QUEUES } from "@/lib/jobs/boss";
import { audit, type Actor, type RequestMeta, type Who } from "@/lib/audit";
import { logger } from "@/lib/logger";
import type { SyncCounts } from "@/lib/providers/types";
import { bindingOf } from "@/lib/providers/bindings";
import type { SyncTrigger } from "@/lib/jobs/contract";

export type { SyncTrigger };

const withIntegration = { integration: { select: { name: true, code: true, provider: true } } } as const;

/** A job as the API shows it (lib/jobs/contract.ts syncJob): the queue's own job id stays inside. */
export function syncJobView(j: SyncJobRow) {
  return {
    id: j.id,
    integrationId: j.integrationId,
    type: j.type,
    status: j.status,
    trigger: j.trigger as SyncTrigger,
    requestedById: j.requestedById,
    processed: j.processed,
    created: j.created,
    updated: j.updated,
    failed: j.failed,
    error: j.error,
    details: j.details,
    cancelRequestedAt: j.cancelRequestedAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    createdAt: j.createdAt,
  };
}

const syncJobItemView = (j: SyncJobRow & { integration: { name: string; code: string; provider: string } }) => ({ ...syncJobView(j), integration: j.integration });

export async function requestSync(
  integrationId: string,
  opts: { type?: string; trigger: SyncTrigger; actor: Actor; meta?: RequestMeta },
) {
  const row = await getIntegrationRow(integrationId);
  const def = getProvider(row.provider);
  if (!def?.sync) throw errors.unprocessable(`${def?.name ?? row.provider} has nothing to sync`);
  const type = opts.type ?? def.sync.types[0].id;
  if (!def.sync.types.some((t) => t.id === type)) {
    throw errors.validation(`Unknown sync type "${type}"`, [{ path: "type", message: `One of ${def.sync.types.map((t) => t.id).join(", ")}` }]);
  }
  if (row.status === "inactive") throw errors.conflict("The integration is disabled: enable it before syncing");
  const busy = await db.syncJob.findFirst({ where: { integrationId, type, status: { in: ["queued", "running"] } } });
  if (busy) throw errors.conflict(`A ${type} sync is already ${busy.status}`, { jobId: busy.id });

  const job = await db.syncJob.create({
    data: {
      integrationId,
      type,
      trigger: opts.trigger,
      requestedById: opts.actor.type === "user" ? opts.actor.id : null,
    },
  });
  try {
    const boss = await producer();
    const queueJobId = await boss.send(QUEUES.sync, { syncJobId: job.id });
    await db.syncJob.update({ where: { id: job.id }, data: { queueJobId } });
  } catch (e) {
    await db.syncJob.update({
      where: { id: job.id },
      data: { status: "failed", error: `Could not queue the job: ${(e as Error).message}`, finishedAt: new Date() },
    });
    throw e;
  }
  if (opts.trigger !== "scheduled") {
    await audit(opts.actor, "sync.start", "integration", integrationId, { jobId: job.id, type }, opts.meta);
  }
  return syncJobView(await db.syncJob.findUniqueOrThrow({ where: { id: job.id } }));
}

export async function cancelSync(jobId: string, who: Who) {
  const job = await db.syncJob.findUnique({ where: { id: jobId } });
  if (!job) throw errors.notFound("Sync job");
  if (job.status !== "queued" && job.status !== "running") throw errors.conflict(`The job is already ${job.status}`);
  if (job.status === "queued") {
    // only if it is still queued: a worker may have taken it a moment ago
    const r = await db.syncJob.updateMany({
      where: { id: jobId, status: "queued" },
      data: { status: "canceled", cancelRequestedAt: new Date(), finishedAt: new Date(), error: "Canceled before it started" },
    });
    if (r.count === 1 && job.queueJobId) {
      const boss = await producer();
      await boss.cancel(QUEUES.sync, job.queueJobId).catch(() => {});
    }
    if (r.count === 0) await db.syncJob.update({ where: { id: jobId }, data: { cancelRequestedAt: new Date() } });
  } else {
    await db.syncJob.update({ where: { id: jobId }, data: { cancelRequestedAt: new Date() } });
  }
  await audit(who.actor, "sync.cancel", "sync_job", jobId, { integrationId: job.integrationId }, who.meta);
  return syncJobView(await db.syncJob.findUniqueOrThrow({ where: { id: jobId } }));
}

class Canceled extends Error {}

/** The worker's handler for one sync job. */
export async function runSyncJob(syncJobId: string, opts: { cancelPollMs?: number } = {}) {
  const claimed = await db.syncJob.updateMany({
    where: { id: syncJobId, status: "queued" },
    data: { status: "running", startedAt: new Date() },
  });
  if (claimed.count === 0) return; // canceled, or another worker has it
  const job = await db.syncJob.findUniqueOrThrow({ where: { id: syncJobId } });
  const abort = new AbortController();
  const poll = setInterval(async () => {
    try {
      const j = await db.syncJob.findUnique({ where: { id: syncJobId }, select: { cancelRequestedAt: true } });
      if (j?.cancelRequestedAt) abort.abort();
    } catch {
      /* next tick */
    }
  }, opts.cancelPollMs ?? 1000);
  poll.unref?.();

  try {
    const row = await getIntegrationRow(job.integrationId);
    const def = getProvider(row.provider);
    // the provider's own runner, or the area's that runs it on the provider's behalf
    const runner = def?.sync && (bindingOf(def.id).sync ?? def.sync.run);
    if (!runner) throw new Error(`${row.provider} has nothing to sync`);
    const ctx = buildContext(row, { signal: abort.signal, related: { type: "sync_job", id: job.id } });
    const result = await runner(ctx, {
      jobId: job.id,
      type: job.type,
      async progress(delta: Partial<SyncCounts>) {
        await db.syncJob.update({
          where: { id: job.id },
          data: {
            processed: { increment: delta.processed ?? 0 },
            created: { increment: delta.created ?? 0 },
            updated: { increment: delta.updated ?? 0 },
            failed: { increment: delta.failed ?? 0 },
          },
        });
        if (abort.signal.aborted) throw new Canceled();
      },
      async canceled() {
        if (abort.signal.aborted) return true;
        const j = await db.syncJob.findUnique({ where: { id: job.id }, select: { cancelRequestedAt: true } });
        return !!j?.cancelRequestedAt;
      },
    });
    const now = new Date();
    if (abort.signal.aborted) throw new Canceled();
    await db.$transaction([
      db.syncJob.update({
        where: { id: job.id },
        data: { status: "completed", finishedAt: now, details: (result.details ?? Prisma.JsonNull) as object },
      }),
      db.integration.update({
        where: { id: row.id },
        data: {
          lastSyncAt: now,
          lastSuccessAt: now,
          ...(row.status === "error" || row.status === "testing" ? { status: "active" } : {}),
          ...(result.state ? { state: mergeState(row.state, result.state) } : {}),
        },
      }),
    ]);
  } catch (e) {
    const canceled = e instanceof Canceled || abort.signal.aborted;
    const message = canceled ? "Canceled while running" : ((e as Error).message ?? "failed").slice(0, 2000);
    const now = new Date();
    // The job's outcome and the integration's state change together: a reader who sees
    // the job failed also sees the integration in error (no window between the two).
    const finish = db.syncJob.update({
      where: { id: job.id },
      data: { status: canceled ? "canceled" : "failed", finishedAt: now, error: message },
    });
    if (canceled) await finish;
    else {
      await db.$transaction([
        finish,
        db.integration.updateMany({
          where: { id: job.integrationId },
          data: { lastSyncAt: now, lastErrorAt: now, lastError: `Sync failed: ${message}`, status: "error" },
        }),
      ]);
      logger.warn({ syncJobId, err: message }, "sync failed");
    }
  } finally {
    clearInterval(poll);
  }
}

/** Cron handler: queues a sync for every integration whose auto-sync is due. */
export async function scheduleDueSyncs(): Promise<number> {
  const due = await db.$queryRaw<{ id: string }[]>`
    update integrations
       set next_sync_at = now() + make_interval(mins => sync_interval_minutes)
     where id in (
       select id from integrations
        where auto_sync and sync_interval_minutes is not null and status <> 'inactive'
          and (next_sync_at is null or next_sync_at <= now())
        for update skip locked)
    returning id`;
  let queued = 0;
  for (const { id } of due) {
    try {
      await requestSync(id, { trigger: "scheduled", actor: { type: "system", label: "scheduler" } });
      queued++;
    } catch (e) {
      logger.info({ integrationId: id, err: (e as Error).message }, "scheduled sync not queued");
    }
  }
  return queued;
}

export const listJobsQuery = z.strictObject({
  integrationId: z.string().uuid().optional(),
  status: z.enum(["queued", "running", "completed", "failed", "canceled"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().datetime().optional(),
});

export async function listJobs(q: z.output<typeof listJobsQuery>) {
  const rows = await db.syncJob.findMany({
    where: {
      integrationId: q.integrationId,
      status: q.status,
      ...(q.before ? { createdAt: { lt: new Date(q.before) } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: q.limit,
    include: withIntegration,
  });
  return rows.map(syncJobItemView);
}

export async function getJob(id: string) {
  const job = await db.syncJob.findUnique({ where: { id }, include: withIntegration });
  if (!job) throw errors.notFound("Sync job");
  return syncJobItemView(job);
}
