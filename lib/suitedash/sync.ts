// API mode: each worker's dispatcher (lib/wiring/worker.ts, every SUITEDASH_DISPATCH_MS) claims
// due submissions with a lease (next_attempt_at pushed ahead, FOR UPDATE SKIP LOCKED, so
// several workers never take the same row and a worker that dies mid-sync loses nothing) and
// upserts each contact in SuiteDash (lib/providers/suitedash/client.ts). Success: synced with
// SuiteDash's id. Failure: failed with the reason; 5xx, 429 and no answer are retried with
// exponential backoff until SUITEDASH_MAX_ATTEMPTS; any other 4xx is permanent (no retry).
import { db } from "@/lib/db";
import type { Integration } from "@/generated/prisma/client";
import { env } from "@/lib/env";
import { pgPool } from "@/lib/pg";
import { logger } from "@/lib/logger";
import { buildContext } from "@/lib/integrations/service";
import { SuiteDashError, upsertContact, type SuiteDashContext } from "@/lib/providers/suitedash/client";
import { activeSuiteDash } from "@/lib/suitedash/service";

const BATCH = 10;
const LEASE_SECONDS = 120;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 30 * 60_000;

/** Delay before attempt `attempts + 1`: 2 s, 4 s, 8 s … (±20 % jitter), at most 30 min. */
export function backoffMs(attempts: number, retryAfterSeconds?: number) {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = exp * (0.8 + Math.random() * 0.4);
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/** Claims due submissions (pending, or failed with a retry due) with a lease; their ids. */
async function claim(limit: number, maxAttempts: number): Promise<string[]> {
  const { rows } = await pgPool().query<{ id: string }>(
    `update contact_submissions set next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
      where id in (
        select id from contact_submissions
         where attempts < $2
           and ((status = 'pending' and (next_attempt_at is null or next_attempt_at <= now()))
             or (status = 'failed' and next_attempt_at is not null and next_attempt_at <= now()))
         order by created_at
         limit $1
         for update skip locked)
      returning id`,
    [limit, maxAttempts, LEASE_SECONDS],
  );
  return rows.map((r) => r.id);
}

/** One dispatcher tick: nothing unless the active SuiteDash integration is in API mode. */
export async function dispatchSuiteDash(): Promise<number> {
  const sd = await activeSuiteDash();
  if (!sd || sd.config.mode !== "api") return 0;
  const max = env().SUITEDASH_MAX_ATTEMPTS;
  const ids = await claim(BATCH, max);
  for (const id of ids) await syncOne(id, sd.row, max);
  return ids.length;
}

async function syncOne(id: string, integration: Integration, maxAttempts: number) {
  const integrationId = integration.id;
  const s = await db.contactSubmission.findUnique({ where: { id } });
  if (!s || (s.status !== "pending" && s.status !== "failed")) return;
  const attempts = s.attempts + 1;
  try {
    // the row this tick read (activeSuiteDash): one query per tick, not one per submission
    const ctx = buildContext(integration, { related: { type: "contact_submission", id } }) as unknown as SuiteDashContext;
    const r = await upsertContact(
      ctx,
      {
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        phone: s.phone,
        company: s.company,
        serviceInterest: s.serviceInterest,
        message: s.message,
        source: s.source,
        tags: s.tags,
      },
      { type: "contact_submission", id },
    );
    await db.contactSubmission.update({
      where: { id },
      data: { status: "synced", externalId: r.externalId, integrationId, attempts, syncedAt: new Date(), nextAttemptAt: null, error: null },
    });
  } catch (e) {
    const transient = e instanceof SuiteDashError ? e.transient : !(e as { status?: number })?.status; // ApiError from buildContext (422: incomplete credentials) is permanent
    const message = e instanceof Error ? e.message : String(e);
    const retry = transient && attempts < maxAttempts;
    const next = retry ? new Date(Date.now() + backoffMs(attempts, e instanceof SuiteDashError ? e.retryAfterSeconds : undefined)) : null;
    const reason = retry ? message : transient ? `${message} (gave up after ${attempts} attempts)` : message;
    await db.contactSubmission.update({
      where: { id },
      data: { status: "failed", integrationId, attempts, nextAttemptAt: next, error: reason.slice(0, 1000) },
    });
    logger.warn({ submission: id, attempts, retry, err: message }, "suitedash sync failed");
  }
}
