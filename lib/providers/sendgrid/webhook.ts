// SendGrid's Event Webhook: a JSON array of events, ECDSA-signed. Each event names the message
// by sg_message_id, whose part before the first "." is the X-Message-Id the send answered with
// (what we stored as providerMessageId).
import { WebhookBodyError, type StatusUpdate, type StoredWebhook, type WebhookHandleResult } from "@/lib/providers/types";

export type SendgridEvent = {
  email?: string;
  timestamp?: number;
  event?: string;
  sg_event_id?: string;
  sg_message_id?: string;
  reason?: string;
  status?: string;
  response?: string;
  type?: string;
  [k: string]: unknown;
};

export function parseEvents(rawBody: string): SendgridEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new WebhookBodyError("The body is not valid JSON", "invalid_json");
  }
  if (!Array.isArray(body)) throw new WebhookBodyError("SendGrid posts a JSON array of events");
  if (!body.every((e) => e && typeof e === "object" && !Array.isArray(e) && typeof (e as SendgridEvent).event === "string")) {
    throw new WebhookBodyError("Every SendGrid event is an object with an event field");
  }
  return body as SendgridEvent[];
}

/** The X-Message-Id part of sg_message_id ("<X-Message-Id>.filter…"). */
export function messageIdOf(sgMessageId: string): string {
  const i = sgMessageId.indexOf(".");
  return i === -1 ? sgMessageId : sgMessageId.slice(0, i);
}

const STATUS: Record<string, StatusUpdate["status"]> = {
  processed: "sent",
  deferred: "sent",
  delivered: "delivered",
  open: "delivered",
  click: "delivered",
  spamreport: "delivered",
  unsubscribe: "delivered",
  group_unsubscribe: "delivered",
  bounce: "undelivered",
  dropped: "failed",
};

export function toUpdate(e: SendgridEvent): StatusUpdate | null {
  const status = e.event ? STATUS[e.event] : undefined;
  if (!status || typeof e.sg_message_id !== "string" || !e.sg_message_id) return null;
  const at = typeof e.timestamp === "number" && Number.isFinite(e.timestamp) ? new Date(e.timestamp * 1000).toISOString() : undefined;
  const failed = e.event === "bounce" || e.event === "dropped";
  return {
    providerMessageId: messageIdOf(e.sg_message_id),
    status,
    event: e.event!,
    ...(at ? { at } : {}),
    ...(failed ? { errorCode: typeof e.status === "string" ? e.status : null, error: typeof e.reason === "string" ? e.reason : null } : {}),
    ...(e.event === "deferred" && typeof e.response === "string" ? { error: e.response } : {}),
  };
}

export async function handleEvents(event: StoredWebhook): Promise<WebhookHandleResult> {
  const list = Array.isArray(event.payload) ? (event.payload as SendgridEvent[]) : [];
  const updates = list.map(toUpdate).filter((u): u is StatusUpdate => u !== null);
  if (!updates.length) {
    const words = [...new Set(list.map((e) => e.event).filter(Boolean))].join(", ") || "none";
    return { outcome: "ignored", note: `no event about a message we sent (events: ${words})` };
  }
  return {
    outcome: "completed",
    note: `${updates.length} status update${updates.length === 1 ? "" : "s"}`,
    events: [{ type: "message.status", data: { updates } }],
  };
}
