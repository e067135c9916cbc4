// The inbound path's short-lived view of integrations (WEBHOOK_CONFIG_CACHE_MS): a burst of
// webhooks does not read the same row for every delivery. Changes made through this process
// (lib/integrations/service.ts) drop the entry at once.
import type { Integration } from "@/generated/prisma/client";

const g = globalThis as unknown as { __sbHookCache?: Map<string, { row: Integration | null; at: number }> };
export const integrationCache = (g.__sbHookCache ??= new Map());

export function forgetIntegration(...codes: string[]) {
  for (const c of codes) integrationCache.delete(c);
}
