// Reading the audit trail (lib/audit.ts writes it): filters by actor, action (exact or a
// prefix such as integration.*), entity, address and time, newest first, with keyset
// pagination on (created_at, id) so every page costs the same. Ids are bigints: strings here.
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { decodeBigintCursor, encodeBigintCursor, isBigintId } from "@/lib/cursor";

/** "integration.*" (or "integration*"): a prefix; anything else: the exact value */
const exactOrPrefix = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(120)
    .regex(/^[^*]+\*?$/, `A ${what}, or its beginning followed by * (only at the end)`);

export const auditQuery = z
  .strictObject({
    /** a user's or API key's id, or part of the actor's label (an e-mail, a key's name, "oauth") */
    actor: z.string().trim().min(1).max(200).optional(),
    /** exact ("user.update") or a prefix ("integration.*") */
    action: exactOrPrefix("action such as user.update").optional(),
    entityType: z.string().trim().min(1).max(60).optional(),
    entityId: z.string().trim().min(1).max(200).optional(),
    /** exact, or a prefix ("10.0.*") */
    ip: exactOrPrefix("client address").optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "from must be before to", path: ["from"] });

export type AuditQuery = z.output<typeof auditQuery>;

export const auditEntry = z.object({
  id: z.string(),
  createdAt: z.string(),
  actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.string().nullable(), label: z.string().nullable() }),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** what changed: { field: { from, to } } or the facts of the action; secrets only as "[changed]" / "[set]" */
  changes: z.unknown().nullable(),
});
export type AuditEntry = z.output<typeof auditEntry>;
export const auditPage = z.object({ items: z.array(auditEntry), nextCursor: z.string().nullable() });


const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** column = value, or column LIKE 'value%' for "value*" */
function exactOrPrefixSql(column: Prisma.Sql, value: string): Prisma.Sql {
  return value.endsWith("*") ? Prisma.sql`${column} like ${`${escapeLike(value.slice(0, -1))}%`}` : Prisma.sql`${column} = ${value}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function where(q: AuditQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (q.actor) {
    parts.push(
      UUID.test(q.actor)
        ? Prisma.sql`actor_id = ${q.actor.toLowerCase()}`
        : Prisma.sql`(actor_label ilike ${`%${escapeLike(q.actor)}%`} or actor_type = ${q.actor})`,
    );
  }
  if (q.action) parts.push(exactOrPrefixSql(Prisma.sql`action`, q.action));
  if (q.entityType) parts.push(Prisma.sql`entity_type = ${q.entityType}`);
  if (q.entityId) parts.push(Prisma.sql`entity_id = ${q.entityId}`);
  if (q.ip) parts.push(exactOrPrefixSql(Prisma.sql`ip`, q.ip));
  if (q.from) parts.push(Prisma.sql`created_at >= ${q.from}`);
  if (q.to) parts.push(Prisma.sql`created_at <= ${q.to}`);
  if (q.cursor) {
    const c = decodeBigintCursor(q.cursor);
    parts.push(Prisma.sql`(created_at, id) < (${c.createdAt}, ${c.id})`);
  }
  return parts.length ? Prisma.sql`where ${Prisma.join(parts, " and ")}` : Prisma.empty;
}

type Row = {
  id: bigint;
  created_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  ip: string | null;
  user_agent: string | null;
  changes: unknown;
};

function present(r: Row): AuditEntry {
  return {
    id: r.id.toString(),
    createdAt: r.created_at.toISOString(),
    actor: { type: r.actor_type as AuditEntry["actor"]["type"], id: r.actor_id, label: r.actor_label },
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    ip: r.ip,
    userAgent: r.user_agent,
    changes: r.changes ?? null,
  };
}

const COLUMNS = Prisma.sql`id, created_at, actor_type, actor_id, actor_label, action, entity_type, entity_id, ip, user_agent, changes`;

export async function queryAudit(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const rows = await db.$queryRaw<Row[]>`
    select ${COLUMNS} from audit_logs ${where(q)}
     order by created_at desc, id desc
     limit ${q.limit + 1}`;
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(present), nextCursor: more && last ? encodeBigintCursor(last.created_at, last.id) : null };
}

export async function getAuditEntry(id: string): Promise<AuditEntry> {
  if (!isBigintId(id)) throw errors.notFound("Audit entry");
  const [row] = await db.$queryRaw<Row[]>`select ${COLUMNS} from audit_logs where id = ${BigInt(id)}`;
  if (!row) throw errors.notFound("Audit entry");
  return present(row);
}
