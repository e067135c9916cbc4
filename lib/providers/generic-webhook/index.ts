// A custom system that exchanges signed webhooks with Switchboard, for systems the hub has no
// provider module for. Outbound: events are POSTed to the system's URL, signed with the shared
// secret (hex HMAC-SHA256 in X-Signature, or Standard Webhooks). Inbound: deliveries to
// /api/webhooks/receive/<code> are verified with the same secret and scheme, kept in the inbox
// and, when a forward URL is set, forwarded to the CRM signed with Standard Webhooks (the
// event's id as webhook-id on every attempt, so the CRM can deduplicate).
// Test connection = a signed "ping" event the receiver must accept with a 2xx.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineProvider, jsonObjectBody, PermanentWebhookError, type ProviderContext, type StoredWebhook } from "@/lib/providers/types";
import { classifyFailure, initOf, ProviderError } from "@/lib/providers/errors";
import { signHeaders, isStandardWebhookSecret, SIGNATURE_SCHEMES, type SignatureScheme } from "@/lib/providers/signing";
import { verifyCustom } from "@/lib/providers/generic-webhook/verify";
import { demo } from "./demo";

const credentials = z.strictObject({
  signingSecret: z
    .string()
    .trim()
    .min(24, "Use at least 24 characters")
    .max(256)
    .meta({
      title: "Signing secret",
      secret: true,
      description: "Shared with the system, both ways. For Standard Webhooks: whsec_ followed by base64",
    }),
  forwardSecret: z
    .string()
    .trim()
    .refine(isStandardWebhookSecret, "whsec_ followed by base64 of at least 24 bytes")
    .optional()
    .meta({
      title: "Forward signing secret",
      secret: true,
      description: "Standard Webhooks secret the CRM verifies forwarded events with (needed with a forward URL)",
    }),
});

const config = z.strictObject({
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
  idField: z
    .string()
    .trim()
    .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*){0,7}$/, "A field name, or a dot path such as data.event_id")
    .optional()
    .meta({
      title: "Event id field",
      description: "For hmac-sha256 only: the body field that holds the event's id (dot path), used to drop redeliveries. Default: id, else event_id; without one, the body's SHA-256",
    }),
  forwardUrl: z
    .url("A full URL such as https://crm.example.com/hooks/switchboard")
    .refine((u) => /^https?:\/\//i.test(u), "Only http(s) URLs")
    .optional()
    .meta({ title: "Forward inbound events to", description: "The CRM endpoint that gets every verified inbound event" }),
  forwardEventTypes: z
    .string()
    .trim()
    .max(1000)
    .optional()
    .meta({ title: "Forward only these types", description: "Comma-separated; a trailing * matches a prefix (order.*). Empty: all" }),
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

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" ? String(v) : null);

/** The value at a dot path ("data.event_id") of a JSON object, or undefined. */
function at(body: Record<string, unknown>, path: string): unknown {
  let v: unknown = body;
  for (const key of path.split(".")) {
    if (!v || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function typeMatches(filter: string | undefined, type: string) {
  const parts = (filter ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return true;
  return parts.some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : p === type));
}

/** The inbound event, passed on to the CRM with Standard Webhooks signatures. */
async function forward(ctx: ProviderContext<Cred, Conf>, event: StoredWebhook) {
  if (!ctx.credentials.forwardSecret) throw new PermanentWebhookError("a forward URL is set but no forward signing secret");
  const id = `fwd_${event.id.replace(/-/g, "")}`;
  const body = JSON.stringify({
    id,
    type: event.type,
    source: ctx.integration.code,
    received_at: event.receivedAt.toISOString(),
    data: event.payload,
  });
  const headers = {
    "content-type": "application/json",
    "user-agent": "Switchboard-Webhooks/1",
    ...signHeaders("standard-webhooks", ctx.credentials.forwardSecret, body, { id }),
  };
  // one HTTP attempt per processing attempt: the inbox owns retries and backoff (of any failure
  // but 410, whatever its classification: the CRM may be fixed meanwhile)
  const res = await ctx.call("webhook.forward", { method: "POST", url: ctx.config.forwardUrl!, headers, body, idempotent: true }, { retry: false }).catch(failed(CRM));
  if (res.status === 410) throw new PermanentWebhookError("the CRM endpoint answered 410 Gone");
  if (!res.ok) throw failed(CRM)(res);
  return res;
}

const CRM = "the CRM endpoint";
const RECEIVER = "the endpoint";

/** A failed call to the receiving system (or the CRM) as a ProviderError, in the words every provider uses. */
const failed =
  (name: string) =>
  (e: unknown): never => {
    const c = classifyFailure(e, { name });
    throw new ProviderError(c.message, initOf(c, { provider: "generic-webhook" }));
  };

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
  // the receiving system (a CRM, a forward URL) may live on the customer's own network
  network: "private-allowed",
  // the forward URL decides where every verified inbound event (and its signature) goes
  destinationFields: ["config.forwardUrl"],

  async testConnection(ctx) {
    if (!ctx.baseUrl) return { ok: false, message: "Set the endpoint URL of the receiving system first" };
    if (ctx.config.scheme === "standard-webhooks" && !isStandardWebhookSecret(ctx.credentials.signingSecret)) {
      return { ok: false, message: "Standard Webhooks needs a whsec_… secret (base64 of at least 24 bytes)" };
    }
    let res;
    try {
      res = await deliver(ctx, { type: "switchboard.ping", data: { integration: ctx.integration.code } }, "webhook.ping");
    } catch (e) {
      return { ok: false, message: classifyFailure(e, { name: RECEIVER, secrets: ctx.secrets }).message };
    }
    if (res.ok) return { ok: true, message: `The endpoint accepted a signed ping (HTTP ${res.status}, ${res.durationMs} ms)` };
    // what a receiver's 401/403 and 404 mean here; any other answer in the words every provider uses
    if (res.status === 401 || res.status === 403) {
      return { ok: false, message: `The endpoint rejected the signature (HTTP ${res.status}): both sides must use the same secret and scheme` };
    }
    if (res.status === 404) return { ok: false, message: "The endpoint URL was not found (HTTP 404)" };
    return { ok: false, message: classifyFailure(res, { name: RECEIVER }).message };
  },

  webhook: {
    scheme: "X-Signature (hex HMAC-SHA256 of the body) or Standard Webhooks, as configured",
    secretFields: ["signingSecret"],
    verify(req, ctx) {
      return verifyCustom(req, ctx.config.scheme as SignatureScheme, ctx.secretsFor("signingSecret"), ctx.config.signatureHeader);
    },
    parse(req, ctx) {
      const b = jsonObjectBody(req.rawBody);
      const type = str(b.type) ?? str(b.event) ?? str(b.event_type) ?? req.headers.get("x-event-type") ?? "event";
      // The id is the idempotency key, so it comes from what the signature covers. Standard
      // Webhooks signs webhook-id (with the timestamp and the body): it is the id. Plain
      // hmac-sha256 signs only the body: the body's id field (configurable), else none and the
      // inbox keys the event by the body's SHA-256. An unsigned header is never the id: a
      // replayer could change it and have a captured delivery stored and processed again.
      const id =
        ctx.config.scheme === "standard-webhooks"
          ? req.headers.get("webhook-id")
          : ctx.config.idField
            ? str(at(b, ctx.config.idField))
            : (str(b.id) ?? str(b.event_id));
      return { type, id, payload: b };
    },
    async handle(event, ctx) {
      if (!ctx.config.forwardUrl) return { outcome: "ignored", note: "kept in the inbox; no forward URL is configured" };
      if (!typeMatches(ctx.config.forwardEventTypes, event.type)) {
        return { outcome: "ignored", note: `type ${event.type} is not in the forward list` };
      }
      const res = await forward(ctx, event);
      return { outcome: "completed", note: `forwarded to the CRM (HTTP ${res.status}, ${res.durationMs} ms)` };
    },
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
    // a forward target inside the sandbox is configured the same way (the CRM's side)
    const fwd = ctx.config.forwardUrl;
    const sandboxBase = ctx.baseUrl.slice(0, ctx.baseUrl.indexOf("/generic-webhook/"));
    if (fwd && ctx.credentials.forwardSecret && sandboxBase && fwd.startsWith(`${sandboxBase}/generic-webhook/hooks/`)) {
      await ctx.call(
        "sandbox.configure",
        { method: "PUT", url: fwd.replace("/hooks/", "/__hooks/"), body: { secret: ctx.credentials.forwardSecret, scheme: "standard-webhooks" } },
        { retry: false },
      );
    }
  },
  sandbox: () => import("./sandbox"),
  demo,
});
