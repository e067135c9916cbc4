// Twilio status callbacks: form POSTs to the StatusCallback URL given with each message
// (MessageSid, MessageStatus, AccountSid, From, To, ApiVersion, ErrorCode on failure), signed
// with X-Twilio-Signature (base64 HMAC-SHA1 of the public URL + the sorted form parameters,
// keyed with the auth token). There is no event id and no timestamp: the idempotency key is
// `${MessageSid}:${MessageStatus}`, so a repeated identical callback is a duplicate and a new
// status is a new event.
import { WebhookBodyError, type ParsedWebhook, type StatusUpdate, type StoredWebhook, type WebhookHandleResult } from "@/lib/providers/types";
import type { InboundRequest } from "@/lib/providers/webhook-kit";
import { DELIVERY_ERRORS, mapStatus, type TwilioContext } from "@/lib/providers/twilio/client";

const SID = /^(SM|MM)[0-9a-f]{32}$/i;

export function parseStatusCallback(req: InboundRequest): ParsedWebhook {
  const type = req.headers.get("content-type") ?? "";
  if (type && !type.includes("application/x-www-form-urlencoded")) {
    throw new WebhookBodyError("Twilio status callbacks are form-encoded (application/x-www-form-urlencoded)");
  }
  const params = Object.fromEntries(new URLSearchParams(req.rawBody));
  const sid = params.MessageSid;
  const status = params.MessageStatus;
  if (!sid || !status) throw new WebhookBodyError("Not a Twilio message status callback: MessageSid or MessageStatus is missing");
  if (!SID.test(sid)) throw new WebhookBodyError("MessageSid is not a Twilio message SID (SM… or MM…)");
  return { type: "message.status", id: `${sid}:${status}`, payload: params };
}

export async function handleStatusCallback(event: StoredWebhook, ctx: TwilioContext): Promise<WebhookHandleResult> {
  const p = (event.payload ?? {}) as Record<string, string>;
  const word = p.MessageStatus ?? "";
  if (p.AccountSid && p.AccountSid !== ctx.credentials.accountSid) {
    return { outcome: "ignored", note: `the callback is for account ${p.AccountSid}, not this integration's` };
  }
  const status = mapStatus(word);
  if (!status) return { outcome: "ignored", note: `status "${word}" says nothing about an outbound message` };
  const errorCode = p.ErrorCode ? String(p.ErrorCode) : null;
  const update: StatusUpdate = {
    providerMessageId: p.MessageSid,
    status,
    event: word,
    at: event.receivedAt.toISOString(),
    errorCode,
    error: errorCode ? (DELIVERY_ERRORS[errorCode] ?? `Twilio error ${errorCode}`) : null,
  };
  return {
    outcome: "completed",
    note: `${p.MessageSid}: ${word}${errorCode ? ` (error ${errorCode})` : ""}`,
    events: [{ type: "message.status", data: { updates: [update] } }],
  };
}
