// Normalized events ("payment.succeeded", "message.delivered" …) go from the provider's
// webhook handler to the domain services that subscribe to them (each area registers its
// handlers in a module the worker imports). Handlers must be idempotent: a replay delivers
// the same event again.
import type { NormalizedEvent, StoredWebhook } from "@/lib/providers/types";

export type DomainContext = { event: StoredWebhook; integrationId: string };
export type DomainHandler = (data: Record<string, unknown>, ctx: DomainContext) => Promise<void>;

const g = globalThis as unknown as { __sbDomainHandlers?: Map<string, DomainHandler[]> };
const handlers: Map<string, DomainHandler[]> = (g.__sbDomainHandlers ??= new Map());

export function subscribe(type: string, handler: DomainHandler): () => void {
  const list = handlers.get(type) ?? [];
  list.push(handler);
  handlers.set(type, list);
  return () => handlers.set(type, (handlers.get(type) ?? []).filter((h) => h !== handler));
}

/** Runs every subscriber of every event; returns how many handler calls there were. */
export async function dispatchDomainEvents(events: NormalizedEvent[], ctx: DomainContext): Promise<number> {
  let n = 0;
  for (const e of events) {
    for (const h of handlers.get(e.type) ?? []) {
      await h(e.data, ctx);
      n++;
    }
  }
  return n;
}
