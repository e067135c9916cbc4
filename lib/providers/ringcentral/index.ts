// RingCentral: click-to-call (RingOut), SMS for the messaging service, the call log synced into
// call_logs, and webhook notifications (telephony sessions, message store) through a WebHook
// subscription kept alive by lib/telephony/maintenance.ts. OAuth 2.0 authorization code with
// PKCE (lib/oauth connects, stores and refreshes the tokens; the SDK never refreshes, see
// client.ts). Test connection = GET /restapi/v1.0/account/~/extension/~.
import { z } from "zod";
import { defineProvider, OAuthReconnectError, SendError, type SendResult, type StatusUpdate } from "@/lib/providers/types";
import { sendErrorOf, transportCode } from "@/lib/providers/errors";
import { ringCentralHandshake, verifyRingCentral } from "@/lib/providers/ringcentral/verify";
import {
  DEVTEST_SERVER,
  LIVE_SERVER,
  RingCentralError,
  explain,
  fromTransport,
  getExtension,
  getMessage,
  sendSms,
  type RingCentralContext,
} from "@/lib/providers/ringcentral/client";
import { parseNotification } from "@/lib/providers/ringcentral/webhook";
import { demo } from "./demo";

const E164 = /^\+[1-9]\d{6,14}$/;

const credentials = z.strictObject({
  clientId: z.string().trim().min(8, "The Client ID from the RingCentral Developer Console").max(200).meta({
    title: "Client ID",
    description: "RingCentral Developer Console → your app (Server-side web app, Auth: Authorization Code) → Credentials",
  }),
  clientSecret: z.string().trim().min(8, "The Client Secret from the RingCentral Developer Console").max(200).meta({
    title: "Client secret",
    secret: true,
    description: "Same page as the Client ID. Add the redirect URI shown on the integration page to the app",
  }),
  verificationToken: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,64}$/, "16–64 letters, digits, - or _")
    .optional()
    .meta({
      title: "Webhook verification token",
      secret: true,
      // made by Switchboard (lib/telephony/maintenance.ts): nobody can enter it again, so a change
      // of destination drops it and a new one is made with the next subscription
      generated: true,
      description: "Set by Switchboard when it subscribes to RingCentral's events; RingCentral sends it back with every notification. Leave empty",
    }),
});

const config = z.strictObject({
  fromNumber: z
    .string()
    .trim()
    .regex(E164, "An E.164 number: + then the country code and number, e.g. +14155550123")
    .optional()
    .meta({
      title: "From number",
      description: "E.164. The phone RingCentral rings first for click-to-call (RingOut), and the SMS sender (one of the account's SMS-enabled numbers)",
    }),
  playPrompt: z.boolean().default(true).meta({
    title: "Play prompt",
    description: "RingOut: the 'from' phone hears \"press 1 to connect\" before the other party is called (RingCentral's default), so a voicemail answering it never gets connected",
  }),
  callLogFrom: z
    .string()
    .trim()
    .refine((v) => /^\d{4}-\d{2}-\d{2}(T.+)?$/.test(v) && !Number.isNaN(Date.parse(v)), "A date such as 2026-01-31 (or an ISO date and time)")
    .optional()
    .meta({ title: "Sync call log from", description: "Date of the oldest calls the first call-log sync reads, e.g. 2026-01-31 (default: 30 days back)" }),
  callLogLevel: z.enum(["extension", "account"]).optional().meta({
    title: "Call log",
    description: "extension: the connected user's calls (default); account: the whole company's (the user must be a RingCentral admin)",
  }),
  callLogOverlapMinutes: z.number().int().min(0).max(1440).optional().meta({
    title: "Re-read window (minutes)",
    description: "Each sync re-reads this far before the newest call it has (default 120): a call reaches the call log when it ends, with the time it started",
  }),
  subscriptionTtlSeconds: z.number().int().min(3600).max(630_720_000).optional().meta({
    title: "Subscription lifetime (seconds)",
    description: "How long each webhook subscription lasts before it must be renewed (default 604800 = 7 days); renewed automatically",
  }),
  ratePerSecond: z.number().int().min(0).max(100).optional().meta({
    title: "SMS per second",
    // UNCONFIRMED exact figures: RingCentral does not publish them for every number type
    description: "0 = no limit. Default 1: RingCentral limits SMS per number and per app",
  }),
});

/** RingCentral's message status → ours (null: says nothing about an outbound message). */
export function mapMessageStatus(s: string): StatusUpdate["status"] | null {
  switch (s) {
    case "Queued":
    case "Sent":
      return "sent";
    case "Delivered":
      return "delivered";
    case "DeliveryFailed":
      return "undelivered";
    case "SendingFailed":
      return "failed";
    default:
      return null; // Received, Read …: inbound
  }
}

/**
 * Any failure of an SMS send as a SendError with RingCentral's classification (lib/providers/errors.ts):
 * the recipient's or the text's fault permanent, the rest transient.
 */
export function toSendError(e: unknown): SendError {
  if (e instanceof SendError) return e;
  if (e instanceof OAuthReconnectError) return new SendError(`RingCentral must be connected again: ${e.message}`, "transient", { code: "needs_reconnect", failure: "auth" });
  const err = e instanceof RingCentralError ? e : fromTransport(e);
  const tag = err.opts.errorCode ? `ringcentral_${err.opts.errorCode}` : err.status ? `http_${err.status}` : transportCode(err);
  const param = err.opts.parameter ?? "";
  // 401 after a refresh, 403 (no SMS permission on the app or number), 429, 5xx, timeouts, a
  // wrong sender: this integration cannot send it now, another one may
  return sendErrorOf(err, { name: "RingCentral", kind: err.status === 400 && (param.startsWith("to") || param === "text") ? "permanent" : "transient", code: tag });
}

const isoOrUndefined = (s?: string) => (s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : undefined);

export default defineProvider({
  id: "ringcentral",
  name: "RingCentral",
  category: "telephony",
  description:
    "Click-to-call (RingOut) with the call's live status, the call log synced into Switchboard and linked to contacts and drivers by phone number, SMS for the messaging service, and real-time call and message events through a webhook subscription renewed automatically. Connects with OAuth. Live: platform.ringcentral.com; RingCentral's own developer sandbox is https://platform.devtest.ringcentral.com (set it as the endpoint).",
  docsUrl: "https://developers.ringcentral.com/api-reference",
  capabilities: ["sms.send", "calls.ringout", "calls.log"],
  credentials,
  config,
  auth: {
    type: "oauth2",
    grant: "authorization_code",
    authorizeUrl: { live: `${LIVE_SERVER}/restapi/oauth/authorize`, sandbox: "/ringcentral/restapi/oauth/authorize" },
    tokenUrl: { live: `${LIVE_SERVER}/restapi/oauth/token`, sandbox: "/ringcentral/restapi/oauth/token" },
    revokeUrl: { live: `${LIVE_SERVER}/restapi/oauth/revoke`, sandbox: "/ringcentral/restapi/oauth/revoke" },
    // RingCentral grants the permissions set on the app in its console (ReadCallLog, RingOut,
    // SMS, ReadMessages, CallControl for telephony events); no scope parameter is needed
    scopes: [],
    pkce: true,
    clientAuth: "basic",
    async account(ctx, token) {
      const ownerId = token.response.owner_id;
      const ext = await getExtension(ctx as RingCentralContext, token.accessToken);
      return {
        id: ownerId !== undefined && ownerId !== null ? String(ownerId) : ext.id,
        name: [ext.name ?? ext.contact?.email ?? null, ext.extensionNumber ? `ext. ${ext.extensionNumber}` : null].filter(Boolean).join(", ") || null,
      };
    },
    // the webhook subscription lives with the connection: lib/telephony (its bindings.ts) makes
    // it when the integration is connected and deletes it before the grant is revoked
  },
  defaultEndpoints: { live: LIVE_SERVER, sandbox: "/ringcentral" },

  async sandboxConnect(ctx) {
    // what an admin does in RingCentral's Developer Console: the app exists with these credentials
    const res = await ctx.call("ringcentral.sandbox.app", {
      method: "POST",
      url: `${ctx.baseUrl.replace(/\/$/, "")}/__oauth/clients`,
      body: { clientId: ctx.credentials.clientId, clientSecret: ctx.credentials.clientSecret, name: "Switchboard" },
      idempotent: true,
    });
    if (!res.ok) throw new Error(`The sandbox refused the RingCentral app (${res.status})`);
  },

  async testConnection(ctx) {
    try {
      const ext = await getExtension(ctx as RingCentralContext);
      const who = ext.name ?? ext.contact?.email ?? `extension ${ext.id}`;
      const disabled = ext.status && ext.status !== "Enabled";
      const extension = { id: ext.id, name: ext.name ?? null, extensionNumber: ext.extensionNumber ?? null, status: ext.status ?? null, accountId: ext.account?.id ?? null };
      const devtest = ctx.baseUrl.startsWith(DEVTEST_SERVER) ? " (RingCentral developer sandbox)" : "";
      return {
        ok: !disabled,
        message: disabled
          ? `The RingCentral extension of ${who} is ${ext.status}: it cannot place calls or send SMS`
          : `Connected as ${who}${ext.extensionNumber ? ` (ext. ${ext.extensionNumber})` : ""}${devtest}`,
        // details only: the integration's state holds the call-log cursor and the subscription,
        // written by their owners (a state merged from a stale read would undo them)
        details: { extension },
      };
    } catch (e) {
      if (e instanceof OAuthReconnectError) return { ok: false, message: `Not connected to RingCentral: ${e.message}. Use "Connect" on the integration page` };
      return { ok: false, message: explain(e) };
    }
  },

  sync: {
    types: [
      {
        id: "call_log",
        label: "Call log",
        description: "Reads RingCentral's call log from the last synced call (with a re-read window) into Switchboard, linking calls to contacts and drivers by phone number",
      },
    ],
    // run by lib/telephony (its bindings.ts): call_logs, contacts and drivers are its tables
  },

  messaging: {
    channels: ["sms"],
    // UNCONFIRMED: RingCentral's SMS limits depend on the number type and registration (A2P
    // 10DLC, toll-free); one per second per sender is the conservative default
    defaultRatePerSecond: 1,

    async send(ctx, msg): Promise<SendResult> {
      if (msg.channel !== "sms") throw new SendError(`RingCentral does not send ${msg.channel} messages`, "permanent", { code: "unsupported_channel" });
      const from = (ctx as RingCentralContext).config.fromNumber;
      if (!from) {
        // this integration's configuration, not the message: another SMS integration may send it
        throw new SendError("This RingCentral integration has no 'From number' for SMS: set one of the account's SMS-enabled numbers", "transient", {
          code: "ringcentral_no_sender",
        });
      }
      try {
        const m = await sendSms(ctx as RingCentralContext, { from, to: msg.to, text: msg.text });
        const status = mapMessageStatus(m.messageStatus);
        if (status === "failed") throw new SendError(`RingCentral could not send the SMS (${m.messageStatus})`, "permanent", { code: "ringcentral_sending_failed" });
        return { providerMessageId: m.id, status: status === "delivered" ? "delivered" : "sent", providerStatus: m.messageStatus };
      } catch (e) {
        throw toSendError(e);
      }
    },

    async fetchStatus(ctx, ids): Promise<StatusUpdate[]> {
      const out: StatusUpdate[] = [];
      for (const id of ids) {
        let m;
        try {
          m = await getMessage(ctx as RingCentralContext, id);
        } catch (e) {
          if (e instanceof RingCentralError && e.status === 404) continue; // not this account's message
          throw new Error(explain(e), { cause: e });
        }
        const status = mapMessageStatus(m.messageStatus);
        if (!status) continue;
        const code = m.deliveryErrorCode ?? null;
        out.push({
          providerMessageId: m.id,
          status,
          event: m.messageStatus,
          at: isoOrUndefined(m.smsDeliveryTime ?? m.lastModifiedTime),
          errorCode: status === "undelivered" || status === "failed" ? code : null,
          error: status === "undelivered" ? `Not delivered${code ? ` (${code})` : ""}` : status === "failed" ? `RingCentral could not send it${code ? ` (${code})` : ""}` : null,
        });
      }
      return out;
    },
  },

  webhook: {
    scheme: "Verification-Token header (constant-time comparison); Validation-Token echoed when a subscription is created",
    secretFields: ["verificationToken"],
    handshake: (req) => ringCentralHandshake(req),
    verify: (req, ctx) => verifyRingCentral(req, ctx.secretsFor("verificationToken")),
    parse: parseNotification,
    // handled by lib/telephony (its bindings.ts)
  },
  sandbox: () => import("./sandbox"),
  demo,
});
