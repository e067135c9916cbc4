// The durable event bus (issue 17). An area announces what happened ("integration.connected",
// "integration.needs_reconnect" …) with `emit`, in the same transaction as the change that
// causes it, into the `domain_events` table (the transactional outbox); other areas react by
// subscribing, in their own bindings.ts, never by importing the emitter's services.
//
// Delivery is at least once: after the commit the emitting process delivers the events it just
// wrote to the subscribers registered in it (`deliver`), and the workers' tick delivers whatever
// is left (a process killed between the change and the reaction, a failed subscriber after its
// backoff). An event remembers which subscribers have handled it (`done`), so a retry runs only
// the others; every handler must still be idempotent (a crash between a handler's work and its
// "done" mark repeats it). Events a webhook handler returns are not written here: the stored
// webhook is already their durable record (lib/webhooks/process.ts retries it until its
// subscribers succeed), and they run through `dispatch` below.
import type { PoolClient } from "pg";
import type { Prisma } from "@/generated/prisma/client";
import { pgPool } from "@/lib/pg";
import { logger } from "@/lib/logger";

export type EventContext = {
  /** the outbox row's id (or the stored webhook's id for webhook events): a stable dedup key */
  eventId: string;
  /** the integration the event concerns, when there is one */
  integrationId?: string | null;
  /** when the cause happened (a webhook's receipt, the outbox row's creation) */
  occurredAt: Date;
  /** the delivery attempt, from 1 */
  attempt: number;
};
/** the integration the event concerns; throws for an event that names none (a webhook's always does) */
export function eventIntegration(ctx: EventContext): string {
  if (!ctx.integrationId) throw new Error("the event names no integration");
  return ctx.integrationId;
}

export type EventHandler = (data: Record<string, unknown>, ctx: EventContext) => Promise<void>;

type Subscriber = { name: string; handler: EventHandler };

// on globalThis: Next.js may load this module more than once in a process (one copy per bundle)
const g = globalThis as unknown as { __sbEventSubscribers?: Map<string, Subscriber[]>; __sbEventsWired?: boolean };
const subscribers: Map<string, Subscriber[]> = (g.__sbEventSubscribers ??= new Map());

/**
 * Called by the wiring (lib/wiring.ts) once every area's subscribers are registered: only a
 * process that knows all of them may deliver (one that knew none would mark events done).
 */
export function markWired() {
  g.__sbEventsWired = true;
}
export function isWired() {
  return g.__sbEventsWired === true;
}

/**
 * Registers `handler` for events of `type` under a name unique for that type (the name is what
 * an event records once the handler succeeded). Registering the same name again replaces it.
 */
export function subscribe(type: string, name: string, handler: EventHandler): () => void {
  const list = (subscribers.get(type) ?? []).filter((s) => s.name !== name);
  list.push({ name, handler });
  subscribers.set(type, list);
  return () => subscribers.set(type, (subscribers.get(type) ?? []).filter((s) => s.handler !== handler));
}

/** Removes the subscriber `name` of `type`; returns it (to subscribe again), or null. */
export function unsubscribe(type: string, name: string): Subscriber | null {
  const list = subscribers.get(type) ?? [];
  const found = list.find((s) => s.name === name) ?? null;
  subscribers.set(type, list.filter((s) => s.name !== name));
  return found;
}

export function subscribersOf(type: string): readonly Subscriber[] {
  return subscribers.get(type) ?? [];
}

export type NewEvent = { type: string; data: Record<string, unknown>; integrationId?: string | null };

/** Something that runs SQL: a Prisma transaction, a node-postgres client, or (no transaction) null. */
export type Executor = Prisma.TransactionClient | PoolClient | null;

// available_at is stored to the millisecond, and a stored now() rounds half up: an event written
// and delivered within the same half millisecond would read as "not due yet" and wait for the
// workers' tick. Truncated, it is never later than the delivering query's now().
const INSERT = `insert into domain_events (id, type, payload, available_at)
  select gen_random_uuid(), t, p, date_trunc('milliseconds', now()) from unnest($1::text[], $2::jsonb[]) as x(t, p) returning id`;

/**
 * Writes the events into the outbox with `tx` (so they commit or roll back with the change) and
 * returns their ids; pass them to `deliver` after the commit. With `tx` null they are written
 * on their own (for changes that are not in a transaction of ours).
 */
export async function emit(tx: Executor, events: NewEvent | NewEvent[]): Promise<string[]> {
  const list = Array.isArray(events) ? events : [events];
  if (!list.length) return [];
  const types = list.map((e) => e.type);
  const payloads = list.map((e) => JSON.stringify({ data: e.data, integrationId: e.integrationId ?? null }));
  if (tx && "query" in tx) return (await tx.query<{ id: string }>(INSERT, [types, payloads])).rows.map((r) => r.id);
  if (tx) return (await (tx as Prisma.TransactionClient).$queryRawUnsafe<{ id: string }[]>(INSERT, types, payloads)).map((r) => r.id);
  return (await pgPool().query<{ id: string }>(INSERT, [types, payloads])).rows.map((r) => r.id);
}

/** Writes and delivers at once: for an event whose cause is already committed. */
export async function publish(events: NewEvent | NewEvent[]): Promise<Delivery> {
  return deliver(await emit(null, events));
}

const LEASE_SECONDS = 120;
const MAX_ATTEMPTS = 10;
/** the wait before the next attempt after a failure: 5 s, 10 s, 20 s … at most an hour */
export function backoffSeconds(attempt: number) {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempt - 1));
}

export type Delivery = { claimed: number; failed: { id: string; error: string }[] };

type Claimed = { id: string; type: string; payload: { data: Record<string, unknown>; integrationId: string | null }; done: string[]; attempts: number; created_at: Date };

/**
 * Delivers pending events (the given ids, or any that are due, up to `limit`) to the
 * subscribers registered in this process; nothing in a process the wiring has not loaded.
 * Returns how many events were claimed and the subscribers' failures (retried later).
 */
export async function deliver(ids?: string[], { limit = 50 }: { limit?: number } = {}): Promise<Delivery> {
  const out: Delivery = { claimed: 0, failed: [] };
  if ((ids && !ids.length) || !isWired()) return out;
  const pool = pgPool();
  const claimed = await pool.query<Claimed>(
    `update domain_events set locked_until = now() + make_interval(secs => $1), attempts = attempts + 1
      where id in (
        select id from domain_events
         where status = 'pending' and available_at <= now() and (locked_until is null or locked_until < now())
           and ($2::uuid[] is null or id = any($2::uuid[]))
         order by created_at
         limit $3
         for update skip locked)
      returning id, type, payload, done, attempts, created_at`,
    [LEASE_SECONDS, ids ?? null, limit],
  );
  for (const ev of claimed.rows) {
    const error = await deliverOne(ev);
    if (error) out.failed.push({ id: ev.id, error });
  }
  out.claimed = claimed.rows.length;
  return out;
}

/** Runs the subscribers that have not handled `ev`; returns the first failure, or null. */
async function deliverOne(ev: Claimed): Promise<string | null> {
  const pool = pgPool();
  const pending = subscribersOf(ev.type).filter((s) => !ev.done.includes(s.name));
  const ctx: EventContext = { eventId: ev.id, integrationId: ev.payload.integrationId, occurredAt: ev.created_at, attempt: ev.attempts };
  let error: string | null = null;
  const errors: string[] = [];
  for (const s of pending) {
    try {
      await s.handler(ev.payload.data ?? {}, ctx);
      await pool.query(`update domain_events set done = array_append(done, $2) where id = $1`, [ev.id, s.name]);
    } catch (e) {
      error ??= (e as Error).message || String(e);
      errors.push(`${s.name}: ${(e as Error).message || String(e)}`);
      logger.warn({ event: ev.type, eventId: ev.id, subscriber: s.name, attempt: ev.attempts, err: (e as Error).message }, "event subscriber failed");
    }
  }
  if (error === null) {
    await pool.query(`update domain_events set status = 'done', locked_until = null, delivered_at = now(), last_error = null where id = $1`, [ev.id]);
  } else {
    const final = ev.attempts >= MAX_ATTEMPTS;
    await pool.query(
      `update domain_events set status = $2, locked_until = null, last_error = $3, available_at = now() + make_interval(secs => $4) where id = $1`,
      [ev.id, final ? "failed" : "pending", errors.join("; ").slice(0, 2000), backoffSeconds(ev.attempts)],
    );
  }
  return error;
}

/** Pending events (due or not): how a test or a health check sees that the outbox is drained. */
export async function pendingEvents(): Promise<number> {
  const r = await pgPool().query<{ n: string }>(`select count(*) as n from domain_events where status = 'pending'`);
  return Number(r.rows[0].n);
}

/** Deletes delivered events older than `days` (the workers' retention tick). */
export async function deleteDeliveredEvents(days: number): Promise<number> {
  const r = await pgPool().query(`delete from domain_events where status = 'done' and delivered_at < now() - make_interval(days => $1)`, [days]);
  return r.rowCount ?? 0;
}

/**
 * Runs every subscriber of each event in order, in this process, now (no outbox row): for events
 * whose durable record is elsewhere (a stored webhook, retried as a whole until its subscribers
 * succeed). Returns how many handler calls there were.
 */
export async function dispatch(events: { type: string; data: Record<string, unknown> }[], ctx: EventContext): Promise<number> {
  let n = 0;
  for (const e of events) {
    for (const s of subscribersOf(e.type)) {
      await s.handler(e.data, ctx);
      n++;
    }
  }
  return n;
}
