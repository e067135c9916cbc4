// Request bodies are capped at the node:http front (scripts/server.ts), for every path, before
// any handler reads a byte: next-auth's /api/auth routes read whatever they are sent, and
// Next.js buffers bodies for pages. Routes built with route() and the webhook inbox check their
// own limits too (lib/api.ts readBodyText); the front's limit for a path is never below those.
// - a declared Content-Length over the limit: 413 at once, the body is not read;
// - a body without a length (Transfer-Encoding: chunked) is counted as it arrives and held
//   back until it has all arrived within the limit (then handed on whole), or cut with a 413
//   the moment it passes the limit; whoever serves the path never sees an oversized body.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody, errors } from "@/lib/errors";
import type { Env } from "@/lib/env";

/** /api/auth (next-auth: sign-in form posts of an e-mail, a password and a CSRF token) */
export const AUTH_BODY_LIMIT_BYTES = 16 * 1024;
/** POST /api/v1/sms/bulk, /api/v1/email/bulk */
export const BULK_BODY_LIMIT_BYTES = 10 * 1_048_576;
/** POST /api/v1/email/send (attachments) */
export const EMAIL_BODY_LIMIT_BYTES = 15 * 1_048_576;

const LARGER: { path: RegExp; limit: number }[] = [
  { path: /^\/api\/v1\/email\/send\/?$/, limit: EMAIL_BODY_LIMIT_BYTES },
  { path: /^\/api\/v1\/(?:sms|email)\/bulk\/?$/, limit: BULK_BODY_LIMIT_BYTES },
];

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  if (u.startsWith("/")) return u.split(/[?#]/, 1)[0];
  try {
    return new URL(u).pathname; // absolute-form request targets
  } catch {
    return u;
  }
}

/** The most a request to `url` may send: /api/auth 16 KiB, webhooks WEBHOOK_BODY_LIMIT_BYTES, the few larger API routes theirs, everything else API_BODY_LIMIT_BYTES. */
export function bodyLimitFor(url: string | undefined, e: Pick<Env, "API_BODY_LIMIT_BYTES" | "WEBHOOK_BODY_LIMIT_BYTES">): number {
  const path = pathOf(url);
  if (path === "/api/auth" || path.startsWith("/api/auth/")) return AUTH_BODY_LIMIT_BYTES;
  if (path.startsWith("/api/webhooks/")) return e.WEBHOOK_BODY_LIMIT_BYTES;
  for (const r of LARGER) if (r.path.test(path)) return r.limit;
  return e.API_BODY_LIMIT_BYTES;
}

function refuse(req: IncomingMessage, res: ServerResponse, limit: number) {
  if (res.headersSent) {
    req.destroy();
    return;
  }
  const err = errors.tooLarge(limit);
  const body = JSON.stringify(errorBody(err.code, err.message));
  res.writeHead(err.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  // the rest of the body is not read: the connection closes once the answer is out
  res.end(body, () => req.destroy());
}

/**
 * Calls `proceed` once the request's body is known to fit `limit`, or answers 413 in the
 * error shape and never calls it. Bodies with a Content-Length go on at once (node reads no
 * more than declared); bodies without one are held until complete (at most `limit` bytes).
 */
export function limitBody(req: IncomingMessage, res: ServerResponse, limit: number, proceed: () => void): void {
  const declared = req.headers["content-length"];
  if (declared !== undefined) {
    if (Number(declared) > limit) refuse(req, res, limit);
    else proceed();
    return;
  }
  if (req.headers["transfer-encoding"] === undefined) {
    proceed(); // no body
    return;
  }
  // node's HTTP parser hands each piece of the body to req.push(): take them here first
  const push = req.push;
  const held: Buffer[] = [];
  let size = 0;
  let done = false;
  req.push = function hold(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (done) return false;
    if (chunk === null) {
      done = true;
      req.push = push;
      for (const c of held) push.call(req, c);
      push.call(req, null);
      process.nextTick(proceed); // after node's parser has finished with this message
      return false;
    }
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
    size += piece.length;
    if (size > limit) {
      done = true;
      held.length = 0;
      refuse(req, res, limit);
      return false;
    }
    held.push(piece);
    return true;
  };
}
