// Emulator of a custom system's webhook receiver: /generic-webhook/hooks/<name> verifies the
// signature the way a careful receiver would (secret and scheme configured beforehand through
// PUT /generic-webhook/__hooks/<name>, like setting up the real system), answers 401 on a bad
// signature, 404 for an unknown receiver, and deduplicates by event id.
import type { SandboxModule } from "@/lib/sandbox/kit";
import { verifySignature, SIGNATURE_SCHEMES, type SignatureScheme } from "@/lib/providers/signing";

type Receiver = { secret: string; scheme: SignatureScheme; header: string; seen: Set<string> };

const genericWebhook: SandboxModule = {
  id: "generic-webhook",
  mount(app, kit) {
    const receivers = () => kit.state("generic-webhook", () => new Map<string, Receiver>());

    app.put("/__hooks/:name", async (c) => {
      const b = (await c.req.json().catch(() => null)) as { secret?: string; scheme?: string; header?: string } | null;
      if (!b?.secret || !SIGNATURE_SCHEMES.includes(b.scheme as SignatureScheme)) {
        return c.json({ error: "secret and scheme (hmac-sha256 | standard-webhooks) are required" }, 400);
      }
      receivers().set(c.req.param("name"), { secret: b.secret, scheme: b.scheme as SignatureScheme, header: b.header ?? "X-Signature", seen: new Set() });
      return c.body(null, 204);
    });

    app.post("/hooks/:name", async (c) => {
      const r = receivers().get(c.req.param("name"));
      if (!r) return c.json({ error: "no receiver with this name" }, 404);
      const body = await c.req.text();
      const check = verifySignature(r.scheme, [r.secret], body, c.req.raw.headers, { header: r.header });
      if (!check.ok) return c.json({ error: `invalid signature: ${check.reason}` }, 401);
      let event: { id?: string; type?: string };
      try {
        event = JSON.parse(body);
      } catch {
        return c.json({ error: "body is not JSON" }, 400);
      }
      const id = event.id ?? c.req.header("webhook-id") ?? "";
      if (id && r.seen.has(id)) return c.json({ received: true, duplicate: true });
      if (id) r.seen.add(id);
      kit.inbox.push({ provider: "generic-webhook", kind: "webhook", to: c.req.param("name"), summary: event.type ?? "event", payload: event });
      return c.json({ received: true });
    });
  },
};

export default genericWebhook;
