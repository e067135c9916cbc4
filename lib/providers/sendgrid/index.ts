// SendGrid email (issue 4): sends through the official SDK against v3 /mail/send, delivery
// reports from the signed Event Webhook (ECDSA P-256). Test connection = GET /v3/scopes: the
// key works and may send mail.
import { createPublicKey } from "node:crypto";
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { verifySendgrid } from "@/lib/providers/sendgrid/verify";
import { explain, sendgridFor, toSendError, type SendgridContext } from "@/lib/providers/sendgrid/client";
import { handleEvents, parseEvents } from "@/lib/providers/sendgrid/webhook";
import { demo } from "./demo";

/** The verification key as SendGrid shows it (base64 DER), or PEM: must be an EC public key. */
export function isEcPublicKey(v: string): boolean {
  try {
    const key = v.includes("-----BEGIN")
      ? createPublicKey(v)
      : createPublicKey({ key: Buffer.from(v.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ec";
  } catch {
    return false;
  }
}

const credentials = z.strictObject({
  apiKey: z
    .string()
    .trim()
    .regex(/^SG\.[A-Za-z0-9_.-]{8,200}$/, "A SendGrid API key starts with SG. (SG.xxxx.yyyy)")
    .meta({ title: "API key", secret: true, description: "Settings → API Keys; needs at least the Mail Send permission" }),
  webhookPublicKey: z
    .string()
    .trim()
    .refine(isEcPublicKey, "The verification key SendGrid shows: base64 (MFkwEwYHKoZIzj0CAQYI…) or a PEM public key")
    .optional()
    .meta({
      title: "Event Webhook verification key",
      widget: "textarea",
      description:
        "Settings → Mail Settings → Event Webhook → Signature Verification. Needed to accept delivery reports (opens, bounces…)",
    }),
});

const email = z.string().trim().toLowerCase().email("An email address");

const config = z.strictObject({
  fromEmail: email.meta({ title: "From address", description: "A verified sender identity (or an address on an authenticated domain)" }),
  fromName: z.string().trim().max(200).optional().meta({ title: "From name", description: "Shown to recipients, e.g. Acme Transfers" }),
  replyTo: email.optional().meta({ title: "Reply-To", description: "Where replies go when a message names no reply address" }),
  categories: z
    .array(z.string().trim().min(1).max(255))
    .max(10)
    .optional()
    .meta({ title: "Categories", description: "Added to every message (SendGrid allows 10 in all); shown in SendGrid's statistics" }),
  ratePerSecond: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .optional()
    .meta({ title: "Sends per second", description: "0 = no limit. Default 10 (SendGrid free tier: 600 requests a minute)" }),
});

/** The settings the sandbox (or an admin, in SendGrid's dashboard) gives the Event Webhook. */
const EVENT_SETTINGS = {
  enabled: true,
  processed: true,
  deferred: true,
  delivered: true,
  bounce: true,
  dropped: true,
  open: true,
  click: true,
  spam_report: true,
  unsubscribe: true,
  group_unsubscribe: true,
  group_resubscribe: false,
};

export default defineProvider({
  id: "sendgrid",
  name: "SendGrid",
  category: "email",
  description: "Transactional email through SendGrid, with delivery, bounce and open reports from its signed Event Webhook.",
  docsUrl: "https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send",
  capabilities: ["email.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api.sendgrid.com", sandbox: "/sendgrid" },

  async testConnection(ctx) {
    const { client } = sendgridFor(ctx as SendgridContext, "sendgrid.scopes");
    let scopes: string[];
    try {
      const [, body] = await client.request({ method: "GET", url: "/v3/scopes" });
      scopes = Array.isArray((body as { scopes?: unknown })?.scopes) ? ((body as { scopes: unknown[] }).scopes.map(String)) : [];
    } catch (e) {
      return { ok: false, message: explain(e, ctx as SendgridContext) };
    }
    const details = { scopes: scopes.length, canSend: scopes.includes("mail.send") };
    if (!scopes.includes("mail.send")) {
      return {
        ok: false,
        message: "The API key works but may not send mail: give it the Mail Send permission (Settings → API Keys)",
        details,
      };
    }
    const hooks = ctx.credentials.webhookPublicKey ? "" : " Delivery reports need the Event Webhook verification key.";
    return { ok: true, message: `Connected: the key may send mail.${hooks}`, details };
  },

  messaging: {
    channels: ["email"],
    defaultRatePerSecond: 10,
    async send(ctx, msg) {
      const c = ctx as SendgridContext;
      const { mail, sent } = sendgridFor(c, "sendgrid.mail.send");
      // SendGrid refuses more than 10: analytics tags are not worth failing a message over
      const categories = [...new Set([...(c.config.categories ?? []), ...(msg.options.categories ?? [])])].slice(0, 10);
      const replyTo = msg.options.replyTo ?? c.config.replyTo;
      try {
        const [res] = await mail.send({
          from: { email: c.config.fromEmail, ...(c.config.fromName ? { name: c.config.fromName } : {}) },
          to: { email: msg.to, ...(msg.toName ? { name: msg.toName } : {}) },
          subject: msg.subject ?? "",
          // SendGrid wants text/plain first, html only when there is some
          ...(msg.text ? { text: msg.text } : {}),
          ...(msg.html ? { html: msg.html } : {}),
          ...(msg.options.attachments?.length
            ? {
                attachments: msg.options.attachments.map((a) => ({
                  content: a.content,
                  filename: a.filename,
                  type: a.contentType,
                  disposition: "attachment",
                })),
              }
            : {}),
          ...(categories.length ? { categories } : {}),
          customArgs: { ...(msg.options.customArgs ?? {}), switchboard_message_id: msg.id },
          ...(replyTo ? { replyTo } : {}),
        } as never);
        const h = res.headers as { get?(n: string): unknown; [k: string]: unknown };
        const id = (typeof h?.get === "function" ? h.get("x-message-id") : h?.["x-message-id"]) as string | undefined;
        return { providerMessageId: id ? String(id) : null, status: "sent", providerStatus: `accepted (${res.statusCode})` };
      } catch (e) {
        throw toSendError(e, c, sent.requests > 0);
      }
    },
  },

  webhook: {
    scheme: "X-Twilio-Email-Event-Webhook-Signature (ECDSA P-256, signed timestamp + body)",
    secretFields: ["webhookPublicKey"],
    verify(req, ctx) {
      const keys = ctx.secretsFor("webhookPublicKey");
      if (!keys.length) {
        return {
          ok: false,
          scheme: "sendgrid-ecdsa",
          reason: "no Event Webhook verification key is configured: copy it from SendGrid (Mail Settings → Event Webhook → Signature Verification)",
        };
      }
      return verifySendgrid(req, keys);
    },
    parse(req) {
      return { type: "email.events", id: null, payload: parseEvents(req.rawBody) };
    },
    handle: (event) => handleEvents(event),
  },

  async sandboxConnect(ctx) {
    // what an admin does in SendGrid's dashboard: point the Event Webhook at us, turn on signing
    const { client } = sendgridFor(ctx as SendgridContext, "sendgrid.webhook.settings");
    await client.request({
      method: "PATCH",
      url: "/v3/user/webhooks/event/settings",
      body: { ...EVENT_SETTINGS, url: ctx.webhookUrl },
    });
    await client.request({ method: "PATCH", url: "/v3/user/webhooks/event/settings/signed", body: { enabled: true } });
  },
  sandbox: () => import("./sandbox"),
  demo,
});
