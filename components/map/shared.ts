// What the map screens share: a driver's state and how it is worked out in the browser for
// streamed positions, and the words and colours shown for it. The shapes the tracking API
// returns are in lib/tracking/contract.ts. No Leaflet here: this module is safe on the server.
import type { DriverItem, DriverLocation, DriverState, DriversSnapshot, PositionEvent, DriverHistory } from "@/lib/tracking/contract";

/** The drivers as the page keeps them: the snapshot plus how far the server's clock is ahead of ours. */
export type LiveDrivers = DriversSnapshot & { clockOffsetMs: number };

export const DRIVERS_KEY = ["tracking", "drivers"] as const;

export const STATE_STYLE: Record<DriverState, { label: string; dot: string; text: string; hex: string }> = {
  moving: { label: "Moving", dot: "bg-emerald-500", text: "text-success", hex: "#10b981" },
  stopped: { label: "Stopped", dot: "bg-amber-500", text: "text-warning", hex: "#f59e0b" },
  offline: { label: "Offline", dot: "bg-zinc-400", text: "text-muted-foreground", hex: "#a1a1aa" },
  unknown: { label: "No position yet", dot: "bg-slate-300 dark:bg-slate-600", text: "text-muted-foreground", hex: "#94a3b8" },
};

export const STATE_ORDER: DriverState[] = ["moving", "stopped", "offline", "unknown"];

/** Distinct route colours for the replay (hex: Leaflet writes them into SVG attributes). */
export const ROUTE_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d", "#4f46e5", "#b45309"];

/**
 * As the server decides it (lib/tracking/service.ts): the latest position was taken (device
 * time) more than offlineAfterSeconds ago → offline; at or above the moving speed → moving.
 */
export function deriveState(loc: Pick<DriverLocation, "speed" | "recordedAt"> | null, nowMs: number, offlineAfterSeconds: number, movingSpeedKmh: number): DriverState {
  if (!loc) return "unknown";
  const taken = Date.parse(loc.recordedAt);
  if (Number.isFinite(taken) && nowMs - taken > offlineAfterSeconds * 1000) return "offline";
  return (loc.speed ?? 0) >= movingSpeedKmh ? "moving" : "stopped";
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);

/** Is `next` a newer fix than `cur` (by device time, then by arrival)? Stream events may repeat or arrive late. */
export function isNewer(next: DriverLocation, cur: DriverLocation | null): boolean {
  if (!cur) return true;
  const a = time(next.recordedAt);
  const b = time(cur.recordedAt);
  if (a !== b) return !(a < b);
  return !(time(next.receivedAt) <= time(cur.receivedAt));
}

/** A streamed position merged into the cached drivers; undefined when the driver is not in the list (refetch). */
export function applyPosition(data: LiveDrivers, e: PositionEvent, movingSpeedKmh: number): LiveDrivers | undefined {
  const i = data.drivers.findIndex((d) => d.id === e.driverId);
  if (i < 0) return undefined;
  const d = data.drivers[i];
  const { driverId: _id, ...loc } = e;
  const location: DriverLocation = {
    latitude: Number(loc.latitude),
    longitude: Number(loc.longitude),
    accuracy: loc.accuracy ?? null,
    speed: loc.speed ?? null,
    heading: loc.heading ?? null,
    batteryLevel: loc.batteryLevel ?? null,
    recordedAt: loc.recordedAt,
    receivedAt: loc.receivedAt,
    applicationId: loc.applicationId ?? null,
  };
  if (!isNewer(location, d.location)) return data;
  const state = deriveState(location, Date.now() + data.clockOffsetMs, data.offlineAfterSeconds, movingSpeedKmh);
  const drivers = data.drivers.slice();
  drivers[i] = { ...d, location, state };
  return { ...data, drivers };
}

/** Drivers whose last position has grown too old turn offline (the stream says nothing when a device goes quiet). */
export function expireStale(data: LiveDrivers): LiveDrivers {
  const now = Date.now() + data.clockOffsetMs;
  let changed = false;
  const drivers = data.drivers.map((d) => {
    if (!d.location || d.state === "offline" || d.state === "unknown") return d;
    if (now - time(d.location.recordedAt) <= data.offlineAfterSeconds * 1000) return d;
    changed = true;
    return { ...d, state: "offline" as const };
  });
  return changed ? { ...data, drivers } : data;
}

/** A fresh snapshot, keeping any position the stream brought that is newer than the snapshot's. */
export function mergeSnapshot(fresh: DriversSnapshot, prev: LiveDrivers | undefined, movingSpeedKmh: number): LiveDrivers {
  const serverNow = Date.parse(fresh.now);
  const clockOffsetMs = Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
  const byId = new Map(prev?.drivers.map((d) => [d.id, d]) ?? []);
  const drivers = fresh.drivers.map((d) => {
    const old = byId.get(d.id);
    if (old?.location && d.location && !isNewer(d.location, old.location)) {
      return { ...d, location: old.location, state: deriveState(old.location, Date.now() + clockOffsetMs, fresh.offlineAfterSeconds, movingSpeedKmh) };
    }
    return d;
  });
  return { ...fresh, drivers, clockOffsetMs };
}

// ── words ──

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago" */
export function relativeTime(iso: string | null | undefined, nowMs: number): string {
  const t = time(iso);
  if (!Number.isFinite(t)) return "—";
  const s = Math.round((nowMs - t) / 1000);
  if (s < 0) return s > -60 ? "just now" : "in the future";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** 3725 → "1 h 2 min"; 45 → "45 s" */
export function formatSeconds(total: number | null | undefined): string {
  if (total == null || !Number.isFinite(total)) return "—";
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min`;
}

export function formatKm(meters: number | null | undefined): string {
  if (meters == null || !Number.isFinite(meters)) return "—";
  const km = meters / 1000;
  return `${km >= 100 ? km.toFixed(0) : km >= 10 ? km.toFixed(1) : km.toFixed(2)} km`;
}

export function formatSpeed(kmh: number | null | undefined): string {
  return kmh == null || !Number.isFinite(kmh) ? "—" : `${Math.round(kmh)} km/h`;
}

export const formatCoords = (lat: number, lng: number) => `${lat.toFixed(5)}, ${lng.toFixed(5)}`;

/** "08:42:10" in the browser's zone */
export function clockTime(ms: number | string): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}

/** "08:42" */
export function shortTime(ms: number | string): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** Today in the browser's zone as YYYY-MM-DD (what input type=date holds). */
export function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Name, phone (digits match too) or plate number contains what was typed. */
export function matchesSearch(d: DriverItem, q: string): boolean {
  const text = q.trim().toLowerCase();
  if (!text) return true;
  if (d.name.toLowerCase().includes(text)) return true;
  if (d.phone.toLowerCase().includes(text)) return true;
  const digits = text.replace(/\D/g, "");
  if (digits.length >= 3 && d.phone.replace(/\D/g, "").includes(digits)) return true;
  const plate = d.vehicle?.plateNumber.toLowerCase().replace(/\s/g, "");
  return !!plate && plate.includes(text.replace(/\s/g, ""));
}

// ── replay ──

export type TimedPoint = { t: number; lat: number; lng: number };

/**
 * The timeline a replay marker follows: the drawn (simplified) points plus each stop's start and
 * end at the stop, so the marker waits out a stop instead of creeping through it.
 */
export function replayTimeline(h: Pick<DriverHistory, "points" | "stops">): TimedPoint[] {
  const stops = h.stops.map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to), lat: s.latitude, lng: s.longitude }));
  const out: TimedPoint[] = [];
  for (const p of h.points) {
    const t = Date.parse(p.recordedAt);
    if (!Number.isFinite(t)) continue;
    if (stops.some((s) => t > s.from && t < s.to)) continue;
    out.push({ t, lat: p.latitude, lng: p.longitude });
  }
  for (const s of stops) {
    if (Number.isFinite(s.from)) out.push({ t: s.from, lat: s.lat, lng: s.lng });
    if (Number.isFinite(s.to) && s.to !== s.from) out.push({ t: s.to, lat: s.lat, lng: s.lng });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/** Where the driver was at `t`: linear between the two fixes around it, held at the ends. */
export function positionAt(line: TimedPoint[], t: number): [number, number] | null {
  if (!line.length) return null;
  if (t <= line[0].t) return [line[0].lat, line[0].lng];
  const last = line[line.length - 1];
  if (t >= last.t) return [last.lat, last.lng];
  let lo = 0;
  let hi = line.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (line[mid].t <= t) lo = mid;
    else hi = mid;
  }
  const a = line[lo];
  const b = line[hi];
  const f = b.t === a.t ? 0 : (t - a.t) / (b.t - a.t);
  return [a.lat + (b.lat - a.lat) * f, a.lng + (b.lng - a.lng) * f];
}
