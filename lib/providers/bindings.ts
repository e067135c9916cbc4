// What an area does on a provider's behalf (issue 17). A provider folder is a pure adapter: it
// speaks the provider's API and never imports an area. When a provider's sync type or webhook
// needs the product's tables (Google Calendar's events, RingCentral's call log, Zoom's meetings,
// the Telegram bot's commands …), the area that owns them binds its runner here, in its own
// `lib/<area>/bindings.ts`, and the wiring (lib/wiring.ts) loads every area's bindings in the
// web process and the workers. The platform (lib/jobs/sync.ts, lib/webhooks/*, lib/oauth/flow.ts)
// asks `bindingOf(provider)` and falls back to what the provider itself declares.
import type { InboundRequest, Verdict } from "@/lib/providers/webhook-kit";
import type { ParsedWebhook, ProviderContext, StoredWebhook, SynchronousAnswer, SyncResult, SyncRun, WebhookHandleResult, WebhookVerifyContext } from "@/lib/providers/types";

export type ProviderBinding = {
  /** runs the provider's sync types (the provider declares them; the area does the work) */
  sync?(ctx: ProviderContext, run: SyncRun): Promise<SyncResult>;
  webhook?: {
    /** verification that needs the area's tables (Google's push channels and their tokens) */
    verify?(req: InboundRequest, ctx: WebhookVerifyContext<Record<string, unknown>, Record<string, unknown>>): Verdict | Promise<Verdict>;
    /** runs in a worker; throwing means "retry later" */
    handle?(event: StoredWebhook, ctx: ProviderContext): Promise<WebhookHandleResult>;
    /** a `synchronous` webhook (a merchant API): answers a verified call at once, from the area's tables */
    respond?(req: InboundRequest, ctx: WebhookVerifyContext<Record<string, unknown>, Record<string, unknown>>, parsed: ParsedWebhook): Promise<SynchronousAnswer>;
  };
  /** runs before an OAuth grant is revoked, while it still works (stopping Google's channels) */
  beforeDisconnect?(ctx: ProviderContext): Promise<void>;
};

type Slot = "sync" | "webhook.verify" | "webhook.handle" | "webhook.respond" | "beforeDisconnect";

// on globalThis: Next.js may load this module more than once in a process (one copy per bundle)
const g = globalThis as unknown as { __sbBindings?: Map<string, { binding: ProviderBinding; owners: Map<Slot, string> }> };
const bindings = (g.__sbBindings ??= new Map());

/**
 * `area` binds what it does for `providerId`. A slot bound by two different areas is a wiring
 * mistake and throws at startup; the same area binding again (a module loaded twice) replaces.
 */
export function bindProvider(area: string, providerId: string, binding: ProviderBinding): void {
  const entry = bindings.get(providerId) ?? { binding: {}, owners: new Map<Slot, string>() };
  const claim = (slot: Slot) => {
    const owner = entry.owners.get(slot);
    if (owner && owner !== area) throw new Error(`${providerId}: ${slot} is bound by both ${owner} and ${area}`);
    entry.owners.set(slot, area);
  };
  if (binding.sync) claim("sync");
  if (binding.webhook?.verify) claim("webhook.verify");
  if (binding.webhook?.handle) claim("webhook.handle");
  if (binding.webhook?.respond) claim("webhook.respond");
  if (binding.beforeDisconnect) claim("beforeDisconnect");
  entry.binding = {
    ...entry.binding,
    ...binding,
    webhook: binding.webhook || entry.binding.webhook ? { ...entry.binding.webhook, ...binding.webhook } : undefined,
  };
  bindings.set(providerId, entry);
}

export function bindingOf(providerId: string): ProviderBinding {
  return bindings.get(providerId)?.binding ?? {};
}
