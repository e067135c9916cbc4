// Email over SMTP (Gmail with an app password, Yandex, Microsoft 365, a company relay) through
// nodemailer. Test connection = a real login (transporter.verify). A 250 after DATA means the
// server accepted the message for delivery, not that it was delivered: SMTP reports nothing
// back, so messages stay "sent" (bounces arrive later as email to the sender, which we do not read).
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { demo } from "./demo";
import {
  explain,
  resolveTarget,
  smtpSession,
  toSendError,
  urlOf,
  type SmtpContext,
  type Target,
} from "@/lib/providers/smtp/client";

const credentials = z.strictObject({
  username: z
    .string()
    .trim()
    .min(1, "The login, usually the full email address")
    .max(320)
    .meta({ title: "Username", description: "Usually the mailbox's full address" }),
  password: z
    .string()
    .min(1, "The password or app password")
    .max(1000)
    .meta({ title: "Password", secret: true, description: "For Gmail and Yandex: an app password, not the account password" }),
});

const config = z.strictObject({
  host: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$/, "A host name such as smtp.gmail.com")
    .optional()
    .meta({ title: "SMTP server", description: "e.g. smtp.gmail.com, smtp.yandex.ru, smtp.office365.com (not used in sandbox mode)" }),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .meta({ title: "Port", description: "Default 465 for TLS, 587 for STARTTLS, 25 without encryption" }),
  security: z
    .enum(["tls", "starttls", "none"])
    .default("starttls")
    .meta({
      title: "Encryption",
      description: "tls: TLS from the first byte (port 465); starttls: plain connection upgraded, required (port 587); none: no encryption (local relays only)",
    }),
  fromEmail: z.string().trim().toLowerCase().email("An email address").meta({ title: "From address", description: "Most servers only accept the mailbox you log in with (or its aliases)" }),
  fromName: z.string().trim().max(200).optional().meta({ title: "From name", description: "Shown to recipients, e.g. Acme Transfers" }),
  allowSelfSigned: z
    .boolean()
    .default(false)
    .meta({ title: "Accept self-signed certificates", description: "Only for your own server whose certificate is not publicly trusted" }),
  ratePerSecond: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .optional()
    .meta({
      title: "Sends per second",
      // UNCONFIRMED: Gmail publishes daily limits (about 500 a day for a personal account,
      // 2,000 for Workspace) and throttles bursts without a published per-second figure
      description: "0 = no limit. Default 5 (mailbox providers such as Gmail throttle bursts and cap messages a day)",
    }),
});

const SECURITY_WORD = { tls: "TLS", starttls: "STARTTLS", none: "no encryption" } as const;

export default defineProvider({
  id: "smtp",
  name: "SMTP",
  category: "email",
  description: "Email through any SMTP server (Gmail app password, Yandex, Microsoft 365, your own relay). No delivery reports.",
  docsUrl: "https://nodemailer.com/smtp/",
  capabilities: ["email.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  // live: the host and port in the config; sandbox: the sandbox server's SMTP listeners
  defaultEndpoints: { sandbox: "/smtp" },
  // a company mail server or relay is often on the local network
  network: "private-allowed",
  // the server and how it is reached: a changed one could collect the password, or read it in clear
  destinationFields: ["config.host", "config.port", "config.security", "config.allowSelfSigned"],

  async testConnection(ctx) {
    const c = ctx as SmtpContext;
    let target: Target | null = null;
    try {
      target = await resolveTarget(c);
      const t = target;
      await smtpSession(c, t, "smtp.verify", (tr) => tr.verify(), () => "login accepted");
      const via = SECURITY_WORD[t.security];
      return {
        ok: true,
        message: `Connected to ${t.host}:${t.port} (${via}) and logged in as ${c.credentials.username}`,
        details: { server: urlOf(t), security: t.security, sandbox: t.sandbox },
      };
    } catch (e) {
      return { ok: false, message: explain(e, c, target), ...(target ? { details: { server: urlOf(target), security: target.security } } : {}) };
    }
  },

  messaging: {
    channels: ["email"],
    // UNCONFIRMED: see ratePerSecond above
    defaultRatePerSecond: 5,
    async send(ctx, msg) {
      const c = ctx as SmtpContext;
      let target: Target | null = null;
      try {
        target = await resolveTarget(c);
        const info = await smtpSession(
          c,
          target,
          "smtp.send",
          (tr) =>
            tr.sendMail({
              from: c.config.fromName ? { name: c.config.fromName, address: c.config.fromEmail } : c.config.fromEmail,
              to: msg.toName ? { name: msg.toName, address: msg.to } : msg.to,
              subject: msg.subject ?? "",
              text: msg.text,
              ...(msg.html ? { html: msg.html } : {}),
              ...(msg.options.replyTo ? { replyTo: msg.options.replyTo } : {}),
              attachments: (msg.options.attachments ?? []).map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
                encoding: "base64",
              })),
              headers: { "X-Switchboard-Message-Id": msg.id },
            }),
          (i) => `${i.response} (message id ${i.messageId})`,
        );
        // accepted for delivery, which is all SMTP ever tells us
        return { providerMessageId: info.messageId, status: "sent", providerStatus: info.response.slice(0, 200) };
      } catch (e) {
        throw toSendError(e, c, target);
      }
    },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
