// Serves inbound webhooks over real HTTP (the same node:http front `npm start` uses), so a
// sandbox can call the app back (Twilio status callbacks, SendGrid events, Telegram updates).
// Sets PUBLIC_BASE_URL, which the webhook URLs given to providers (and Twilio's signature
// check) are built from.
import { createServer } from "node:http";
import { afterAll, beforeAll } from "vitest";
import type { AddressInfo } from "node:net";
import { serveWebhook, webhookTarget } from "@/lib/webhooks/node-front";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";

export async function startWebhookServer() {
  const server = createServer((req, res) => {
    // like scripts/server.ts: the caller's address comes from the socket (YooKassa's allow-list)
    req.headers[CLIENT_IP_HEADER] = (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    const target = webhookTarget(req.method, req.url);
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    serveWebhook(req, res, target).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.PUBLIC_BASE_URL = url;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The webhook front for this test file: started before its tests (and before any integration: sandboxConnect registers its URL), closed after them. */
export function useWebhookServer() {
  const front = {} as Awaited<ReturnType<typeof startWebhookServer>>;
  beforeAll(async () => {
    Object.assign(front, await startWebhookServer());
  });
  afterAll(async () => {
    await front.close?.();
  });
  return front;
}
