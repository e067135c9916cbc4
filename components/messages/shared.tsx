"use client";
// What the messaging screens share: channel and status words, icons and colours, the sandboxed
// e-mail frame and the SMS segment counter. The API's shapes are lib/messaging/contract.ts.
import * as React from "react";
import { Bell, Mail, MessageCircle, MessageSquare, Send, Webhook, type LucideIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import type { MessageChannel as Channel, MessageStatus } from "@/lib/messaging/contract";

// the contract's, passed on for the overview's message card
export { MESSAGE_STATUSES } from "@/lib/messaging/contract";
export type { Channel };

/** the channels in the order the screens show them */
export const CHANNELS = ["sms", "whatsapp", "email", "telegram", "push"] as const satisfies readonly Channel[];

export const CHANNEL_META: Record<Channel, { label: string; Icon: LucideIcon; color: string }> = {
  sms: { label: "SMS", Icon: MessageSquare, color: "var(--chart-1)" },
  whatsapp: { label: "WhatsApp", Icon: MessageCircle, color: "var(--chart-2)" },
  email: { label: "Email", Icon: Mail, color: "var(--chart-3)" },
  telegram: { label: "Telegram", Icon: Send, color: "var(--chart-4)" },
  push: { label: "Push", Icon: Bell, color: "var(--chart-5)" },
};

export const STATUS_STYLE: Record<MessageStatus, { label: string; badge: "info" | "warning" | "success" | "danger" | "muted"; color: string }> = {
  queued: { label: "Queued", badge: "muted", color: "var(--chart-5)" },
  sent: { label: "Sent", badge: "info", color: "var(--chart-3)" },
  delivered: { label: "Delivered", badge: "success", color: "var(--chart-1)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  undelivered: { label: "Undelivered", badge: "warning", color: "var(--chart-4)" },
};

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const s = STATUS_STYLE[status] ?? STATUS_STYLE.queued;
  return <Badge variant={s.badge}>{s.label}</Badge>;
}

/** The channel's icon; labelled for screen readers unless `decorative` (its name is written next to it). */
export function ChannelIcon({ channel, className, decorative }: { channel: string; className?: string; decorative?: boolean }) {
  const m = CHANNEL_META[channel as Channel];
  const Icon = m?.Icon ?? Webhook;
  return decorative ? (
    <Icon className={cn("text-muted-foreground size-4", className)} aria-hidden />
  ) : (
    <Icon className={cn("text-muted-foreground size-4", className)} aria-label={m?.label ?? channel} role="img" />
  );
}

export function channelLabel(channel: string) {
  return CHANNEL_META[channel as Channel]?.label ?? channel;
}

/**
 * An e-mail's HTML, shown only inside a sandboxed frame: no scripts, no same-origin access,
 * no forms or top navigation (sandbox=""), the document given as srcDoc.
 */
export function EmailFrame({ html, title, className }: { html: string; title: string; className?: string }) {
  // links open nothing inside the sandbox; a base target keeps a click from navigating the frame
  const doc = `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><style>body{margin:12px;font-family:Arial,sans-serif;background:#fff;color:#111}</style></head><body>${html}</body></html>`;
  return <iframe sandbox="" srcDoc={doc} title={title} className={cn("h-72 w-full rounded-md border bg-white", className)} referrerPolicy="no-referrer" />;
}

// ───────────── SMS length ─────────────

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENDED = "^{}\\[~]|€\f";

export type SmsCount = { encoding: "GSM-7" | "UCS-2"; units: number; segments: number; perSegment: number; left: number };

/**
 * How an SMS text is split: GSM-7 (160 characters in one message, 153 per part when
 * concatenated; ^{}\[~]|€ count twice) or, when any character is outside GSM-7, UCS-2 (70 in
 * one message, 67 per part; characters beyond the BMP count twice).
 */
export function smsSegments(text: string): SmsCount {
  let gsm = true;
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    const segments = septets === 0 ? 0 : septets <= 160 ? 1 : Math.ceil(septets / 153);
    const perSegment = segments > 1 ? 153 : 160;
    return { encoding: "GSM-7", units: septets, segments, perSegment, left: segments ? segments * perSegment - septets : 160 };
  }
  const units = text.length; // UTF-16 code units
  const segments = units <= 70 ? 1 : Math.ceil(units / 67);
  const perSegment = segments > 1 ? 67 : 70;
  return { encoding: "UCS-2", units, segments, perSegment, left: Math.max(0, segments * perSegment - units) };
}

export function SmsCounter({ text, className }: { text: string; className?: string }) {
  const c = smsSegments(text);
  return (
    <p className={cn("text-muted-foreground text-xs tabular-nums", className)} data-testid="sms-counter">
      {c.units} {c.encoding === "GSM-7" ? "characters" : "UCS-2 characters"} · {c.segments} SMS segment{c.segments === 1 ? "" : "s"} ({c.encoding}, {c.perSegment} per segment) · {c.left} left in this
      segment
    </p>
  );
}

/** Telegram's HTML (what the bot sends) as plain text: tags dropped, the common entities decoded. */
export function telegramHtmlToText(s: string) {
  return s
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Parses a JSON object typed by a person; an error message when it is not one. */
export function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) return { ok: false, error: "Must be a JSON object: { \"name\": \"value\" }" };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = React.useState(value);
  React.useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
