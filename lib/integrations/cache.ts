// Integration rows on the hot paths (the outbox's routes and sends, payment creation), cached for a second
// per process; forgotten at once when an integration changes in this process.
import type { Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";

const TTL_MS = 1000;
/** integration rows by id (the same second's jobs and requests share them) */
const integrationCache = new Map<string, { at: number; row: Integration | null }>();
let activeCache: { at: number; rows: Integration[] } | null = null;

export function forgetRoutes() {
  integrationCache.clear();
  activeCache = null;
}

/** One integration row, at most a second old. */
export async function cachedIntegration(id: string): Promise<Integration | null> {
  const hit = integrationCache.get(id);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.row;
  const row = await db.integration.findUnique({ where: { id } });
  integrationCache.set(id, { at: Date.now(), row });
  return row;
}

/** Integrations that are not switched off and have credentials, by priority, at most a second old (`fresh`: read now). */
export async function activeIntegrations(fresh = false): Promise<Integration[]> {
  if (!fresh && activeCache && Date.now() - activeCache.at < TTL_MS) return activeCache.rows;
  const rows = await db.integration.findMany({
    where: { status: { not: "inactive" }, credentials: { not: null } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  activeCache = { at: Date.now(), rows };
  return rows;
}
