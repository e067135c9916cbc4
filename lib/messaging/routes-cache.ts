// The channel → integrations order the outbox uses, cached for a second per process;
// forgotten at once when an integration changes in this process.
import type { Channel } from "@/lib/providers/types";

export const routeCache = new Map<Channel, { at: number; ids: string[] }>();

export function forgetRoutes() {
  routeCache.clear();
}
