"use client";
// What the call screens share (the API's shapes are lib/telephony/contract.ts): the badges for a
// call's direction, result and live status, durations, and whether the signed-in person may call.
import { useQuery } from "@tanstack/react-query";
import { PhoneIncoming, PhoneOutgoing } from "lucide-react";
import { api } from "@/lib/client/api";
import { Badge } from "@/components/ui/badge";
import type { CallItem, LineList } from "@/lib/telephony/contract";
import type { Me } from "@/lib/users/contract";

/** Someone to call: a number, and the driver or contact it belongs to when known. */
export type CallTarget = { phone: string; name?: string | null; driverId?: string | null; contactId?: string | null };

export const LINES_KEY = ["calls", "lines"] as const;

export function useLines(enabled = true) {
  return useQuery({ queryKey: LINES_KEY, queryFn: () => api<LineList>("/api/v1/calls/lines"), enabled, staleTime: 30_000 });
}

/** calls.make for the signed-in person (the server checks it again on every call). */
export function useCanCall(): boolean {
  const me = useQuery({ queryKey: ["me"], queryFn: () => api<Me>("/api/v1/me"), staleTime: 5 * 60_000 });
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
