// The automatic 1C sync: the onec provider's `sync` (types all / company / driver /
// application / payment), run by the sync-job system (lib/jobs/sync.ts; scheduled by the
// integration's autoSync + syncIntervalMinutes, or "Sync now"). Per entity type, dependencies
// first (companies, drivers, applications, payments):
//   1. entities changed since the last run: updated_at after the cursor kept in the
//      integration's state (erpCursors.<type> = {at, id}, saved after every batch, so a
//      cancelled or failed run resumes where it stopped), in batches of BATCH;
//   2. links whose retry is due: failed with next_attempt_at <= now and attempts below
//      ERP_MAX_ATTEMPTS (claimed FOR UPDATE SKIP LOCKED with a lease), and links left
//      "pending" by a process that died mid-sync.
// Each entity is synced by lib/erp/service.ts (lock, hash, log, backoff); one entity's failure
// does not stop the run, 1C rejecting our credentials does (every call would fail the same).
// Caveat: a row whose transaction commits long after it set updated_at can land behind the
// cursor; the next change to it is picked up, and re-sending is harmless (hash, Ref_Key).
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { SyncRun, SyncResult } from "@/lib/providers/types";
import type { OneCContext } from "@/lib/providers/onec/client";
import { ENTITY_TYPES, effectiveMapping, type EntityType, type MappingConfig } from "@/lib/providers/onec/mapping";
import { changedSince, type Cursor } from "@/lib/erp/sources";
import { syncWithContext, type SyncOutcome } from "@/lib/erp/service";

const BATCH = 50;
const LEASE_MINUTES = 10;

/** waiting: failed earlier, unchanged since, its retry not due yet (left to the retry pass) */
type Tally = { processed: number; created: number; updated: number; unchanged: number; skipped: number; failed: number; waiting: number };

/** Failed links whose retry is due and stale pending ones, claimed with a lease. */
async function claimDue(integrationId: string, types: readonly EntityType[], limit: number) {
  return db.$queryRaw<{ id: string; entity_type: string; entity_id: string }[]>`
    update erp_links set next_attempt_at = now() + make_interval(mins => ${LEASE_MINUTES})
     where id in (
       select id from erp_links
        where integration_id = ${integrationId}::uuid and entity_type = any(${types as unknown as string[]}::text[])
          and ((status = 'failed' and next_attempt_at <= now() and attempts < ${env().ERP_MAX_ATTEMPTS})
            or (status = 'pending' and updated_at < now() - make_interval(mins => ${LEASE_MINUTES})
                and (next_attempt_at is null or next_attempt_at <= now())))
        order by next_attempt_at nulls first
        limit ${limit}
        for update skip locked)
    returning id, entity_type, entity_id`;
}

async function saveCursor(integrationId: string, type: EntityType, cursor: Cursor) {
  await db.$executeRaw`
    update integrations
       set state = jsonb_set(coalesce(state, '{}'::jsonb), '{erpCursors}', coalesce(state->'erpCursors', '{}'::jsonb) || ${JSON.stringify({ [type]: cursor })}::jsonb)
     where id = ${integrationId}::uuid`;
}

async function cursors(integrationId: string): Promise<Partial<Record<EntityType, Cursor>>> {
  const row = await db.integration.findUnique({ where: { id: integrationId }, select: { state: true } });
  return ((row?.state as { erpCursors?: Partial<Record<EntityType, Cursor>> } | null)?.erpCursors ?? {}) as Partial<Record<EntityType, Cursor>>;
}

export async function runErpSync(ctx: OneCContext, run: SyncRun): Promise<SyncResult> {
  const types = (run.type === "all" ? ENTITY_TYPES : ENTITY_TYPES.filter((t) => t === run.type)).filter((t) =>
    effectiveMapping(ctx.config.mapping as MappingConfig, t).enabled,
  );
  const tally: Record<string, Tally> = Object.fromEntries(types.map((t) => [t, { processed: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 }]));
  const errorsSeen: { entityType: string; entityId: string; error: string }[] = [];
  let retried = 0;
  let canceled = false;

  const one = async (type: EntityType, id: string) => {
    let out: SyncOutcome;
    try {
      out = await syncWithContext(ctx, type, id, { trigger: "auto" });
    } catch (e) {
      // the entity vanished between the query and the sync (404), or the type was unmapped
      const msg = (e as Error).message;
      tally[type].failed++;
      if (errorsSeen.length < 20) errorsSeen.push({ entityType: type, entityId: id, error: msg });
      await run.progress({ processed: 1, failed: 1 });
      return;
    }
    const t = tally[type];
    t.processed++;
    const delta = { processed: 1, created: 0, updated: 0, failed: 0 };
    if (!out.ok) {
      t.failed++;
      delta.failed = 1;
      if (errorsSeen.length < 20) errorsSeen.push({ entityType: type, entityId: id, error: out.error?.message ?? out.message });
      // every further call would be refused the same way: stop, the job fails with the reason
      if (out.error?.kind === "auth") {
        await run.progress(delta);
        throw new Error(out.error.message);
      }
    } else if (out.operation === "create" || out.operation === "recreate") {
      t.created++;
      delta.created = 1;
    } else if (out.operation === "update" || out.operation === "delete") {
      t.updated++;
      delta.updated = 1;
    } else if (out.operation === "unchanged") t.unchanged++;
    else t.skipped++;
    await run.progress(delta);
  };

  // 1. changed since the last run
  const saved = await cursors(ctx.integration.id);
  outer: for (const type of types) {
    let cursor = saved[type] ?? null;
    for (;;) {
      const batch = await changedSince(type, cursor, BATCH);
      if (!batch.length) break;
      // a failed entity waits for its retry unless it changed after its last attempt
      const links = await db.erpLink.findMany({
        where: { integrationId: ctx.integration.id, entityType: type, entityId: { in: batch.map((b) => b.id) }, status: "failed" },
        select: { entityId: true, nextAttemptAt: true, updatedAt: true },
      });
      const waiting = new Set(links.filter((l) => (!l.nextAttemptAt || l.nextAttemptAt > new Date()) && batch.some((b) => b.id === l.entityId && b.updatedAt <= l.updatedAt)).map((l) => l.entityId));
      let done = 0;
      for (const e of batch) {
        if (await run.canceled()) {
          canceled = true;
          break;
        }
        if (waiting.has(e.id)) tally[type].waiting++;
        else await one(type, e.id);
        cursor = { at: e.updatedAt.toISOString(), id: e.id };
        done++;
      }
      if (done) await saveCursor(ctx.integration.id, type, cursor!);
      if (canceled) break outer;
      if (batch.length < BATCH) break;
    }
  }

  // 2. retries that are due
  while (!canceled) {
    const due = await claimDue(ctx.integration.id, types, BATCH);
    if (!due.length) break;
    for (const d of due) {
      if (await run.canceled()) {
        canceled = true;
        break;
      }
      retried++;
      await one(d.entity_type as EntityType, d.entity_id);
    }
  }

  return { details: { types: tally, retried, ...(errorsSeen.length ? { errors: errorsSeen } : {}), ...(canceled ? { canceled: true } : {}) } };
}
