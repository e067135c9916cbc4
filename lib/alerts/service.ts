// Alerts: what needs a person (the rules are in lib/alerts/rules.ts).
//
// Lifecycle of one problem (a dedupe key: rule + subject, e.g. "integration_error:<id>"):
//   fire     → at most one OPEN row per key (the partial unique index alerts_one_open_per_key):
//              `insert … on conflict (dedupe_key) where status = 'open' do update`, so any
//              number of workers firing at once make one row. A repeat while open bumps
//              `occurrences` when it brings a newer occurrence (`at` later than last_seen_at):
//              seeing the same failure again on the next evaluation is not a new occurrence.
//   notify   → once per opened row: the first process to set notified_at (update … where
//              notified_at is null returning …) writes the "alert.raised" event in the same
//              transaction (lib/events.ts); messaging subscribes and tells the admins
//              (lib/messaging/admin-notices.ts), with idempotency keys per (alert, channel,
//              admin). A process that dies after the claim loses nothing: the workers deliver
//              the event; a failed delivery is retried with backoff.
//   resolve  → automatically when the condition clears (resolution "cleared", resolved_by_id
//              null), or by a person (API / Alerts page) with an optional note. A person's
//              resolution holds while the condition stays as it was: the rule fires again only
//              for an occurrence newer than the resolution (so resolving "5 failed messages"
//              is not undone 30 seconds later by the same 5 messages). A cleared alert, and a
//              resolved one whose problem happens again, opens a NEW row and notifies again.
// Firing and a person's resolution of one key take the same transaction-scoped advisory lock,
// so a resolution can never be overtaken by a fire that read the alert before it.
import { z } from "zod";
import { Prisma, type Alert } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { lockInTransaction } from "@/lib/locks";
import { errors } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { audit, type Who } from "@/lib/audit";
import { publicBaseUrl } from "@/lib/urls";
import { getSettings } from "@/lib/settings";
import { deliver, emit } from "@/lib/events";
import { ALERT_RAISED, type AlertRaised } from "@/lib/alerts/contract";
import { ALERT_RULES, ALERT_SEVERITIES, RULE_LABELS, type AlertRule, type AlertSeverity } from "@/lib/alerts/labels";

export { ALERT_RULES, ALERT_SEVERITIES, RULE_LABELS, type AlertRule, type AlertSeverity };

/** One problem as a rule sees it now. */
export type Condition = {
  rule: AlertRule;
  /** rule + subject: one open alert per key */
  key: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  entityType?: string | null;
  entityId?: string | null;
  /** a dashboard path where a person looks into it */
  link?: string | null;
  details?: Record<string, unknown>;
  /** when the problem last happened (the newest failure, the error's time) */
  at: Date;
};


const lockKey = (key: string) => `alert:${key}`;

// ───────────── fire, resolve, notify ─────────────

/**
 * Opens the key's alert, or bumps the open one. Null when a person resolved the problem after
 * its latest occurrence (nothing new since: it stays resolved).
 */
export async function fireAlert(c: Condition): Promise<{ id: string; opened: boolean } | null> {
  const details = JSON.stringify(c.details ?? {});
  const rows = await db.$transaction(async (tx) => {
    await lockInTransaction(tx, lockKey(c.key));
    return tx.$queryRaw<{ id: string; opened: boolean }[]>`
      insert into alerts (rule, severity, dedupe_key, title, message, entity_type, entity_id, link, details, first_seen_at, last_seen_at)
      select ${c.rule}::text, ${c.severity}::text, ${c.key}::text, ${c.title}::text, ${c.message}::text, ${c.entityType ?? null}::text,
             ${c.entityId ?? null}::text, ${c.link ?? null}::text, ${details}::jsonb, ${c.at}::timestamptz, ${c.at}::timestamptz
       where not exists (
         select 1 from alerts r
          where r.dedupe_key = ${c.key}::text and r.status = 'resolved' and r.resolved_at >= ${c.at}::timestamptz
            and r.details -> 'resolvedBy' is not null)
      on conflict (dedupe_key) where status = 'open' do update
         set occurrences = alerts.occurrences + case when excluded.last_seen_at > alerts.last_seen_at then 1 else 0 end,
             last_seen_at = greatest(alerts.last_seen_at, excluded.last_seen_at),
             severity = excluded.severity,
             title = excluded.title,
             message = excluded.message,
             entity_type = excluded.entity_type,
             entity_id = excluded.entity_id,
             link = excluded.link,
             details = excluded.details
      returning id::text as id, (xmax = 0) as opened`;
  });
  return rows[0] ?? null;
}

/**
 * Resolves the rule's open alerts whose key is not among the conditions found now ("cleared").
 * `before`: when those conditions were read; an alert fired since (by another path) is left
 * for the next evaluation to judge.
 */
export async function resolveCleared(rule: AlertRule, activeKeys: string[], before: Date): Promise<number> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    update alerts
       set status = 'resolved', resolved_at = now(), resolved_by_id = null, resolution = 'cleared'
     where status = 'open' and rule = ${rule}::text and not (dedupe_key = any(${activeKeys}::text[])) and last_seen_at < ${before}::timestamptz
    returning id::text as id`;
  return rows.length;
}

type Claimed = { id: string; rule: string; severity: string; title: string; message: string; link: string | null; entity_type: string | null; entity_id: string | null };

/** What the admins are told: the event's data (the links use the Settings page's public base URL). */
function raisedEvent(a: Claimed): AlertRaised {
  const base = publicBaseUrl();
  const lines = [a.message, ""];
  if (a.link) lines.push(`Look into it: ${base}${a.link}`);
  lines.push(`The alert: ${base}/alerts?alert=${a.id}`);
  lines.push("", "Resolve it on the Alerts page once it is handled; it also resolves itself when the problem clears.");
  return {
    alertId: a.id,
    rule: a.rule,
    severity: a.severity,
    title: a.title,
    subject: `${a.severity === "critical" ? "Critical" : "Warning"}: ${a.title}`,
    text: lines.join("\n"),
    related: a.entity_type && a.entity_id ? { type: a.entity_type, id: a.entity_id } : { type: "alert", id: a.id },
  };
}

/**
 * Tells the admins about an open alert, once: the process whose update sets notified_at writes
 * the "alert.raised" event in the same transaction, then delivers it (messaging queues the
 * notices). What this process cannot deliver (a failed subscriber, a crash after the commit)
 * the workers deliver later. True when this call claimed the alert.
 */
export async function notifyAlert(id: string): Promise<boolean> {
  // the links use the Settings page's public base URL: read the settings once in this process
  await getSettings().catch(() => undefined);
  const events = await db.$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<Claimed[]>`
      update alerts set notified_at = now()
       where id = ${id}::uuid and notified_at is null and status = 'open'
      returning id::text as id, rule, severity, title, message, link, entity_type, entity_id`;
    const a = claimed[0];
    return a ? emit(tx, { type: ALERT_RAISED, data: raisedEvent(a), integrationId: a.entity_type === "integration" ? a.entity_id : null }) : [];
  });
  if (!events.length) return false;
  const r = await deliver(events);
  if (r.failed.length) logger.warn({ alert: id, err: r.failed[0].error }, "alert notification failed; the workers will try again");
  return true;
}

/** Notifies every open alert nobody has claimed yet; returns how many were notified now. */
export async function notifyPending(limit = 100): Promise<number> {
  const pending = await db.alert.findMany({ where: { status: "open", notifiedAt: null }, orderBy: { firstSeenAt: "asc" }, take: limit, select: { id: true } });
  let n = 0;
  for (const p of pending) if (await notifyAlert(p.id)) n++;
  return n;
}

/** Fires an alert outside the evaluation (something just happened) and tells the admins at once. */
export async function raiseAlert(c: Condition) {
  const r = await fireAlert(c);
  if (r) await notifyAlert(r.id);
  return r;
}

/** A person resolves an open alert, with an optional note (audited as alert.resolve). */
export async function resolveAlert(id: string, note: string | null | undefined, who: Who) {
  const a = await db.alert.findUnique({ where: { id } });
  if (!a) throw errors.notFound("Alert");
  if (a.status !== "open") throw errors.conflict("This alert is already resolved");
  const by = { type: who.actor.type, id: who.actor.id ?? null, label: who.actor.label ?? null };
  const userId = who.actor.type === "user" ? who.actor.id : null;
  const text = note?.trim() || null;
  const done = await db.$transaction(async (tx) => {
    await lockInTransaction(tx, lockKey(a.dedupeKey));
    return tx.$queryRaw<{ id: string }[]>`
      update alerts
         set status = 'resolved', resolved_at = now(), resolved_by_id = ${userId}::uuid, resolution = ${text}::text,
             details = (case when jsonb_typeof(details) = 'object' then details else '{}'::jsonb end) || jsonb_build_object('resolvedBy', ${JSON.stringify(by)}::jsonb)
       where id = ${id}::uuid and status = 'open'
      returning id::text as id`;
  });
  if (!done.length) throw errors.conflict("This alert was resolved meanwhile");
  await audit(who.actor, "alert.resolve", "alert", id, { rule: a.rule, title: a.title, ...(text ? { note: text } : {}) }, who.meta);
  return getAlert(id);
}

/** Resolved alerts older than `days` are deleted (for the retention job). */
export async function deleteOldAlerts(days = 180): Promise<number> {
  return db.$executeRaw`delete from alerts where status = 'resolved' and resolved_at < now() - make_interval(days => ${days}::int)`;
}

// ───────────── reading ─────────────

type ResolvedBy = { type: string; id: string | null; label: string | null };

function shape(a: Alert, names: Map<string, string>) {
  const raw = a.details && typeof a.details === "object" && !Array.isArray(a.details) ? (a.details as Record<string, unknown>) : {};
  const { resolvedBy, ...details } = raw as Record<string, unknown> & { resolvedBy?: ResolvedBy };
  return {
    id: a.id,
    rule: a.rule,
    ruleLabel: RULE_LABELS[a.rule as AlertRule] ?? a.rule,
    severity: a.severity,
    status: a.status,
    title: a.title,
    message: a.message,
    entityType: a.entityType,
    entityId: a.entityId,
    link: a.link,
    details,
    occurrences: a.occurrences,
    firstSeenAt: a.firstSeenAt,
    lastSeenAt: a.lastSeenAt,
    notifiedAt: a.notifiedAt,
    resolvedAt: a.resolvedAt,
    resolution: a.resolution,
    /** who resolved it; null while open or when it cleared by itself */
    resolvedBy:
      a.status === "resolved" && resolvedBy
        ? { type: resolvedBy.type, id: resolvedBy.id, name: (resolvedBy.id && names.get(resolvedBy.id)) || resolvedBy.label || resolvedBy.type }
        : null,
  };
}

export type AlertView = ReturnType<typeof shape>;

async function shapeAll(rows: Alert[]) {
  const ids = [...new Set(rows.map((r) => r.resolvedById).filter((x): x is string => !!x))];
  const people = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const names = new Map(people.map((p) => [p.id, p.name]));
  return rows.map((r) => shape(r, names));
}

export async function getAlert(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Alert");
  const row = await db.alert.findUnique({ where: { id } });
  if (!row) throw errors.notFound("Alert");
  return (await shapeAll([row]))[0];
}

/** An alert as the API answers it (documentation: the OpenAPI document). */
export const alertResponse = z.object({
  id: z.uuid(),
  rule: z.string().describe(ALERT_RULES.join(" | ")),
  ruleLabel: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  status: z.enum(["open", "resolved"]),
  title: z.string(),
  message: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  link: z.string().nullable().describe("a dashboard path where a person looks into it"),
  details: z.record(z.string(), z.unknown()),
  occurrences: z.number().int(),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  notifiedAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolution: z.string().nullable().describe('"cleared" when it resolved by itself, else the note of whoever resolved it'),
  resolvedBy: z.object({ type: z.string(), id: z.string().nullable(), name: z.string() }).nullable(),
});

export const alertListResponse = z.object({
  items: z.array(alertResponse),
  nextCursor: z.string().nullable(),
  counts: z.object({ open: z.number().int(), critical: z.number().int() }),
});

export const listAlertsQuery = z.strictObject({
  status: z.enum(["open", "resolved", "all"]).default("open"),
  rule: z.enum(ALERT_RULES).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  /** what it is about, e.g. entityType=integration&entityId=<id> */
  entityType: z.string().trim().max(64).optional(),
  entityId: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** keyset cursor from the previous page's nextCursor */
  cursor: z.string().max(200).optional(),
});

// The order: open alerts first (critical before warning, most recently seen first), then
// resolved ones (most recently resolved first). Keyset pagination over these four keys.
const K_OPEN = Prisma.sql`case when a.status = 'open' then 1 else 0 end`;
const K_SEV = Prisma.sql`case when a.status = 'open' then (case a.severity when 'critical' then 2 when 'warning' then 1 else 0 end) else 0 end`;
const K_AT = Prisma.sql`case when a.status = 'open' then a.last_seen_at else coalesce(a.resolved_at, a.last_seen_at) end`;

type Key = [number, number, string, string];

function encodeKey(k: Key) {
  return Buffer.from(JSON.stringify(k)).toString("base64url");
}

function decodeKey(c: string): Key {
  const bad = () => errors.validation("Invalid cursor", [{ path: "cursor", message: "Not a cursor from this list" }]);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const r = z.tuple([z.number().int(), z.number().int(), z.iso.datetime({ offset: true }), z.uuid()]).safeParse(v);
  if (!r.success) throw bad();
  return r.data as Key;
}

export async function listAlerts(q: z.output<typeof listAlertsQuery>) {
  const where: Prisma.Sql[] = [Prisma.sql`true`];
  if (q.status !== "all") where.push(Prisma.sql`a.status = ${q.status}`);
  if (q.rule) where.push(Prisma.sql`a.rule = ${q.rule}`);
  if (q.severity) where.push(Prisma.sql`a.severity = ${q.severity}`);
  if (q.entityType) where.push(Prisma.sql`a.entity_type = ${q.entityType}`);
  if (q.entityId) where.push(Prisma.sql`a.entity_id = ${q.entityId}`);
  const c = q.cursor ? decodeKey(q.cursor) : null;
  const after = c ? Prisma.sql`where (k1, k2, k3, id) < (${c[0]}::int, ${c[1]}::int, ${c[2]}::timestamptz, ${c[3]}::uuid)` : Prisma.empty;
  const keys = await db.$queryRaw<{ id: string; k1: number; k2: number; k3: Date }[]>`
    select id::text as id, k1, k2, k3 from (
      select a.id, ${K_OPEN} as k1, ${K_SEV} as k2, ${K_AT} as k3 from alerts a where ${Prisma.join(where, " and ")}
    ) s ${after}
    order by k1 desc, k2 desc, k3 desc, id desc
    limit ${q.limit + 1}`;
  const more = keys.length > q.limit;
  const page = more ? keys.slice(0, q.limit) : keys;
  const rows = page.length ? await db.alert.findMany({ where: { id: { in: page.map((k) => k.id) } } }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const items = await shapeAll(page.map((k) => byId.get(k.id)).filter((r): r is Alert => !!r));
  const last = page.at(-1);
  return {
    items,
    nextCursor: more && last ? encodeKey([Number(last.k1), Number(last.k2), new Date(last.k3).toISOString(), last.id]) : null,
    counts: await openCounts(),
  };
}

/** Open alerts in all, and the critical ones among them (the page's tab, the bot). */
export async function openCounts() {
  const [r] = await db.$queryRaw<{ open: number; critical: number }[]>`
    select count(*)::int as open, (count(*) filter (where severity = 'critical'))::int as critical from alerts where status = 'open'`;
  return { open: r?.open ?? 0, critical: r?.critical ?? 0 };
}

/** The open alerts, most important first (the Telegram bot's /alerts). */
export async function openAlerts(limit = 20) {
  const r = await listAlerts({ status: "open", limit });
  return { items: r.items, total: r.counts.open };
}
