"use client";
// What the call screens share: the shapes the calls API answers with, the badges for a call's
// direction, result and live status, durations, and whether the signed-in person may call.
import { useQuery } from "@tanstack/react-query";
import { PhoneIncoming, PhoneOutgoing } from "lucide-react";
import { api } from "@/lib/client/api";
import { Badge } from "@/components/ui/badge";

/** A call as GET /api/v1/calls lists it (lib/telephony/calls.ts serialize). */
export type CallItem = {
  id: string;
  integrationId: string;
  externalId: string;
  ringOutId: string | null;
  sessionId: string | null;
  source: "call_log" | "ringout";
  direction: "Inbound" | "Outbound";
  fromNumber: string | null;
  fromName: string | null;
  toNumber: string | null;
  toName: string | null;
  contact: { id: string; name: string } | null;
  driver: { id: string; name: string } | null;
  startedAt: string;
  durationSeconds: number | null;
  result: string | null;
  callStatus: string | null;
  action: string | null;
  recordingUrl: string | null;
  live: boolean;
  createdAt: string;
  updatedAt: string;
  refreshError?: string | null;
  replayed?: boolean;
};

export type CallList = { items: CallItem[]; nextCursor: string | null; facets?: { results: { result: string; count: number }[] } };

export type Line = {
  id: string;
  name: string;
  code: string;
  mode: "live" | "sandbox";
  status: string;
  enabled: boolean;
  fromNumber: string | null;
  connected: boolean;
  needsReconnect: boolean;
  account: string | null;
  autoSync: boolean;
  syncIntervalMinutes: number | null;
  lastSyncAt: string | null;
  lastSync: { id: string; status: string; error: string | null; createdAt: string; finishedAt: string | null; processed: number; created: number } | null;
  subscription: { status: string | null; expiresAt: string | null; lastError: string | null } | null;
};

export type Directory = {
  drivers: { id: string; name: string; phone: string; status: string }[];
  contacts: { id: string; name: string; phone: string; company: string | null }[];
};

/** Someone to call: a number, and the driver or contact it belongs to when known. */
export type CallTarget = { phone: string; name?: string | null; driverId?: string | null; contactId?: string | null };

export const LINES_KEY = ["calls", "lines"] as const;

export function useLines(enabled = true) {
  return useQuery({ queryKey: LINES_KEY, queryFn: () => api<{ items: Line[] }>("/api/v1/calls/lines"), enabled, staleTime: 30_000 });
}

/** calls.make for the signed-in person (the server checks it again on every call). */
export function useCanCall(): boolean {
  const me = useQuery({ queryKey: ["me"], queryFn: () => api<{ permissions: string[] }>("/api/v1/me"), staleTime: 5 * 60_000 });
  return me.data?.permissions.includes("calls.make") ?? false;
}

/** 75 → "1:15", 3725 → "1:02:05" */
export function formatCallDuration(s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function DirectionBadge({ direction }: { direction: CallItem["direction"] }) {
  return direction === "Inbound" ? (
    <Badge variant="info" title="Inbound call">
      <PhoneIncoming aria-hidden /> Inbound
    </Badge>
  ) : (
    <Badge variant="secondary" title="Outbound call">
      <PhoneOutgoing aria-hidden /> Outbound
    </Badge>
  );
}

/** RingCentral's result words ("Call connected", "Missed", "Voicemail" …) coloured by what they mean. */
export function ResultBadge({ result }: { result: string | null }) {
  if (!result) return <span className="text-muted-foreground">—</span>;
  const r = result.toLowerCase();
  const variant = /connected|accepted|answered|call finished/.test(r)
    ? "success"
    : /missed|no answer|busy|rejected|abandoned|blocked|declined|wrong/.test(r)
      ? "danger"
      : /voicemail|fax/.test(r)
        ? "info"
        : "muted";
  return <Badge variant={variant}>{result}</Badge>;
}

const STATUS_TEXT: Record<string, string> = {
  Starting: "Asking RingCentral to place the call",
  InProgress: "Ringing: answer your phone, then RingCentral connects the other party",
  Success: "Connected: the call is on your phone",
  Finished: "The call is over",
  Busy: "The line was busy",
  NoAnswer: "No answer",
  Rejected: "The call was rejected",
  Unknown: "RingCentral did not confirm the call: it may still ring",
};

/** What a RingOut's status means, in a sentence. */
export function callStatusText(status: string | null): string {
  return (status && STATUS_TEXT[status]) ?? (status ? `RingCentral says ${status}` : "");
}

/** A RingOut's status word as RingCentral gives it (InProgress, Success, Busy …). */
export function CallStatusBadge({ status, testId }: { status: string | null; testId?: string }) {
  if (!status) return null;
  const variant = status === "Success" || status === "Finished" ? "success" : status === "InProgress" || status === "Starting" ? "warning" : status === "Unknown" ? "muted" : "danger";
  return (
    <Badge variant={variant} data-testid={testId}>
      {status}
    </Badge>
  );
}

/** The other party of a call: the caller of an inbound call, the called number of an outbound one. */
export function otherParty(c: Pick<CallItem, "direction" | "fromNumber" | "fromName" | "toNumber" | "toName">) {
  return c.direction === "Inbound" ? { number: c.fromNumber, name: c.fromName } : { number: c.toNumber, name: c.toName };
}
