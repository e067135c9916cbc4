// Integration rows on the hot paths (the outbox's routes, payment creation), cached for a second
// per process; forgotten at once when an integration changes in this process.
import type { Channel } from "@/lib/providers/types";
import type { Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";

const TTL_MS = 1000;
export const routeCache = new Map<Channel, { at: number; ids: string[] }>();
/** integration rows by id (the same second's jobs and requests share them) */
const integrationCache = new Map<string, { at: number; row: Integration | null }>();
let activeCache: { at: number; rows: Integration[] } | null = null;

export function forgetRoutes() {
  routeCache.clear();
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

/** Integrations that are not switched off and have credentials, by priority, at most a second old. */
export async function activeIntegrations(): Promise<Integration[]> {
  if (activeCache && Date.now() - activeCache.at < TTL_MS) return activeCache.rows;
  const rows = await db.integration.findMany({
    where: { status: { not: "inactive" }, credentials: { not: null } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  activeCache = { at: Date.now(), rows };
  return rows;
}
