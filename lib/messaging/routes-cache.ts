// The channel → integrations order the outbox uses, cached for a second per process;
// forgotten at once when an integration changes in this process. The same for the rows.
import type { Channel } from "@/lib/providers/types";
import type { Integration } from "@/generated/prisma/client";

export const routeCache = new Map<Channel, { at: number; ids: string[] }>();
/** integration rows the outbox sends through, by id (the same second's jobs share them) */
export const integrationCache = new Map<string, { at: number; row: Integration | null }>();

export function forgetRoutes() {
  routeCache.clear();
  integrationCache.clear();
}
