// The inbox as people see it: list with filters, one event in full, counts by status, events
// per hour by status, and the admin's Retry (a failed event), Replay (any processed event) and
// Delete. Every change is audited.
import { z } from "zod";
import { Prisma, type WebhookStatus } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { redactValue, scrub } from "@/lib/redact";
import { buildContext } from "@/lib/integrations/service";
import { retiredSecrets } from "@/lib/webhooks/secrets";
import { getProvider } from "@/lib/providers/registry";
import { WEBHOOK_STATUSES } from "@/lib/webhooks/contract";

export { WEBHOOK_STATUSES };

const filters = {
  provider: z.string().trim().max(64).optional(),
  integrationId: z.uuid().optional(),
  type: z.string().trim().max(200).optional(),
  status: z.enum(WEBHOOK_STATUSES).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** the provider's event id */
  externalId: z.string().trim().max(500).optional(),
};

export const listWebhooksQuery = z.strictObject({
  ...filters,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** keyset cursor from the previous page's nextCursor */
  cursor: z.string().max(100).optional(),
});

export const webhookStatsQuery = z.strictObject({ ...filters, status: z.undefined().optional() });

type Filters = { [K in keyof typeof filters]?: z.output<(typeof filters)[K]> };

function where(f: Filters): Prisma.WebhookEventWhereInput {
  return {
    provider: f.provider || undefined,
    integrationId: f.integrationId,
    eventType: f.type ? (f.type.endsWith("*") ? { startsWith: f.type.slice(0, -1) } : f.type) : undefined,
    status: f.status,
    externalId: f.externalId || undefined,
    receivedAt: f.from || f.to ? { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } : undefined,
  };
}

const summary = {
  id: true,
  receivedAt: true,
  integrationId: true,
  provider: true,
  eventType: true,
  externalId: true,
  status: true,
  signatureVerified: true,
  verification: true,
  attempts: true,
  maxRetries: true,
  duplicates: true,
  replays: true,
  nextAttemptAt: true,
  processedAt: true,
  lastError: true,
  sourceIp: true,
  integration: { select: { name: true, code: true } },
} satisfies Prisma.WebhookEventSelect;

export async function listWebhooks(q: z.output<typeof listWebhooksQuery>) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.webhookEvent.findMany({
    where: c
      ? { AND: [base, { OR: [{ receivedAt: { lt: c.at } }, { receivedAt: c.at, id: { lt: c.id } }] }] }
      : base,
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    select: summary,
  });
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(last.receivedAt, last.id) : null };
}

/**
 * One event in full (lib/webhooks/contract.ts webhookDetail), without the columns only
 * processing reads: the lease, the dispatcher's queued time, the dedupe key, a rejected body's
 * unverified subject.
 */
const detail = {
  ...summary,
  payload: true,
  headers: true,
  path: true,
  history: true,
  result: true,
  integration: { select: { name: true, code: true, provider: true } },
} satisfies Prisma.WebhookEventSelect;

export async function getWebhook(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Webhook event");
  const row = await db.webhookEvent.findUnique({ where: { id }, select: detail });
  if (!row) throw errors.notFound("Webhook event");
  return forDisplay(row);
}

/** The integration's own secret values (current and retired), to scrub wherever they appear. */
async function integrationSecrets(integrationId: string | null): Promise<string[]> {
  if (!integrationId) return [];
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row) return [];
  try {
    return [...buildContext(row).secrets, ...retiredSecrets(row).map((r) => r.value)];
  } catch {
    return []; // incomplete credentials: the field-name rules still apply
  }
}

/**
 * An event as people see it: the payload, the processing result and the errors redacted with
 * the rules the stored headers and rejected payloads already follow (sensitive field names such
 * as client_secret or token, and the integration's own secret values). The stored row keeps the
 * original: processing, retry and replay read it from the database, never from this view.
 */
async function forDisplay<T extends { integrationId: string | null; payload: unknown; result: unknown; lastError: string | null; history: unknown }>(row: T): Promise<T> {
  const secrets = await integrationSecrets(row.integrationId);
  return {
    ...row,
    payload: redactValue(row.payload, secrets),
    result: row.result === null ? null : redactValue(row.result, secrets),
    history: redactValue(row.history, secrets),
    lastError: row.lastError === null ? null : scrub(row.lastError, secrets),
  } as T;
}

/** Bar widths the chart may use, narrowest first, with the word for one. */
const BUCKETS = [
  { minutes: 1, label: "minute" },
  { minutes: 5, label: "5 minutes" },
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "hour" },
  { minutes: 180, label: "3 hours" },
  { minutes: 360, label: "6 hours" },
  { minutes: 1440, label: "day" },
] as const;
/** at most this many bars: the narrowest width that fits the range in them */
const MAX_BARS = 48;
const pickBucket = (spanMs: number) => BUCKETS.find((b) => spanMs / (b.minutes * 60_000) <= MAX_BARS) ?? BUCKETS[BUCKETS.length - 1];
/** floor to the bucket, in UTC */
const floorTo = (t: number, minutes: number) => Math.floor(t / (minutes * 60_000)) * minutes * 60_000;

/**
 * Counts by status, and events per bar by status, for the filters. A chosen period (from) is
 * the chart's range; without one the range is the last day, narrowed to begin at its first event,
 * so events of the last minutes spread over the chart instead of filling its last hourly bar.
 * Bars are the narrowest width that fits the range in at most 48.
 */
export async function webhookStats(q: z.output<typeof webhookStatsQuery>) {
  const to = q.to ? new Date(q.to) : new Date();
  let from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3600_000);
  if (from >= to) throw errors.validation("from must be before to", [{ path: "from", message: "After to" }]);
  const conds: string[] = ["received_at >= $1", "received_at < $2"];
  const args: unknown[] = [from, to];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    conds.push(sql.replace("?", `$${args.length}`));
  };
  if (q.provider) add("provider = ?", q.provider);
  if (q.integrationId) add("integration_id = ?::uuid", q.integrationId);
  if (q.type) {
    if (q.type.endsWith("*")) add("starts_with(event_type, ?)", q.type.slice(0, -1));
    else add("event_type = ?", q.type);
  }
  if (q.externalId) add("external_id = ?", q.externalId);
  if (!q.from) {
    const first = await pgPool().query<{ first: Date | null }>(`select min(received_at) as first from webhook_events where ${conds.join(" and ")}`, args);
    const t = first.rows[0]?.first ? new Date(first.rows[0].first).getTime() : null;
    // at least 10 minutes, so a burst of a few seconds still reads as a moment in a span
    if (t !== null) from = new Date(Math.max(from.getTime(), Math.min(t, to.getTime() - 10 * 60_000)));
  }
  const size = pickBucket(to.getTime() - from.getTime());
  const step = size.minutes * 60_000;
  const start = floorTo(from.getTime(), size.minutes);
  args[0] = new Date(start);
  const bucketSql = `to_timestamp(floor(extract(epoch from received_at) / ${size.minutes * 60}) * ${size.minutes * 60})`;
  const r = await pgPool().query<{ bucket: Date; status: WebhookStatus; n: string }>(
    `select ${bucketSql} as bucket, status::text as status, count(*) as n
       from webhook_events where ${conds.join(" and ")}
      group by 1, 2 order by 1`,
    args,
  );
  const counts = Object.fromEntries(WEBHOOK_STATUSES.map((s) => [s, 0])) as Record<WebhookStatus, number>;
  const series = new Map<string, Record<string, number | string>>();
  // every bucket of the range, so the chart has no gaps
  for (let t = start; t < to.getTime(); t += step) {
    series.set(new Date(t).toISOString(), { at: new Date(t).toISOString(), ...Object.fromEntries(WEBHOOK_STATUSES.map((s) => [s, 0])) });
  }
  for (const row of r.rows) {
    const n = Number(row.n);
    counts[row.status] += n;
    const key = new Date(row.bucket).toISOString();
    const point = series.get(key) ?? { at: key, ...Object.fromEntries(WEBHOOK_STATUSES.map((s) => [s, 0])) };
    point[row.status] = (point[row.status] as number) + n;
    series.set(key, point);
  }
  return {
    from: new Date(start).toISOString(),
    to: to.toISOString(),
    /** one bar's width, in words ("5 minutes", "hour") and in minutes */
    bucket: size.label,
    bucketMinutes: size.minutes,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    series: [...series.values()].sort((a, b) => String(a.at).localeCompare(String(b.at))),
  };
}


async function requeue(id: string, allowed: WebhookStatus[], kind: "retry" | "replay", who: Who) {
  const ev = await getWebhook(id);
  // a merchant API call (Payme, Click) was answered when it came, from our state at that moment:
  // processing it again could only disagree with what the provider was told
  if (getProvider(ev.provider)?.webhook?.synchronous) {
    throw errors.conflict(`${getProvider(ev.provider)!.name} calls are answered when they come and are not processed again; ${getProvider(ev.provider)!.name} repeats a call itself when it needs to`);
  }
  if (!allowed.includes(ev.status)) {
    const why =
      ev.status === "rejected"
        ? "A rejected event was never verified and is never processed"
        : ev.status === "pending" || ev.status === "processing"
          ? `The event is already ${ev.status}`
          : `Only failed events can be retried (this one is ${ev.status}); use Replay to process it again`;
    throw errors.conflict(why);
  }
  const entry = { at: new Date().toISOString(), outcome: `${kind} requested`, by: who.actor.label ?? who.actor.id ?? who.actor.type };
  // conditional on the status we saw: two admins clicking at once queue it once
  const r = await pgPool().query(
    `update webhook_events
        set status = 'pending', attempts = 0, replays = replays + 1, next_attempt_at = null, locked_until = null,
            processed_at = null, queued_at = null, history = history || jsonb_build_array($3::jsonb)
      where id = $1 and status = $2::"WebhookStatus"`,
    [id, ev.status, JSON.stringify(entry)],
  );
  if (r.rowCount === 0) throw errors.conflict("The event changed meanwhile; reload and try again");
  // the workers' dispatcher queues it (lib/webhooks/process.ts)
  await audit(who.actor, `webhook.${kind}`, "webhook_event", id, { from: ev.status, provider: ev.provider, type: ev.eventType }, who.meta);
  return getWebhook(id);
}

export function retryWebhook(id: string, who: Who) {
  return requeue(id, ["failed"], "retry", who);
}

export function replayWebhook(id: string, who: Who) {
  return requeue(id, ["completed", "failed", "ignored"], "replay", who);
}

export async function deleteWebhook(id: string, who: Who) {
  const ev = await getWebhook(id);
  if (ev.status === "processing") throw errors.conflict("The event is being processed; delete it when the attempt ends");
  await db.webhookEvent.delete({ where: { id } });
  await audit(who.actor, "webhook.delete", "webhook_event", id, { status: ev.status, provider: ev.provider, type: ev.eventType, externalId: ev.externalId }, who.meta);
  return { deleted: true };
}
