// Zoom webhooks (an app's event subscription): `{event, payload:{account_id, object}, event_ts}`
// signed with x-zm-signature = v0=hex(HMAC-SHA256(secretToken, "v0:{x-zm-request-timestamp}:{body}")).
// The signature is checked in constant time with WEBHOOK_TOLERANCE_SECONDS on the timestamp
// (lib/providers/zoom/verify.ts verifyZoom); during a Secret Token change the previous token is still
// accepted for the grace period (secretFields).
//
// endpoint.url_validation (sent when the subscription is saved, and every 72 h by Zoom) is
// answered in the handshake with {plainToken, encryptedToken: hex(HMAC-SHA256(secretToken,
// plainToken))}, keyed with the token that signed the request, and only when the request is
// validly signed and fresh: an unsigned or forged challenge falls through to verification and
// is rejected (401) like any forged event, so nobody can use us as an HMAC oracle.
//
// Zoom's body carries no event id. The idempotency key is `event:object-uuid:event_ts`: Zoom's
// retries resend the same body (same event_ts), so a retried or duplicated delivery is stored
// once. recording.completed's top-level download_token (a 24 h bearer for the files) and the
// recording's passcodes are dropped before the event is stored: we keep no copy of them.
import { env } from "@/lib/env";
import { WebhookBodyError, type ParsedWebhook, type WebhookVerifyContext } from "@/lib/providers/types";
import { verifyZoom, zoomUrlValidation } from "@/lib/providers/zoom/verify";
import { type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";
import { parseJsonLossless, type ZoomConfig, type ZoomCredentials } from "@/lib/providers/zoom/client";

type Ctx = WebhookVerifyContext<ZoomCredentials, ZoomConfig>;

export const WEBHOOK_EVENTS = ["meeting.started", "meeting.ended", "meeting.deleted", "recording.completed"] as const;

const tolerance = () => env().WEBHOOK_TOLERANCE_SECONDS;

export function verifyWebhook(req: InboundRequest, ctx: Ctx): Verdict {
  return verifyZoom(req, ctx.secretsFor("webhookSecretToken"), tolerance());
}

export function handshake(req: InboundRequest, ctx: Ctx): Response | null {
  if (!req.rawBody.includes("endpoint.url_validation")) return null;
  let body: { event?: unknown; payload?: { plainToken?: unknown } };
  try {
    body = JSON.parse(req.rawBody);
  } catch {
    return null;
  }
  if (body?.event !== "endpoint.url_validation") return null;
  const plain = body.payload?.plainToken;
  // not a token Zoom would send: left to parse(), which refuses it
  if (typeof plain !== "string" || !/^[\x21-\x7e]{1,256}$/.test(plain)) return null;
  for (const secret of ctx.secretsFor("webhookSecretToken")) {
    if (verifyZoom(req, [secret], tolerance()).ok) return Response.json(zoomUrlValidation(plain, secret));
  }
  return null;
}

export function parseWebhook(req: InboundRequest): ParsedWebhook {
  let body: unknown;
  try {
    body = parseJsonLossless(req.rawBody);
  } catch {
    throw new WebhookBodyError("The body is not valid JSON", "invalid_json");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new WebhookBodyError("The body must be a JSON object");
  const { download_token: _drop, ...event } = body as Record<string, unknown>;
  if (typeof event.event !== "string" || !/^[a-z_]+(\.[a-z_]+)+$/.test(event.event)) throw new WebhookBodyError('"event" is missing or not a Zoom event name');
  if (event.event === "endpoint.url_validation") throw new WebhookBodyError("An endpoint.url_validation challenge without a valid plainToken");
  if (!event.payload || typeof event.payload !== "object") throw new WebhookBodyError('"payload" is missing');
  if (typeof event.event_ts !== "number") throw new WebhookBodyError('"event_ts" is missing');
  const object = (event.payload as { object?: Record<string, unknown> & { uuid?: unknown; id?: unknown } }).object;
  if (object && typeof object === "object") {
    delete object.password;
    delete object.recording_play_passcode;
  }
  const key = object ? String(object.uuid ?? object.id ?? "") : "";
  return { type: event.event, id: `${event.event}:${key}:${event.event_ts}`, payload: event };
}
