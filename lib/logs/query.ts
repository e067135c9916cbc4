// The logs page query: filters + keyset pagination on (created_at, id), so page 1000 costs
// what page 1 costs. Every filter has an index ending in (created_at DESC, id DESC); the
// text filter uses a trigram index. bench/logs.ts measures it at 1,000,000 rows.
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { indexWord } from "@/lib/logs/search";
import type { LogListItem } from "@/lib/logs/contract";
import { decodeBigintCursor, encodeBigintCursor, isBigintId } from "@/lib/cursor";

export const logsQuery = z
  .strictObject({
    integrationId: z.string().uuid().optional(),
    action: z.string().trim().min(1).max(120).optional(),
    /** expected: a non-2xx answer the call declared as a designed outcome (not a failure) */
    status: z.enum(["success", "error", "expected"]).optional(),
    direction: z.enum(["outbound", "inbound"]).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    q: z.string().trim().min(1).max(200).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "from must be before to", path: ["from"] });

export type LogsQuery = z.output<typeof logsQuery>;

export type { LogListItem } from "@/lib/logs/contract";

export { encodeBigintCursor as encodeCursor };

/** LIKE pattern for a literal substring. */
function likeContains(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The text filter: a trigram-indexable LIKE on the query's most selective word, and the
 * whole query as a substring (strpos: no pattern characters to escape). Rare words are
 * found through the GIN index, common ones by scanning the time index, which carries
 * the search column.
 */
function textPredicate(q: string): Prisma.Sql {
  const full = q.toLowerCase();
  const word = indexWord(full);
  if (!word || word === full) return Prisma.sql`search like ${likeContains(full)}`;
  return Prisma.sql`search like ${likeContains(word)} and strpos(search, ${full}) > 0`;
}

export function logsWhere(q: Omit<LogsQuery, "limit" | "cursor"> & { cursor?: string }): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (q.integrationId) parts.push(Prisma.sql`integration_id = ${q.integrationId}::uuid`);
  if (q.action) parts.push(Prisma.sql`action = ${q.action}`);
  if (q.status) parts.push(Prisma.sql`status = ${q.status}::"LogStatus"`);
  if (q.direction) parts.push(Prisma.sql`direction = ${q.direction}::"LogDirection"`);
  if (q.from) parts.push(Prisma.sql`created_at >= ${q.from}`);
  if (q.to) parts.push(Prisma.sql`created_at <= ${q.to}`);
  if (q.q) parts.push(textPredicate(q.q));
  if (q.cursor) {
    const c = decodeBigintCursor(q.cursor);
    parts.push(Prisma.sql`(created_at, id) < (${c.createdAt}, ${c.id})`);
  }
  return parts.length ? Prisma.sql`where ${Prisma.join(parts, " and ")}` : Prisma.empty;
}

type Row = {
  id: bigint;
  created_at: Date;
  integration_id: string | null;
  provider: string;
  action: string;
  direction: "outbound" | "inbound";
  status: "success" | "error" | "expected";
  method: string | null;
  url: string | null;
  status_code: number | null;
  duration_ms: number | null;
  attempt: number;
  error: string | null;
  related_type: string | null;
  related_id: string | null;
};

/**
 * Two steps in one statement: the page's ids from an index-only scan (every filter column
 * is in the indexes), then those rows by primary key. Filtering on index tuples instead of
 * heap rows is what keeps rare combinations of filters fast.
 */
export function logsPageSql(q: LogsQuery): Prisma.Sql {
  return Prisma.sql`
    with page as (
      select id, created_at from integration_logs
      ${logsWhere(q)}
      order by created_at desc, id desc
      limit ${q.limit + 1}
    )
    select l.id, l.created_at, l.integration_id, l.provider, l.action, l.direction, l.status, l.method, l.url,
           l.status_code, l.duration_ms, l.attempt, l.error, l.related_type, l.related_id
      from page p join integration_logs l on l.id = p.id
     order by p.created_at desc, p.id desc`;
}

export async function queryLogs(q: LogsQuery): Promise<{ items: LogListItem[]; nextCursor: string | null }> {
  const rows = await db.$queryRaw<Row[]>(logsPageSql(q));
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id.toString(),
      createdAt: r.created_at.toISOString(),
      integrationId: r.integration_id,
      provider: r.provider,
      action: r.action,
      direction: r.direction,
      status: r.status,
      method: r.method,
      url: r.url,
      statusCode: r.status_code,
      durationMs: r.duration_ms,
      attempt: r.attempt,
      error: r.error,
      relatedType: r.related_type,
      relatedId: r.related_id,
    })),
    nextCursor: more && last ? encodeBigintCursor(last.created_at, last.id) : null,
  };
}

export async function getLog(id: string) {
  if (!isBigintId(id)) throw errors.notFound("Log entry");
  const row = await db.integrationLog.findUnique({ where: { id: BigInt(id) } });
  if (!row) throw errors.notFound("Log entry");
  // `search` is the text filter's index column, not part of the entry (lib/logs/contract.ts)
  const { search: _search, ...entry } = row;
  return { ...entry, id: row.id.toString() };
}

/** Distinct actions for the filter menu (small: one row per action). */
export async function logActions(): Promise<string[]> {
  const rows = await db.$queryRaw<{ action: string }[]>`
    with recursive t as (
      (select action from integration_logs order by action limit 1)
      union all
      select (select action from integration_logs where action > t.action order by action limit 1) from t where t.action is not null
    )
    select action from t where action is not null`;
  return rows.map((r) => r.action);
}

/** Deletes logs older than the retention period in batches (short transactions, no long locks). */
export async function deleteOldLogs(days: number, batch = 5000): Promise<number> {
  const cutoff = new Date(Date.now() - days * 86400_000);
  let total = 0;
  for (;;) {
    const n = await db.$executeRaw`
      delete from integration_logs
       where id in (select id from integration_logs where created_at < ${cutoff} order by created_at limit ${batch})`;
    total += n;
    if (n < batch) break;
  }
  return total;
}
