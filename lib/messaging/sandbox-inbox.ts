// What the local provider emulators "delivered" (every SMS, e-mail, push and chat message),
// read from the sandbox server's control API for the dashboard's Sandbox inbox.
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import type { InboxItem } from "@/lib/sandbox/kit";

export async function sandboxInbox(q: { provider?: string; kind?: string }) {
  const url = `${env().SANDBOX_URL.replace(/\/$/, "")}/__control/inbox${q.provider ? `?provider=${encodeURIComponent(q.provider)}` : ""}`;
  let items: InboxItem[];
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    items = ((await res.json()) as { items: InboxItem[] }).items;
  } catch (e) {
    throw new ApiError(503, "unavailable", `The sandbox server at ${env().SANDBOX_URL} did not answer (${(e as Error).message}): it runs with npm start`);
  }
  return { sandboxUrl: env().SANDBOX_URL, items: q.kind ? items.filter((i) => i.kind === q.kind) : items };
}
