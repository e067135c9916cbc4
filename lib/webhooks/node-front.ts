// The webhook hot path served straight from the node:http front (scripts/server.ts), before
// Next.js routing: the same ingestWebhook() as the App Router routes in app/api/webhooks
// (which serve `next dev` and any other host), minus the framework's per-request work.
// bench/webhooks.ts measures the difference.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleWebhookRequest } from "@/lib/webhooks/route";
import type { IngestTarget } from "@/lib/webhooks/ingest";
import { toWebRequest, writeResponse } from "@/lib/node-bridge";

const PATH = /^\/api\/webhooks\/(?:receive\/([^/?#]+)|([^/?#]+)\/([^/?#]+))\/?(?:\?.*)?$/;

export function webhookTarget(method: string | undefined, url: string | undefined): IngestTarget | null {
  if (method !== "POST" || !url?.startsWith("/api/webhooks/")) return null;
  const m = PATH.exec(url);
  if (!m) return null;
  try {
    return m[1] ? { provider: null, code: decodeURIComponent(m[1]) } : { provider: decodeURIComponent(m[2]), code: decodeURIComponent(m[3]) };
  } catch {
    return null; // malformed escapes: lib/runtime/front-guard.ts has already answered 400
  }
}

export async function serveWebhook(req: IncomingMessage, res: ServerResponse, target: IngestTarget) {
  await writeResponse(req, res, await handleWebhookRequest(toWebRequest(req), target));
}
