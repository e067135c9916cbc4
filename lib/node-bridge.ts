// The node:http <-> web Request/Response bridge of the node front (scripts/server.ts): the
// webhook inbox (lib/webhooks/node-front.ts) and the API's fast routes (scripts/fast-routes.ts)
// hand route handlers the NextRequest they get from Next.js and stream their Response back.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { NextRequest } from "next/server";

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
