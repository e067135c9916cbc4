// A custom system that exchanges signed webhooks with Switchboard. Outbound: events are
// POSTed to the system's URL, signed with the shared secret (hex HMAC-SHA256 in X-Signature,
// or Standard Webhooks). Inbound deliveries go to /api/webhooks/receive/<code> (the inbox).
// Test connection = a signed "ping" event the receiver must accept with a 2xx.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineProvider, type ProviderContext } from "@/lib/providers/types";
import { HttpError } from "@/lib/http";
import { signHeaders, isStandardWebhookSecret, SIGNATURE_SCHEMES, type SignatureScheme } from "@/lib/webhooks/signing";

const credentials = z.object({
  signingSecret: z
    .string()
    .trim()
    .min(24, "Use at least 24 characters")
    .max(256)
    .meta({
      title: "Signing secret",
      secret: true,
      description: "Shared with the receiving system. For Standard Webhooks: whsec_ followed by base64",
    }),
});

const config = z.object({
  scheme: z
    .enum(SIGNATURE_SCHEMES)
    .default("hmac-sha256")
    .meta({ title: "Signature scheme", description: "hmac-sha256: hex HMAC of the body in a header; standard-webhooks: webhook-id/-timestamp/-signature" }),
  signatureHeader: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "A header name")
    .default("X-Signature")
    .meta({ title: "Signature header", description: "For hmac-sha256 only" }),
});

type Cred = z.output<typeof credentials>;
type Conf = z.output<typeof config>;

export type OutboundEvent = { id?: string; type: string; data: unknown };

export async function deliver(ctx: ProviderContext<Cred, Conf>, event: OutboundEvent, action = "webhook.deliver") {
  const id = event.id ?? `evt_${randomUUID().replace(/-/g, "")}`;
  const body = JSON.stringify({ id, type: event.type, created_at: new Date().toISOString(), data: event.data });
  const headers = {
    "content-type": "application/json",
    "user-agent": "Switchboard-Webhooks/1",
    ...signHeaders(ctx.config.scheme as SignatureScheme, ctx.credentials.signingSecret, body, {
      id,
      header: ctx.config.signatureHeader,
    }),
  };
  // same event id on every attempt: the receiver can deduplicate, so retrying a POST is safe
  return ctx.call(action, { method: "POST", url: ctx.baseUrl, headers, body, idempotent: true });
}

export default defineProvider({
  id: "generic-webhook",
  name: "Custom webhook",
  category: "webhook",
  description: "Any system that sends or receives signed JSON webhooks (HMAC-SHA256 or Standard Webhooks).",
  docsUrl: "https://www.standardwebhooks.com/",
  capabilities: ["webhook.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  // the endpoint is the receiving system's URL; the sandbox has a receiver per integration code
  defaultEndpoints: { sandbox: "/generic-webhook/hooks/{code}" },

  async testConnection(ctx) {
    if (!ctx.baseUrl) return { ok: false, message: "Set the endpoint URL of the receiving system first" };
    if (ctx.config.scheme === "standard-webhooks" && !isStandardWebhookSecret(ctx.credentials.signingSecret)) {
      return { ok: false, message: "Standard Webhooks needs a whsec_… secret (base64 of at least 24 bytes)" };
    }
    try {
      const res = await deliver(ctx, { type: "switchboard.ping", data: { integration: ctx.integration.code } }, "webhook.ping");
      if (res.ok) return { ok: true, message: `The endpoint accepted a signed ping (HTTP ${res.status}, ${res.durationMs} ms)` };
      if (res.status === 401 || res.status === 403) {
        return { ok: false, message: `The endpoint rejected the signature (HTTP ${res.status}): both sides must use the same secret and scheme` };
      }
      if (res.status === 404) return { ok: false, message: "The endpoint URL was not found (HTTP 404)" };
      return { ok: false, message: `The endpoint answered HTTP ${res.status}` };
    } catch (e) {
      if (e instanceof HttpError) return { ok: false, message: e.kind === "timeout" ? "The endpoint did not answer in time" : `Could not reach the endpoint: ${e.message}` };
      throw e;
    }
  },

  async sandboxConnect(ctx) {
    // like configuring the receiving system: tell the emulator which secret and scheme to expect
    await ctx.call(
      "sandbox.configure",
      {
        method: "PUT",
        url: ctx.baseUrl.replace("/hooks/", "/__hooks/"),
        body: { secret: ctx.credentials.signingSecret, scheme: ctx.config.scheme, header: ctx.config.signatureHeader },
      },
      { retry: false },
    );
  },
});
