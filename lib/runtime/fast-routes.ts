// The API's hottest routes served straight from the node:http front (scripts/server.ts),
// before Next.js routing: the very same route handlers as the App Router files (which still
// serve `next dev` and any other host), minus the framework's per-request work (several ms of
// CPU per request on these machines). Responses stream, so the live position stream (SSE)
// works here too. bench/tracking.ts and bench/payments.ts measure these paths.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { NextRequest } from "next/server";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: { method: string; path: RegExp; load: () => Promise<Handler> }[] = [
  { method: "POST", path: /^\/api\/v1\/tracking\/locations\/?(?:\?.*)?$/, load: async () => (await import("@/app/api/v1/tracking/locations/route")).POST as Handler },
  { method: "GET", path: /^\/api\/v1\/tracking\/stream\/?(?:\?.*)?$/, load: async () => (await import("@/app/api/v1/tracking/stream/route")).GET as Handler },
  { method: "POST", path: /^\/api\/v1\/payments\/?(?:\?.*)?$/, load: async () => (await import("@/app/api/v1/payments/route")).POST as Handler },
];

export function fastRoute(method: string | undefined, url: string | undefined): (() => Promise<Handler>) | null {
  if (!url?.startsWith("/api/v1/")) return null;
  return ROUTES.find((r) => r.method === method && r.path.test(url))?.load ?? null;
}

/** The node request as a web Request (NextRequest: route handlers take it as Next.js gives it). */
export function toWebRequest(req: IncomingMessage, signal?: AbortSignal): NextRequest {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new NextRequest(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as ConstructorParameters<typeof NextRequest>[1]);
}

/** Writes a web Response to the node response: buffered with its length, or chunk by chunk for an event stream. */
export async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response) {
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => (out[k] = v));
  if (!response.body) {
    res.writeHead(response.status, out);
    res.end();
    return;
  }
  if (!out["content-type"]?.startsWith("text/event-stream")) {
    const body = Buffer.from(await response.arrayBuffer());
    out["content-length"] = String(body.length);
    res.writeHead(response.status, out);
    res.end(body);
    if (!req.complete) req.destroy(); // a refused body may still be arriving: do not keep reading it
    return;
  }
  res.writeHead(response.status, out);
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done) break;
    if (!res.write(value)) await new Promise((r) => res.once("drain", r).once("close", r));
    if (res.destroyed) break;
  }
  res.end();
}

export async function serveFast(req: IncomingMessage, res: ServerResponse, load: () => Promise<Handler>) {
  const handler = await load();
  // the client going away aborts the request (an SSE stream stops, its LISTEN subscription ends)
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  await writeResponse(req, res, await handler(toWebRequest(req, gone.signal), { params: Promise.resolve({}) }));
}
