// The official twilio SDK (6.2.0) with our HTTP path underneath: the SDK builds the requests
// (PascalCase form fields, Basic auth) and parses the answers; a custom `httpClient` sends
// them through ctx.call, so every call gets our timeout and lands in integration_logs with
// the Authorization header redacted and the auth token scrubbed by value. The host
// api.twilio.com is rewritten to ctx.baseUrl (the sandbox, or an override); edge/region stay
// unset because they rewrite host names.
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { HttpError, type CallContext, type HttpResponse } from "@/lib/http";
import { classifyFailure, sendErrorOf } from "@/lib/providers/errors";
import { SendError, type ProviderContext, type StatusUpdate } from "@/lib/providers/types";

export type TwilioCredentials = { accountSid: string; authToken: string };
export type TwilioConfig = {
  from?: string;
  messagingServiceSid?: string;
  whatsappFrom?: string;
  ratePerSecond?: number;
};
export type TwilioContext = ProviderContext<TwilioCredentials, TwilioConfig>;

type SdkRequest = {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
  timeout?: number;
};

function appendAll(target: URLSearchParams, values: Record<string, unknown>) {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    // the SDK serialises arrays as repeated keys (qs arrayFormat "repeat")
    for (const item of Array.isArray(v) ? v : [v]) target.append(k, String(item));
  }
}

/**
 * api.twilio.com (or an edge/region form of it, api.sydney.au1.twilio.com) → ctx.baseUrl, so a
 * sandbox integration can never reach the real API; other hosts are left alone (we only use
 * the core API).
 */
export function rewriteUri(uri: string, baseUrl: string): string {
  const u = new URL(uri);
  if (!/^api(\.[a-z0-9-]+)*\.twilio\.com$/i.test(u.hostname) || !baseUrl) return uri;
  return `${baseUrl.replace(/\/$/, "")}${u.pathname}${u.search}`;
}

/**
 * A Twilio REST client whose every request goes through ctx.call under `action`. The last raw
 * answer is kept so error handling can read headers the SDK drops (Retry-After).
 */
/** `expect`: answers that are these calls' designed outcome, logged as expected (lib/http CallContext.expect) */
export function twilioClient(ctx: TwilioContext, action: string, expect?: CallContext["expect"]) {
  let last: HttpResponse | undefined;
  const httpClient = {
    async request(opts: SdkRequest) {
      const url = new URL(rewriteUri(opts.uri, ctx.baseUrl));
      if (opts.params) appendAll(url.searchParams, opts.params);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        // connection management is fetch's business (undici refuses some values)
        if (k.toLowerCase() !== "connection" && v !== undefined) headers[k] = String(v);
      }
      if (opts.username && opts.password) {
        headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString("base64")}`;
      }
      let body: URLSearchParams | string | undefined;
      if (opts.data) {
        const ct = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
        if (ct.includes("json")) body = JSON.stringify(opts.data);
        else {
          body = new URLSearchParams();
          appendAll(body, opts.data);
        }
      }
      const res = await ctx.call(action, { method: opts.method.toUpperCase(), url: url.toString(), headers, body }, expect ? { expect } : undefined);
      last = res;
      const outHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => (outHeaders[k] = v));
      return { statusCode: res.status, body: res.text, headers: outHeaders };
    },
  };
  const client = twilio(ctx.credentials.accountSid, ctx.credentials.authToken, {
    httpClient: httpClient as unknown as RequestClient,
    autoRetry: false,
    // "" rather than undefined: the SDK would otherwise read TWILIO_EDGE / TWILIO_REGION from the environment
    edge: "",
    region: "",
  });
  return { client, lastResponse: () => last };
}

// ───────────── errors ─────────────

/** What the SDK throws for a non-2xx answer (RestException or the RFC 9457 TwilioServiceException). */
export type TwilioApiError = Error & { status: number; code?: number; moreInfo?: string };

export function isTwilioApiError(e: unknown): e is TwilioApiError {
  return e instanceof Error && typeof (e as { status?: unknown }).status === "number";
}

/**
 * Error codes that are the recipient's or the message's fault: retrying or another provider
 * cannot help. Sentences follow Twilio's error dictionary (https://www.twilio.com/docs/api/errors).
 */
export const PERMANENT_ERRORS: Record<number, string> = {
  21211: "The 'To' number is not a valid phone number",
  21214: "The 'To' number cannot be reached",
  21217: "The 'To' number does not appear to be valid",
  21408: "Twilio has no permission to send to this number's region (geo permissions)",
  21602: "The message body is empty",
  21604: "The 'To' number is missing",
  21606: "The 'From' number is not a message-capable Twilio number of this account",
  21610: "The recipient unsubscribed (replied STOP) and cannot be messaged until they opt in again",
  21612: "Twilio cannot route a message from this sender to the 'To' number",
  21614: "The 'To' number is not a mobile number",
  21617: "The message body is longer than 1600 characters",
  // WhatsApp (UNCONFIRMED wording; codes from Twilio's error dictionary)
  63003: "The recipient is not reachable on WhatsApp (channel could not find the 'To' address)",
  63024: "The recipient is not a valid WhatsApp recipient",
};

/** Delivery error codes of status callbacks, for the timeline (ErrorCode of undelivered/failed). */
export const DELIVERY_ERRORS: Record<string, string> = {
  "30001": "Queue overflow: too many messages queued",
  "30002": "The Twilio account is suspended",
  "30003": "Unreachable destination handset (switched off or out of coverage)",
  "30004": "Message blocked by the recipient or the carrier",
  "30005": "Unknown destination handset: the number does not exist",
  "30006": "Landline or unreachable carrier",
  "30007": "Message filtered by the carrier (spam or content rules)",
  "30008": "Unknown delivery error",
  "30034": "Message from an unregistered US A2P 10DLC number",
  "63016": "WhatsApp: outside the 24-hour session window, a template is required",
  "63003": PERMANENT_ERRORS[63003],
  "21610": PERMANENT_ERRORS[21610],
  "21614": PERMANENT_ERRORS[21614],
};

/** An SDK error's classification: its RestException has no headers, so Retry-After is read from the answer it came from. */
const classified = (e: TwilioApiError, last?: HttpResponse) => classifyFailure(last && last.status === e.status ? last : e, { name: "Twilio" });

/** Any failure of a send as a SendError: known recipient/message faults permanent, the rest transient. */
export function toSendError(e: unknown, last?: HttpResponse): SendError {
  if (e instanceof SendError) return e;
  if (isTwilioApiError(e)) {
    const c = classified(e, last);
    const code = e.code;
    const tag = code ? `twilio_${code}` : `http_${e.status}`;
    if (code && PERMANENT_ERRORS[code]) return new SendError(`${PERMANENT_ERRORS[code]} (Twilio ${code})`, "permanent", { code: tag, status: e.status });
    if (e.status === 401 || code === 20003) {
      return new SendError("Twilio rejected the Account SID or Auth Token (401, error 20003)", "transient", { code: tag, failure: "auth", status: e.status });
    }
    if (e.status === 429 || code === 20429) {
      const secs = c.retryAfterSeconds;
      return new SendError(`Twilio is rate limiting this account (429)${secs !== undefined ? `: retry in ${secs} s` : ""}`, "transient", {
        code: code ? tag : "twilio_20429",
        failure: "rate_limited",
        status: e.status,
        ...(secs !== undefined ? { retryAfterSeconds: secs } : {}),
      });
    }
    if (c.failure === "provider") return new SendError(`Twilio had a server error (HTTP ${e.status})`, "transient", { code: tag, failure: c.failure, status: e.status });
    // unknown 4xx: not known to be the recipient's fault, so another try (or provider) may work
    return new SendError(`Twilio refused the message (HTTP ${e.status}${code ? `, error ${code}` : ""}): ${e.message}`, "transient", { code: tag, failure: c.failure, status: e.status });
  }
  return sendErrorOf(e, { name: "Twilio" });
}

/** A sentence for a person about why a (non-send) call failed; `last`: the answer it came from (its Retry-After). */
export function explain(e: unknown, last?: HttpResponse): string {
  if (isTwilioApiError(e)) {
    if (e.status === 401 || e.code === 20003) {
      return "Twilio rejected the Account SID or Auth Token (401, error 20003): copy both again from the Twilio Console";
    }
    if (e.status === 404) return "Twilio does not know this account (404): check the Account SID";
    if (e.status === 429) {
      const secs = classified(e, last).retryAfterSeconds;
      return `Twilio is rate limiting this account (429): ${secs !== undefined ? `retry in ${secs} s` : "try again shortly"}`;
    }
    if (e.status >= 500) return `Twilio had a server error (HTTP ${e.status}): try again later`;
    return `Twilio answered HTTP ${e.status}${e.code ? ` (error ${e.code})` : ""}: ${e.message}`;
  }
  if (e instanceof HttpError) return classifyFailure(e, { name: "Twilio" }).message;
  return (e as Error)?.message ?? String(e);
}

// ───────────── statuses ─────────────

/** Twilio's message status word → ours; null for statuses that say nothing about an outbound message. */
export function mapStatus(s: string): StatusUpdate["status"] | null {
  switch (s) {
    case "queued":
    case "accepted":
    case "scheduled":
    case "sending":
    case "sent":
      return "sent";
    case "delivered":
    case "read":
    case "partially_delivered": // UNCONFIRMED: multi-part where some parts arrived
      return "delivered";
    case "undelivered":
      return "undelivered";
    case "failed":
    case "canceled":
      return "failed";
    default:
      return null; // receiving, received: inbound messages
  }
}

/** "-0.00750" (Twilio prices are negative for charges) → micros. */
export function priceMicros(price: string | number | null | undefined): number | null {
  if (price === null || price === undefined || price === "") return null;
  const n = Number(price);
  return Number.isFinite(n) ? Math.round(Math.abs(n) * 1e6) : null;
}
