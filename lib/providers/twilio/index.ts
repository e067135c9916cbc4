// Twilio: SMS and WhatsApp through the Programmable Messaging API with the official SDK
// (lib/providers/twilio/client.ts plugs it into our logged HTTP path). Delivery reports arrive
// as signed status callbacks (webhook.ts); messaging.fetchStatus polls a message when needed.
// Test connection = GET /2010-04-01/Accounts/{sid}.json.
import { z } from "zod";
import { defineProvider, SendError, type SendResult, type StatusUpdate } from "@/lib/providers/types";
import { verifyTwilio } from "@/lib/providers/twilio/verify";
import {
  explain,
  isTwilioApiError,
  mapStatus,
  priceMicros,
  toSendError,
  twilioClient,
  type TwilioContext,
} from "@/lib/providers/twilio/client";
import { handleStatusCallback, parseStatusCallback } from "@/lib/providers/twilio/webhook";
import { demo } from "./demo";

const E164 = /^\+[1-9]\d{6,14}$/;
const e164 = (title: string, description: string) =>
  z.string().trim().regex(E164, "An E.164 number: + then the country code and number, e.g. +14155550123").meta({ title, description });

const credentials = z.strictObject({
  accountSid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, "An Account SID starts with AC and is 34 characters long")
    .meta({ title: "Account SID", description: "Twilio Console → Account Info (AC…)" }),
  authToken: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{32}$/, "An Auth Token is 32 hexadecimal characters")
    .meta({
      title: "Auth Token",
      secret: true,
      description: "Twilio Console → Account Info. Also signs the status callbacks Twilio sends back",
    }),
});

const config = z
  .strictObject({
    from: e164("Sender number", "A Twilio phone number (E.164) for SMS. Either this or a Messaging Service is required").optional(),
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, "A Messaging Service SID starts with MG and is 34 characters long")
      .optional()
      .meta({ title: "Messaging Service SID", description: "MG…: Twilio picks the sender from the service's pool" }),
    whatsappFrom: e164(
      "WhatsApp sender",
      "The WhatsApp-enabled number (E.164, without whatsapp:). Needed to send WhatsApp messages",
    ).optional(),
    ratePerSecond: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .optional()
      .meta({
        title: "Sends per second",
        description:
          "0 = no limit. Default 10: Twilio's limit depends on the account type and sender (long code, toll-free, short code); set yours here",
      }),
  })
  .refine((c) => !!c.from || !!c.messagingServiceSid, {
    message: "Give a sender number or a Messaging Service SID",
    path: ["from"],
  });

type Conf = z.output<typeof config>;

const validDate = (d: Date | null | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d : undefined);

function cost(m: { price?: string | null; priceUnit?: string | null }) {
  const micros = priceMicros(m.price);
  return micros === null ? {} : { costMicros: micros, costCurrency: (m.priceUnit ?? "USD").toUpperCase() };
}

export default defineProvider({
  id: "twilio",
  name: "Twilio",
  category: "sms",
  description:
    "SMS and WhatsApp messages through Twilio, with delivery reports from signed status callbacks. Default rate 10 messages/s: Twilio's real limit depends on the account type and sender.",
  docsUrl: "https://www.twilio.com/docs/messaging/api/message-resource",
  capabilities: ["sms.send", "whatsapp.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api.twilio.com", sandbox: "/twilio" },

  async testConnection(ctx) {
    const { client, lastResponse } = twilioClient(ctx as TwilioContext, "twilio.accounts.fetch");
    try {
      const acct = await client.api.v2010.accounts(ctx.credentials.accountSid).fetch();
      const account = { sid: acct.sid, friendlyName: acct.friendlyName, status: acct.status, type: acct.type };
      const ok = acct.status === "active";
      return {
        ok,
        message: ok
          ? `Connected to ${acct.friendlyName} (${acct.status})`
          : `The Twilio account ${acct.friendlyName} is ${acct.status}: it cannot send messages`,
        details: { account },
        state: { account },
      };
    } catch (e) {
      return { ok: false, message: explain(e, lastResponse()) };
    }
  },

  messaging: {
    channels: ["sms", "whatsapp"],
    // UNCONFIRMED as a number: the seed says "based on account type" (1 msg/s per long code,
    // more for toll-free, short codes and Messaging Services); 10 is a middle default
    defaultRatePerSecond: 10,

    async send(ctx, msg): Promise<SendResult> {
      const c = ctx as TwilioContext;
      const conf = ctx.config as Conf;
      const params: { to: string; body: string; from?: string; messagingServiceSid?: string; statusCallback?: string } = {
        to: msg.to,
        body: msg.text,
      };
      if (msg.channel === "whatsapp") {
        if (!conf.whatsappFrom) {
          throw new SendError("This Twilio integration has no WhatsApp sender number configured", "permanent", {
            code: "twilio_whatsapp_not_configured",
          });
        }
        params.to = `whatsapp:${msg.to.replace(/^whatsapp:/, "")}`;
        params.from = `whatsapp:${conf.whatsappFrom}`;
      } else if (msg.channel === "sms") {
        if (conf.messagingServiceSid) params.messagingServiceSid = conf.messagingServiceSid;
        if (conf.from) params.from = conf.from;
      } else {
        throw new SendError(`Twilio does not send ${msg.channel} messages`, "permanent", { code: "unsupported_channel" });
      }
      if (msg.statusCallbackUrl) params.statusCallback = msg.statusCallbackUrl;

      const { client, lastResponse } = twilioClient(c, "twilio.messages.create");
      try {
        const m = await client.messages.create(params);
        return { providerMessageId: m.sid, status: "sent", providerStatus: m.status, ...cost(m) };
      } catch (e) {
        throw toSendError(e, lastResponse());
      }
    },

    async fetchStatus(ctx, sids): Promise<StatusUpdate[]> {
      // a 404 is "not this account's message" (the ids of every integration of the channel are asked): an answer, not a failure
      const { client } = twilioClient(ctx as TwilioContext, "twilio.messages.fetch", [404]);
      const out: StatusUpdate[] = [];
      for (const sid of sids) {
        let m;
        try {
          m = await client.messages(sid).fetch();
        } catch (e) {
          if (isTwilioApiError(e) && e.status === 404) continue; // not this account's message
          throw new Error(explain(e), { cause: e });
        }
        const status = mapStatus(m.status);
        if (!status) continue;
        const errorCode = m.errorCode ? String(m.errorCode) : null;
        out.push({
          providerMessageId: m.sid,
          status,
          event: m.status,
          at: validDate(m.dateUpdated)?.toISOString(),
          errorCode,
          error: errorCode ? m.errorMessage || `Twilio error ${errorCode}` : null,
          ...cost(m),
        });
      }
      return out;
    },
  },

  webhook: {
    scheme: "X-Twilio-Signature (HMAC-SHA1 of URL + sorted form params)",
    secretFields: ["authToken"],
    verify: (req, ctx) => verifyTwilio(req, ctx.secretsFor("authToken")),
    parse: parseStatusCallback,
    handle: (event, ctx) => handleStatusCallback(event, ctx as TwilioContext),
  },
  sandbox: () => import("./sandbox"),
  demo,
});
