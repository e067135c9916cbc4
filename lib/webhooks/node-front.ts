// The webhook hot path served straight from the node:http front (scripts/server.ts), before
// Next.js routing: the same ingestWebhook() as the App Router routes in app/api/webhooks
// (which serve `next dev` and any other host), minus the framework's per-request work.
// bench/webhooks.ts measures the difference.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { handleWebhookRequest } from "@/lib/webhooks/route";
import type { IngestTarget } from "@/lib/webhooks/ingest";

const PATH = /^\/api\/webhooks\/(?:receive\/([^/?#]+)|([^/?#]+)\/([^/?#]+))\/?(?:\?.*)?$/;

export function webhookTarget(method: string | undefined, url: string | undefined): IngestTarget | null {
  if (method !== "POST" || !url?.startsWith("/api/webhooks/")) return null;
  const m = PATH.exec(url);
  if (!m) return null;
  try {
    return m[1] ? { provider: null, code: decodeURIComponent(m[1]) } : { provider: decodeURIComponent(m[2]), code: decodeURIComponent(m[3]) };
  } catch {
    return null; // malformed escapes: let the router answer
  }
}

export async function serveWebhook(req: IncomingMessage, res: ServerResponse, target: IngestTarget) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: "POST",
    headers,
    body: Readable.toWeb(req) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const response = await handleWebhookRequest(request, target);
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => (out[k] = v));
  const body = Buffer.from(await response.arrayBuffer());
  out["content-length"] = String(body.length);
  res.writeHead(response.status, out);
  res.end(body);
  // a refused body (413) may still be arriving: do not keep reading it
  if (!req.complete) req.destroy();
}
