// Emulator of the part of Twilio's REST API Switchboard uses, in its wire format, so the real
// twilio SDK runs end to end against it:
//   POST /2010-04-01/Accounts/{AC}/Messages.json       form: To, From | MessagingServiceSid, Body, StatusCallback
//   GET  /2010-04-01/Accounts/{AC}/Messages/{SM}.json  the message's latest state
//   GET  /2010-04-01/Accounts/{AC}.json                the account
// Basic auth AccountSid:AuthToken. Any well-formed token is accepted (the sandbox does not know
// your real one) unless revoked with POST /twilio/__revoke {"authToken"}; a Basic user that is
// not the path's account, or a malformed token, gets 401 {"code":20003,"message":"Authenticate"}.
// Errors are Twilio's JSON: {"code","message","more_info","status"}.
//
// It plays Twilio's side too: after answering a send it POSTs status callbacks to the
// message's StatusCallback (form-encoded, X-Twilio-Signature computed with the auth token of
// the request): "sent" after ~150 ms, then "delivered" (or "undelivered") ~400 ms later.
// Delivery attempts (and failures) are listed at GET /twilio/__callbacks.
//
// Magic recipients (Twilio's own test numbers, same errors as with its test credentials):
//   +15005550001 → 400 21211 invalid number        +15005550002 → 400 21612 cannot route
//   +15005550003 → 400 21408 no geo permission     +15005550004 → 400 21610 unsubscribed (STOP)
//   +15005550009 → 400 21614 not a mobile number
//   +15005550010 → accepted, then "undelivered" with ErrorCode 30003 (this sandbox's own
//                  number: Twilio's test credentials never send callbacks)
// They apply to SMS and WhatsApp (whatsapp:+1500555000x) alike.
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import twilio from "twilio";
import { answered, webhookDeliverer, type SandboxModule } from "@/lib/sandbox/kit";

const API = "2010-04-01";
const E164 = /^\+[1-9]\d{6,14}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const TOKEN = /^[0-9a-f]{32}$/i;
const SENT_AFTER_MS = 150;
const FINAL_AFTER_MS = 400;

export const TWILIO_MAGIC = {
  invalid: "+15005550001",
  cannotRoute: "+15005550002",
  noPermission: "+15005550003",
  unsubscribed: "+15005550004",
  notMobile: "+15005550009",
  undelivered: "+15005550010",
} as const;

type Message = {
  sid: string;
  accountSid: string;
  token: string;
  channel: "sms" | "whatsapp";
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  price: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  statusCallback: string | null;
  created: Date;
  updated: Date;
  sent: Date | null;
};

type CallbackAttempt = { sid: string; status: string; url: string; ok: boolean; httpStatus?: number; error?: string; at: string };
type State = { revoked: Set<string>; messages: Map<string, Message>; callbacks: CallbackAttempt[] };

const rfc2822 = (d: Date) => d.toUTCString().replace("GMT", "+0000");

function twilioError(c: Context, status: number, code: number, message: string) {
  return c.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, status as 400);
}

function resource(m: Message) {
  const segments = m.body.length <= 160 ? 1 : Math.ceil(m.body.length / 153);
  const uri = `/${API}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: API,
    body: m.body,
    date_created: rfc2822(m.created),
    date_sent: m.sent ? rfc2822(m.sent) : null,
    date_updated: rfc2822(m.updated),
    direction: "outbound-api",
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: "0",
    num_segments: String(segments),
    price: m.price,
    price_unit: "USD",
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: uri.replace(/\.json$/, "/Media.json") },
    to: m.to,
    uri,
  };
}

/** Why a recipient is refused, for the magic numbers: [code, message]. */
function magicRefusal(to: string, from: string | null): [number, string] | null {
  switch (to) {
    case TWILIO_MAGIC.invalid:
      return [21211, `The 'To' number ${to} is not a valid phone number.`];
    case TWILIO_MAGIC.cannotRoute:
      return [21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from ?? "(service)"} via SMS.`];
    case TWILIO_MAGIC.noPermission:
      return [21408, `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`];
    case TWILIO_MAGIC.unsubscribed:
      return [21610, "Attempt to send to unsubscribed recipient"];
    case TWILIO_MAGIC.notMobile:
      return [21614, `'To' number ${to} is not a valid mobile number`];
    default:
      return null;
  }
}

const twilioSandbox: SandboxModule = {
  id: "twilio",
  faultBody: (status) => {
    const code = status === 429 ? 20429 : status >= 500 ? 20500 : status === 401 ? 20003 : status;
    const message = status === 429 ? "Too Many Requests" : status >= 500 ? "Internal Server Error" : status === 401 ? "Authenticate" : "Bad Request";
    return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  },
  mount(app, kit) {
    const st = () => kit.state<State>("twilio", () => ({ revoked: new Set(), messages: new Map(), callbacks: [] }));
    const callbacks = webhookDeliverer<CallbackAttempt>({
      log: () => st().callbacks,
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "TwilioProxy/1.1" },
    });

    async function postCallback(m: Message) {
      if (!m.statusCallback) return;
      const params: Record<string, string> = {
        AccountSid: m.accountSid,
        ApiVersion: API,
        From: m.from ?? "",
        MessageSid: m.sid,
        MessageStatus: m.status,
        SmsSid: m.sid,
        SmsStatus: m.status,
        To: m.to,
        ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
        ...(m.errorCode ? { ErrorCode: String(m.errorCode) } : {}),
      };
      const at = new Date().toISOString();
      const url = m.statusCallback;
      await callbacks.deliver(url, new URLSearchParams(params).toString(), {
        headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(m.token, url, params) },
        done: (p) => ({ sid: m.sid, status: m.status, url, ...answered(p), at }),
      });
    }

    function advance(m: Message) {
      const sent = setTimeout(() => {
        m.status = "sent";
        m.sent = m.updated = new Date();
        m.price = m.channel === "whatsapp" ? "-0.00500" : "-0.00790";
        void postCallback(m).then(() => {
          const final = setTimeout(() => {
            m.updated = new Date();
            if (m.to.replace(/^whatsapp:/, "") === TWILIO_MAGIC.undelivered) {
              m.status = "undelivered";
              m.errorCode = 30003;
              m.errorMessage = "Unreachable destination handset";
            } else {
              m.status = "delivered";
            }
            void postCallback(m);
          }, FINAL_AFTER_MS);
          final.unref?.();
        });
      }, SENT_AFTER_MS);
      sent.unref?.();
    }

    /** Basic auth for the path's account: the credentials, or a 401 answer. */
    function authenticate(c: Context, accountSid: string): { token: string } | Response {
      const header = c.req.header("authorization") ?? "";
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
      const deny = () => twilioError(c, 401, 20003, "Authenticate");
      if (!m) return deny();
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i < 0) return deny();
      const user = decoded.slice(0, i);
      const token = decoded.slice(i + 1);
      if (!ACCOUNT_SID.test(user) || user !== accountSid || !TOKEN.test(token) || st().revoked.has(token)) return deny();
      return { token };
    }

    // control: revoke an auth token (like rotating it in the Console); see callback deliveries
    app.post("/__revoke", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { authToken?: string };
      if (!b.authToken) return c.json({ error: "authToken required" }, 400);
      st().revoked.add(b.authToken);
      return c.body(null, 204);
    });
    app.get("/__callbacks", (c) => {
      const sid = c.req.query("sid");
      const items = st().callbacks.filter((x) => !sid || x.sid === sid);
      return c.json({ items });
    });

    app.all("/*", async (c) => {
      const path = c.req.path.replace(/^\/twilio/, "");
      const notFound = () => twilioError(c, 404, 20404, `The requested resource ${path} was not found`);
      const msgs = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
      const one = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(path);
      const acct = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/.exec(path);
      const accountSid = decodeURIComponent((msgs ?? one ?? acct)?.[1] ?? "");
      if (!accountSid) return notFound();
      const auth = authenticate(c, accountSid);
      if (auth instanceof Response) return auth;

      if (acct && c.req.method === "GET") {
        const now = rfc2822(new Date());
        return c.json({
          auth_token: auth.token,
          date_created: now,
          date_updated: now,
          friendly_name: "Switchboard Sandbox",
          owner_account_sid: accountSid,
          sid: accountSid,
          status: "active",
          subresource_uris: { messages: `/${API}/Accounts/${accountSid}/Messages.json` },
          type: "Full",
          uri: `/${API}/Accounts/${accountSid}.json`,
        });
      }

      if (one && c.req.method === "GET") {
        const m = st().messages.get(decodeURIComponent(one[2]));
        if (!m || m.accountSid !== accountSid) return notFound();
        return c.json(resource(m));
      }

      if (msgs && c.req.method === "POST") {
        const form = (await c.req.parseBody()) as Record<string, string | File>;
        const field = (k: string) => (typeof form[k] === "string" ? (form[k] as string).trim() : "");
        const to = field("To");
        const from = field("From") || null;
        const service = field("MessagingServiceSid") || null;
        const body = typeof form.Body === "string" ? form.Body : "";
        const callback = field("StatusCallback") || null;

        if (!to) return twilioError(c, 400, 21604, "A 'To' phone number is required.");
        if (!from && !service) return twilioError(c, 400, 21603, "A 'From' phone number is required.");
        if (!body.trim()) return twilioError(c, 400, 21602, "Message body is required.");
        if (body.length > 1600) return twilioError(c, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
        const whatsapp = to.startsWith("whatsapp:");
        const toNumber = to.replace(/^whatsapp:/, "");
        if (!E164.test(toNumber)) return twilioError(c, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
        if (whatsapp && !from?.startsWith("whatsapp:")) {
          return twilioError(c, 400, 63007, "Twilio could not find a Channel with the specified From address");
        }
        if (from && !E164.test(from.replace(/^whatsapp:/, ""))) {
          return twilioError(c, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
        }
        if (service && !/^MG[0-9a-f]{32}$/i.test(service)) return twilioError(c, 400, 21701, "The Messaging Service Sid is invalid.");
        if (callback && !/^https?:\/\//i.test(callback)) return twilioError(c, 400, 21609, "The StatusCallback URL is not valid.");
        const refusal = magicRefusal(toNumber, from);
        if (refusal) return twilioError(c, 400, refusal[0], refusal[1]);

        const now = new Date();
        const m: Message = {
          sid: `SM${randomBytes(16).toString("hex")}`,
          accountSid,
          token: auth.token,
          channel: whatsapp ? "whatsapp" : "sms",
          to,
          from,
          messagingServiceSid: service,
          body,
          // a Messaging Service without From picks the sender later: Twilio answers "accepted"
          status: service && !from ? "accepted" : "queued",
          price: null,
          errorCode: null,
          errorMessage: null,
          statusCallback: callback,
          created: now,
          updated: now,
          sent: null,
        };
        st().messages.set(m.sid, m);
        kit.inbox.push({
          provider: "twilio",
          kind: m.channel,
          to: toNumber,
          summary: body.slice(0, 200),
          payload: { sid: m.sid, accountSid, from, to, messagingServiceSid: service, body, statusCallback: callback },
        });
        advance(m);
        return c.json(resource(m), 201);
      }

      return notFound();
    });
  },
};

export default twilioSandbox;
