"use client";
// What the meetings screens share: a meeting's status badge, times shown in the meeting's own
// time zone, and wall-clock times typed for a time zone turned into instants. The API's meeting
// is in lib/meetings/contract.ts.
import { Badge } from "@/components/ui/badge";
import type { MeetingStatus } from "@/lib/meetings/contract";

const STATUS: Record<MeetingStatus, { label: string; variant: "info" | "success" | "muted" | "danger" }> = {
  scheduled: { label: "Scheduled", variant: "info" },
  started: { label: "In progress", variant: "success" },
  ended: { label: "Ended", variant: "muted" },
  deleted: { label: "Deleted", variant: "danger" },
};

export function MeetingStatusBadge({ status }: { status: MeetingStatus }) {
  const s = STATUS[status] ?? STATUS.scheduled;
  return <Badge variant={s.variant}>{s.label}</Badge>;
}

/** "4 May 2030, 09:30" in the meeting's time zone (the browser's when it has none) */
export function formatInZone(iso: string | null, timeZone: string | null) {
  if (!iso) return "—";
  try {
    return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", ...(timeZone ? { timeZone } : {}) });
  } catch {
    return new Date(iso).toLocaleString();
  }
}

export function formatMinutes(min: number | null) {
  if (!min) return "—";
  const h = Math.floor(min / 60);
  const m = min % 60;
  return h ? `${h} h${m ? ` ${m} min` : ""}` : `${m} min`;
}

export function formatBytes(n: number | null) {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function timeZones(current: string): string[] {
  let all: string[];
  try {
    all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    all = [];
  }
  return [...new Set(["UTC", current, ...all])];
}

/** Milliseconds to add to UTC to get the wall clock in `timeZone` at instant `at`. */
function zoneOffset(at: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - at;
}

/** "2030-05-04T09:30" on the clocks of `timeZone` → the instant, ISO (DST handled by a second pass). */
export function zonedToIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  try {
    let utc = wall - zoneOffset(wall, timeZone);
    utc = wall - zoneOffset(utc, timeZone);
    return new Date(utc).toISOString();
  } catch {
    return null;
  }
}

/** The next full hour as "YYYY-MM-DDTHH:mm" on the clocks of `timeZone`. */
export function nextHourIn(timeZone: string, now = Date.now()): string {
  const at = Math.ceil((now + 60_000) / 3600_000) * 3600_000;
  let shifted = at;
  try {
    shifted = at + zoneOffset(at, timeZone);
  } catch {
    /* unknown zone: UTC */
  }
  return new Date(shifted).toISOString().slice(0, 16);
}

export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
