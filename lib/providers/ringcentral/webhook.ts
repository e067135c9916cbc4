// RingCentral webhook notifications (a WebHook subscription made by lib/telephony/maintenance.ts):
//
//  - handshake: when a subscription is created (or its address changed) RingCentral POSTs with a
//    `Validation-Token` header and creates the subscription only if the answer is a 200 echoing
//    that header within 3 s. lib/webhooks/ingest.ts runs handshake() before verifying or storing
//    anything, so the answer costs one cached integration lookup.
//  - verify: every notification carries `Verification-Token` = the token we gave when
//    subscribing (the secret credential `verificationToken`), compared in constant time; during
//    a token change the previous one stays accepted for the grace period. Missing or wrong →
//    401 and the delivery is kept as rejected.
//  - parse: {uuid, event, timestamp, subscriptionId, ownerId, body}; the uuid is the event id,
//    so a redelivered notification is a duplicate.
//  - handle (in a worker, lib/telephony/notifications.ts): a telephony-session event → an incremental call-log sync (a finished
//    call reaches the call log; lib/telephony/events.ts); a message-store event → the statuses of
//    this integration's SMS still in flight are asked for and reported as "message.status".
import { z } from "zod";
import { WebhookBodyError, jsonObjectBody, type ParsedWebhook } from "@/lib/providers/types";
import type { InboundRequest } from "@/lib/providers/webhook-kit";

export const notification = z.object({
  uuid: z.string().min(1).max(200),
  event: z.string().startsWith("/restapi/", "event is not a RingCentral event filter path"),
  timestamp: z.string().optional(),
  subscriptionId: z.string().optional(),
  ownerId: z.union([z.string(), z.number()]).optional(),
  body: z.record(z.string(), z.unknown()).optional(),
});

/** "/restapi/v1.0/account/123/extension/456/telephony/sessions" → "telephony.sessions" */
export function eventType(path: string): string {
  const p = path.split("?")[0];
  if (/\/telephony\/sessions$/.test(p)) return "telephony.sessions";
  if (/\/message-store(\/instant)?$/.test(p)) return "message-store";
  if (/\/presence$/.test(p)) return "presence";
  return p.replace(/^\/restapi\/v1\.0\//, "").replace(/\/\d+/g, "").replace(/\//g, ".").slice(0, 100);
}

export function parseNotification(req: InboundRequest): ParsedWebhook {
  const r = notification.safeParse(jsonObjectBody(req.rawBody));
  if (!r.success) throw new WebhookBodyError(`Not a RingCentral notification: ${r.error.issues[0]?.path.join(".") || "body"} ${r.error.issues[0]?.message ?? ""}`.trim());
  return { type: eventType(r.data.event), id: r.data.uuid, payload: r.data };
}

export const telephonyBody = z
  .object({
    sessionId: z.union([z.string(), z.number()]).transform(String).optional(),
    telephonySessionId: z.string().optional(),
    eventTime: z.string().optional(),
    parties: z
      .array(
        z
          .object({
            direction: z.string().optional(),
            status: z.object({ code: z.string().optional(), reason: z.string().optional() }).loose().optional(),
            to: z.object({ phoneNumber: z.string().optional() }).loose().optional(),
            from: z.object({ phoneNumber: z.string().optional() }).loose().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
