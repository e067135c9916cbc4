// Sync jobs through pg-boss and a real worker: run, count, fail, cancel (queued and
// running), and the scheduler that starts due auto-syncs exactly once.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runRetention } from "@/lib/wiring/worker";
import { requestSync, cancelSync, scheduleDueSyncs, runSyncJob } from "@/lib/jobs/sync";
import { updateIntegration } from "@/lib/integrations/service";
import * as syncRoute from "@/app/api/v1/integrations/[id]/sync/route";
import * as cancelRoute from "@/app/api/v1/jobs/[id]/cancel/route";
import * as jobsRoute from "@/app/api/v1/jobs/route";
import { call } from "../helpers/http";
import { waitFor } from "../helpers/wait";
import { createKey, createUser, fault, system, telegramIntegration, webhookIntegration } from "../helpers/fixtures";
import { runWorkers } from "../helpers/workers";

runWorkers();

const finished = (id: string) =>
  waitFor(async () => {
    const j = await db.syncJob.findUniqueOrThrow({ where: { id } });
    return ["completed", "failed", "canceled"].includes(j.status) && j;
  });

describe("sync jobs", () => {
  it("run on a worker: counts, timings, the integration's state and last sync", async () => {
    const dispatcher = await createUser("dispatcher");
    const { row } = await telegramIntegration();
    const r = await call(syncRoute.POST, { url: "/x", cookie: dispatcher.cookie, params: { id: row.id }, body: {} });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: "queued", type: "webhook_status", trigger: "manual" });
    // queued on pg-boss, whose own job id stays inside (not part of the answer)
    expect(r.json).not.toHaveProperty("queueJobId");
    expect((await db.syncJob.findUniqueOrThrow({ where: { id: r.json.id } })).queueJobId).toEqual(expect.any(String));
    const job = await finished(r.json.id);
    expect(job).toMatchObject({ status: "completed", processed: 2, failed: 0, error: null });
    expect(job.startedAt).not.toBeNull();
    expect(job.finishedAt!.getTime()).toBeGreaterThanOrEqual(job.startedAt!.getTime());
    const i = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(i.lastSyncAt).not.toBeNull();
    expect(i.state).toMatchObject({ webhook: { pendingUpdates: 0 } });
    // the sync's provider calls are linked to the job in the logs
    expect(await db.integrationLog.count({ where: { relatedType: "sync_job", relatedId: job.id } })).toBe(2);
    expect(await db.auditLog.count({ where: { action: "sync.start", entityId: row.id } })).toBe(1);
  });

  it("a failing sync is recorded with the reason and puts the integration in error", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", status: 401, times: 1, body: { ok: false, error_code: 401, description: "Unauthorized" } });
    const job = await requestSync(row.id, { trigger: "manual", actor: system.actor });
    const done = await finished(job.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/Telegram 401: Unauthorized/);
    const i = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(i.status).toBe("error");
    expect(i.lastError).toMatch(/Sync failed/);
  });

  it("refuses a second sync of the same kind while one is queued or running, and providers with nothing to sync", async () => {
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", delayMs: 1500, status: 200, times: 1 });
    const first = await requestSync(row.id, { trigger: "manual", actor: system.actor });
    await expect(requestSync(row.id, { trigger: "manual", actor: system.actor })).rejects.toMatchObject({ status: 409 });
    await finished(first.id);
    const hook = await webhookIntegration();
    await expect(requestSync(hook.row.id, { trigger: "manual", actor: system.actor })).rejects.toMatchObject({ status: 422 });
    await expect(requestSync(row.id, { type: "nope", trigger: "manual", actor: system.actor })).rejects.toMatchObject({ status: 400 });
  });

  it("cancels a running job: the provider call is aborted and the job ends canceled", async () => {
    const admin = await createUser("admin");
    const { row } = await telegramIntegration();
    await fault({ provider: "telegram", path: "getMe", delayMs: 2500, status: 200, times: 1 });
    const job = await requestSync(row.id, { trigger: "manual", actor: system.actor });
    await waitFor(async () => (await db.syncJob.findUniqueOrThrow({ where: { id: job.id } })).status === "running");
    const r = await call(cancelRoute.POST, { url: "/x", cookie: admin.cookie, params: { id: job.id } });
    expect(r.status).toBe(200);
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: "canceled", error: "Canceled while running" });
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).status).not.toBe("error");
    // canceling again is a conflict, not a crash
    expect((await call(cancelRoute.POST, { url: "/x", cookie: admin.cookie, params: { id: job.id } })).status).toBe(409);
  });

  it("cancels a queued job before any worker takes it", async () => {
    const { row } = await telegramIntegration();
    const job = await db.syncJob.create({ data: { integrationId: row.id, type: "webhook_status", trigger: "manual" } });
    const canceled = await cancelSync(job.id, system);
    expect(canceled.status).toBe("canceled");
    await runSyncJob(job.id); // a worker that picks it up late does nothing
    expect((await db.syncJob.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("canceled");
    expect(await db.integrationLog.count({ where: { relatedId: job.id } })).toBe(0);
  });

  it("lists jobs with filters, for people and for API keys with jobs:read", async () => {
    const { row } = await telegramIntegration();
    const job = await requestSync(row.id, { trigger: "manual", actor: system.actor });
    await finished(job.id);
    const { key } = await createKey(["jobs:read"]);
    const r = await call(jobsRoute.GET, { url: `/api/v1/jobs?integrationId=${row.id}&status=completed`, bearer: key });
    expect(r.status).toBe(200);
    expect(r.json.items.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect(r.json.items[0].integration).toMatchObject({ provider: "telegram" });
    const viewer = await createUser("viewer");
    expect((await call(syncRoute.POST, { url: "/x", cookie: viewer.cookie, params: { id: row.id }, body: {} })).status).toBe(403);
  });
});

describe("scheduler", () => {
  it("queues due auto-syncs once, even when two schedulers run at the same moment", async () => {
    const due = await telegramIntegration({ autoSync: true, syncIntervalMinutes: 15 });
    const notDue = await telegramIntegration({ autoSync: true, syncIntervalMinutes: 15 });
    await db.integration.update({ where: { id: notDue.row.id }, data: { nextSyncAt: new Date(Date.now() + 3600_000) } });
    const disabled = await telegramIntegration({ autoSync: true, syncIntervalMinutes: 15 });
    await updateIntegration(disabled.row.id, { enabled: false }, system);
    await db.integration.update({ where: { id: disabled.row.id }, data: { nextSyncAt: new Date(0) } });

    const counts = await Promise.all([scheduleDueSyncs(), scheduleDueSyncs()]);
    const jobs = await db.syncJob.findMany({ where: { trigger: "scheduled" } });
    expect(jobs.filter((j) => j.integrationId === due.row.id)).toHaveLength(1);
    expect(jobs.some((j) => j.integrationId === notDue.row.id)).toBe(false);
    expect(jobs.some((j) => j.integrationId === disabled.row.id)).toBe(false);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(jobs.length);
    const next = (await db.integration.findUniqueOrThrow({ where: { id: due.row.id } })).nextSyncAt!;
    expect(next.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    await finished(jobs.find((j) => j.integrationId === due.row.id)!.id);
  });
});

describe("retention", () => {
  it("deletes logs older than LOG_RETENTION_DAYS and keeps the rest", async () => {
    const old = new Date(Date.now() - 40 * 86400_000);
    await db.integrationLog.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({ provider: "t", action: "old", direction: "outbound" as const, status: "success" as const, createdAt: new Date(old.getTime() + i) })),
    });
    await db.integrationLog.create({ data: { provider: "t", action: "recent", direction: "outbound", status: "success" } });
    const r = await runRetention();
    expect(r.logs).toBe(25);
    expect(await db.integrationLog.count({ where: { action: "old" } })).toBe(0);
    expect(await db.integrationLog.count({ where: { action: "recent" } })).toBe(1);
  });
});
