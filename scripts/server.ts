// The web server: Next.js behind a small node:http front that decides the client address
// (the socket's, or with TRUST_PROXY=true what our proxies wrote into X-Forwarded-For) so rate limits and
// the audit trail cannot be fooled by a header a client made up.
import http from "node:http";
import next from "next";
import { env } from "@/lib/env";
import { CLIENT_IP_HEADER, clientAddress } from "@/lib/auth/client-ip";
import { logger } from "@/lib/logger";
import { bodyLimitFor, limitBody } from "@/lib/body-limit";

const dev = process.argv.includes("--dev");
const e = env();
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";

const app = next({ dev, dir: process.cwd(), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
// imported once Next.js is prepared: the shared modules reach into next/server
const { webhookTarget, serveWebhook } = await import("@/lib/webhooks/node-front");
const { fastRoute, serveFast } = await import("@/scripts/fast-routes");
const { refuseMalformedPath } = await import("@/lib/runtime/front-guard");

const server = http.createServer((req, res) => {
  // a path that does not percent-decode: 400 in the error shape, not the router's plain-text 500
  if (refuseMalformedPath(req, res)) return;
  // the socket's peer, or behind our own proxies the X-Forwarded-For entry TRUST_PROXY_HOPS from
  // the right (the left part is whatever the client sent)
  req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], {
    trustProxy: e.TRUST_PROXY,
    hops: e.TRUST_PROXY_HOPS,
  });
  req.headers["x-switchboard-path"] = req.url ?? "/";
  // every body is capped before anything reads it (lib/body-limit.ts): /api/auth 16 KiB, webhooks
  // WEBHOOK_BODY_LIMIT_BYTES, the rest API_BODY_LIMIT_BYTES; over it, 413 in the error shape
  limitBody(req, res, bodyLimitFor(req.url, e), () => serve(req, res));
});
server.headersTimeout = 30_000;
server.requestTimeout = 120_000;

/** Past the front's checks: the webhook inbox, the API's fast routes, or Next.js. */
function serve(req: http.IncomingMessage, res: http.ServerResponse) {
  // inbound webhooks skip the framework (lib/webhooks/node-front.ts)
  const hook = webhookTarget(req.method, req.url);
  if (hook) {
    serveWebhook(req, res, hook).catch((err) => {
      logger.error({ err: (err as Error).message }, "webhook front failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":{"code":"internal_error","message":"The webhook could not be stored; retry later"}}');
    });
    return;
  }
  // the API's hottest routes skip the framework too (scripts/fast-routes.ts); not in dev
  const fast = dev ? null : fastRoute(req.method, req.url);
  if (fast) {
    serveFast(req, res, fast).catch((err) => {
      logger.error({ err: (err as Error).message }, "API front failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":{"code":"internal_error","message":"Internal error"}}');
    });
    return;
  }
  void handle(req, res);
}

let workers: { stop(): Promise<void> } | undefined;
if (e.WORKERS_IN_WEB) {
  const { startWorkers } = await import("@/lib/wiring/worker");
  workers = await startWorkers();
}

server.listen(port, hostname, () => {
  logger.info({ port, hostname, dev }, "web server listening");
  process.send?.({ ready: true, port });
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeIdleConnections();
  await workers?.stop();
  await app.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
