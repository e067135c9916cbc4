// The node:http front's (scripts/server.ts) first look at a request, before any routing: a path
// whose percent-encoding does not decode (`/api/v1/alerts/%ff`) is refused here with a 400 in the
// project's error shape. Left to Next.js, its router fails to decode the dynamic segment and
// answers a plain-text 500 on every dynamic route, before any of our code (authentication
// included) runs.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody } from "@/lib/errors";

/** The path's first segment that does not percent-decode (or holds a NUL once decoded), or null. */
export function malformedPathSegment(url: string | undefined): string | null {
  const path = (url ?? "/").split(/[?#]/, 1)[0];
  for (const seg of path.split("/")) {
    if (!seg.includes("%")) continue;
    try {
      if (decodeURIComponent(seg).includes("\u0000")) return seg;
    } catch {
      return seg;
    }
  }
  return null;
}

/** Answers 400 and returns true when the request's path is malformed; false otherwise. */
export function refuseMalformedPath(req: IncomingMessage, res: ServerResponse): boolean {
  const seg = malformedPathSegment(req.url);
  if (seg === null) return false;
  const body = JSON.stringify(
    errorBody("validation_failed", "The path is invalid: a segment is not valid percent-encoding", [
      { path: "", message: `"${seg.slice(0, 100)}" is not a valid percent-encoded path segment` },
    ]),
  );
  res.writeHead(400, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
  req.resume(); // drain any body the client is sending; the connection closes after the answer
  return true;
}
