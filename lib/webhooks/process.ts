// Processing a stored webhook, in a worker. Every event reaches the queue the same way: a
// pending row with no queue job (queued_at null) is picked up by the dispatcher, which inserts
// pg-boss jobs in batches. An attempt claims the event in one UPDATE, so two workers never run
// the same attempt; the provider's handler runs with a timeout shorter than the lease, and its
// outcome is written only if the claim still holds.
//
//   handler returns         → completed (or ignored: nothing to do for this event type)
//   handler throws          → pending again, due after an exponential backoff with jitter,
//                             until the event's maxRetries is spent → failed, error kept
//   worker dies mid-attempt → the lease runs out, the sweeper makes it pending again
//   queue job lost          → the sweeper makes it dispatchable again
import { pgPool } from "@/lib/pg";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { scrub } from "@/lib/redact";
import { getProvider } from "@/lib/providers/registry";
import { PermanentWebhookError, type ProviderContext, type ProviderDefinition, type StoredWebhook, type WebhookHandleResult } from "@/lib/providers/types";
import { buildContext } from "@/lib/integrations/service";
import { dispatch } from "@/lib/events";
import { bindingOf } from "@/lib/providers/bindings";
import { producer, QUEUES } from "@/lib/jobs/boss";

type Claimed = {
  id: string;
  integration_id: string | null;
  provider: string;
  event_type: string;
  external_id: string | null;
  payload: unknown;
  headers: Record<string, string>;
  attempts: number;
  max_retries: number;
  received_at: Date;
};

export type AttemptOutcome = "completed" | "ignored" | "retrying" | "failed" | "not_claimed";

/** Delay before retry n (1-based): base·2^(n-1), capped, with "equal jitter" (50–100 %). */
export function backoffSeconds(retry: number, base = env().WEBHOOK_RETRY_BASE_SECONDS, cap = env().WEBHOOK_RETRY_MAX_SECONDS) {
  const exp = Math.min(cap, base * 2 ** Math.max(0, retry - 1));
  return exp / 2 + (Math.random() * exp) / 2;
}

async function withTimeout<T>(p: Promise<T>, ms: number, ac: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new Error(`the handler did not finish within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** The event's integration, provider and call context (its secrets also scrub the error). */
async function prepare(ev: Claimed, signal: AbortSignal): Promise<{ def: ProviderDefinition; ctx: ProviderContext; integrationId: string }> {
  const row = ev.integration_id ? await db.integration.findUnique({ where: { id: ev.integration_id } }) : null;
  if (!row) throw new PermanentWebhookError("the integration was deleted");
  const def = getProvider(row.provider);
  if (!def?.webhook) throw new PermanentWebhookError(`the provider "${row.provider}" is not available in this version`);
  return { def, ctx: buildContext(row, { signal, related: { type: "webhook_event", id: ev.id } }), integrationId: row.id };
}

async function runHandler(ev: Claimed, { def, ctx, integrationId }: Awaited<ReturnType<typeof prepare>>): Promise<WebhookHandleResult> {
  const event: StoredWebhook = {
    id: ev.id,
    type: ev.event_type,
    externalId: ev.external_id,
    payload: ev.payload,
    headers: ev.headers,
    attempt: ev.attempts,
    receivedAt: ev.received_at,
  };
  // the provider's own handler, or the area's that acts on its events
  const handle = bindingOf(def.id).webhook?.handle ?? def.webhook!.handle;
  const result: WebhookHandleResult = handle ? await handle(event, ctx) : { outcome: "ignored", note: `this version has no handler for ${def.name} events` };
  // the stored webhook is these events' durable record: a subscriber's failure retries it
  const handled = await dispatch(result.events ?? [], { eventId: event.id, integrationId, occurredAt: event.receivedAt, attempt: event.attempt });
  if (result.outcome === "ignored" && handled > 0) return { ...result, outcome: "completed" };
  return result;
}

export async function processWebhookEvent(eventId: string): Promise<AttemptOutcome> {
  const e = env();
  const pool = pgPool();
  const claim = await pool.query<Claimed>(
    `update webhook_events
        set status = 'processing', attempts = attempts + 1, next_attempt_at = null,
            locked_until = now() + make_interval(secs => $2)
      where id = $1 and status = 'pending' and (next_attempt_at is null or next_attempt_at <= now() + interval '1 second')
      returning id, integration_id, provider, event_type, external_id, payload, headers, attempts, max_retries, received_at`,
    [eventId, e.WEBHOOK_LEASE_SECONDS],
  );
  const ev = claim.rows[0];
  if (!ev) return "not_claimed";

  const started = Date.now();
  const ac = new AbortController();
  let outcome: AttemptOutcome;
  let error: string | null = null;
  let result: WebhookHandleResult | null = null;
  let secrets: string[] = [];
  try {
    const attempt = async () => {
      const prepared = await prepare(ev, ac.signal);
      secrets = prepared.ctx.secrets;
      return runHandler(ev, prepared);
    };
    result = await withTimeout(attempt(), e.WEBHOOK_HANDLER_TIMEOUT_SECONDS * 1000, ac);
    outcome = result.outcome;
  } catch (err) {
    error = scrub(((err as Error).message || String(err)).slice(0, 2000), secrets);
    outcome = !(err instanceof PermanentWebhookError) && ev.attempts <= ev.max_retries ? "retrying" : "failed";
  }
  const durationMs = Date.now() - started;
  const delay = outcome === "retrying" ? backoffSeconds(ev.attempts) : 0;
  const entry = {
    attempt: ev.attempts,
    at: new Date(started).toISOString(),
    durationMs,
    outcome,
    ...(error ? { error } : {}),
    ...(result?.note ? { note: result.note } : {}),
    ...(outcome === "retrying" ? { nextInSeconds: Math.round(delay * 10) / 10 } : {}),
  };
  const status = outcome === "retrying" ? "pending" : outcome;
  const done = await pool.query(
    `update webhook_events
        set status = $3::"WebhookStatus",
            locked_until = null,
            processed_at = case when $3 in ('completed', 'ignored', 'failed') then now() else processed_at end,
            next_attempt_at = case when $3 = 'pending' then now() + make_interval(secs => $4) end,
            -- a retry goes back to the dispatcher, which queues it once it is due
            queued_at = case when $3 = 'pending' then null else queued_at end,
            last_error = case when $5::text is not null then $5 when $3 in ('completed', 'ignored') then null else last_error end,
            result = coalesce($6::jsonb, result),
            history = history || jsonb_build_array($7::jsonb)
      where id = $1 and status = 'processing' and attempts = $2`,
    [
      ev.id,
      ev.attempts,
      status,
      delay,
      error,
      result ? JSON.stringify({ note: result.note ?? null, events: result.events ?? [] }) : null,
      JSON.stringify(entry),
    ],
  );
  if (done.rowCount === 0) {
    // our lease ran out and another worker took the event over: its attempt decides
    logger.warn({ eventId, attempt: ev.attempts }, "webhook attempt finished after its lease expired; result discarded");
    return "not_claimed";
  }
  const log = outcome === "failed" ? logger.warn.bind(logger) : logger.info.bind(logger);
  log({ eventId, provider: ev.provider, type: ev.event_type, attempt: ev.attempts, outcome, durationMs, ...(error ? { error } : {}) }, "webhook processed");
  return outcome;
}

/**
 * The outbox dispatcher: new pending events (stored by the inbound path without a job) get
 * their pg-boss job, one per event, inserted in one batch. Runs every WEBHOOK_DISPATCH_MS in
 * each worker; SKIP LOCKED lets several workers share the work. If the batch insert fails the
 * rows are unmarked; if the worker dies in between, the sweeper below unmarks them.
 */
export async function dispatchWebhooks(limit = 1000): Promise<number> {
  const r = await pgPool().query<{ id: string }>(
    `update webhook_events set queued_at = now()
      where id in (
        select id from webhook_events
         where status = 'pending' and queued_at is null and (next_attempt_at is null or next_attempt_at <= now())
         order by received_at
         limit $1
         for update skip locked)
      returning id`,
    [limit],
  );
  if (!r.rows.length) return 0;
  try {
    const boss = await producer();
    await boss.insert(r.rows.map(({ id }) => ({ name: QUEUES.webhook, data: { eventId: id } })));
  } catch (e) {
    await pgPool().query("update webhook_events set queued_at = null where id = any($1::uuid[])", [r.rows.map((x) => x.id)]).catch(() => {});
    throw e;
  }
  return r.rows.length;
}

/**
 * Makes lost events dispatchable again: processing ones whose lease ran out (the worker died)
 * and pending ones queued longer than a lease ago (the job is gone). Safe in every worker at
 * once: rows are taken with SKIP LOCKED, the dispatcher queues them, the claim decides who runs.
 */
export async function sweepWebhooks(limit = 500): Promise<number> {
  const r = await pgPool().query(
    `update webhook_events set status = 'pending', locked_until = null, queued_at = null
      where id in (
        select id from webhook_events
         where (status = 'processing' and locked_until < now())
            or (status = 'pending' and queued_at < now() - make_interval(secs => $1))
         order by received_at
         limit $2
         for update skip locked)`,
    [env().WEBHOOK_LEASE_SECONDS, limit],
  );
  if (r.rowCount) logger.info({ requeued: r.rowCount }, "webhook sweeper made lost events dispatchable again");
  return r.rowCount ?? 0;
}

/** Retention: finished events older than WEBHOOK_RETENTION_DAYS, in batches (no long locks). */
export async function deleteOldWebhooks(days = env().WEBHOOK_RETENTION_DAYS): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await pgPool().query(
      `delete from webhook_events where id in (
         select id from webhook_events
          where received_at < now() - make_interval(days => $1)
            and status in ('completed', 'ignored', 'rejected', 'failed')
          limit 5000)`,
      [days],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < 5000) return total;
  }
}
