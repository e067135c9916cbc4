// The audit trail: who did what to which entity, from where. Secrets never appear here:
// callers pass `changes` through redactChanges(), which keeps only that a secret changed.
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";

export type Actor =
  | { type: "user"; id: string; label?: string }
  | { type: "api_key"; id: string; label?: string }
  | { type: "system"; id?: string; label?: string };

export type RequestMeta = { ip?: string | null; userAgent?: string | null };

/** Who does something, and from where: every service that changes data takes one (the audit trail records it). */
export type Who = { actor: Actor; meta?: RequestMeta };

export async function audit(
  actor: Actor,
  action: string,
  entityType: string,
  entityId: string | null,
  changes?: unknown,
  meta: RequestMeta = {},
) {
  try {
    await db.auditLog.create({
      data: {
        actorType: actor.type,
        actorId: actor.id ?? null,
        actorLabel: actor.label ?? null,
        action,
        entityType,
        entityId,
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
        changes: changes === undefined || changes === null ? undefined : (changes as object),
      },
    });
  } catch (e) {
    // an audit failure must be visible, but must not undo the action that already happened
    logger.error({ err: (e as Error).message, action, entityType, entityId }, "audit write failed");
  }
}

/** before/after of plain fields; secret fields only as "changed". */
export function diff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
  secretKeys: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    const a = after[k];
    const b = before?.[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out[k] = secretKeys.includes(k) ? "[changed]" : { from: b ?? null, to: a ?? null };
  }
  return out;
}
