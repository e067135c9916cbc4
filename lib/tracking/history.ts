// A driver's route for a day (or a range): the raw positions, a simplified line for drawing
// (Douglas-Peucker through simplify-js, endpoints kept, never more than maxPoints), trip
// statistics and the stops.
import simplify from "simplify-js";
import { z } from "zod";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { withAliases } from "@/lib/compat";
import { ianaTimeZone } from "@/lib/zod-fields";
import type { RawPoint } from "@/lib/tracking/contract";

const timeZone = ianaTimeZone;

const flag = z.enum(["1", "0", "true", "false"]).transform((v) => v === "1" || v === "true");

/** camelCase; driver_id and max_points are aliases (lib/compat.ts) */
export const historyQuery = withAliases(
  "GET /api/v1/tracking/history",
  z
    .strictObject({
      driverId: z.uuid("driverId is a driver's id"),
      date: z.iso.date("date is YYYY-MM-DD").optional(),
      tz: timeZone.default("UTC"),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      raw: flag.default(false),
      maxPoints: z.coerce.number().int().min(2).max(20_000).default(1000),
    })
    .refine((q) => !!q.date !== !!(q.from || q.to), { message: "Give either date (with tz) or from and to", path: ["date"] })
    .refine((q) => !!q.date || (!!q.from && !!q.to), { message: "from and to go together", path: ["to"] })
    .refine((q) => !q.from || !q.to || (Date.parse(q.to) > Date.parse(q.from) && Date.parse(q.to) - Date.parse(q.from) <= 7 * 86_400_000), {
      message: "to is after from, at most 7 days later",
      path: ["to"],
    }),
);
export type HistoryQuery = z.output<typeof historyQuery>;

type P = RawPoint & { t: number };

const R = 6_371_008.8; // mean Earth radius, metres
const rad = (d: number) => (d * Math.PI) / 180;
/** Great-circle distance in metres (haversine). */
export function distance(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A gap longer than this between two positions is "no data" (phone off), neither moving nor stopped. */
export const GAP_SECONDS = 300;
/** A stop: staying within STOP_RADIUS_M of where it began for at least STOP_MIN_SECONDS. */
export const STOP_RADIUS_M = 60;
export const STOP_MIN_SECONDS = 180;
/** faster than this between two fixes is a GPS jump, not travel */
const GLITCH_KMH = 250;

/** The line to draw: Douglas-Peucker in local metres, tolerance doubled until it fits max. */
export function simplifyRoute<T extends { latitude: number; longitude: number }>(points: T[], maxPoints: number, toleranceM = 5): T[] {
  if (points.length <= 2) return points;
  const lat0 = rad(points[0].latitude);
  const xy = points.map((p, i) => ({ x: rad(p.longitude) * Math.cos(lat0) * R, y: rad(p.latitude) * R, i }));
  let tol = toleranceM;
  for (;;) {
    const kept = simplify(xy, tol, true) as typeof xy;
    if (kept.length <= maxPoints) return kept.map((k) => points[k.i]);
    tol *= 2;
  }
}

export function tripStats(points: P[], movingKmh: number) {
  let distanceMeters = 0;
  let movingSeconds = 0;
  let stoppedSeconds = 0;
  let maxSpeedKmh = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    const d = distance(a, b);
    const kmh = (d / dt) * 3.6;
    if (kmh > GLITCH_KMH) continue;
    distanceMeters += d;
    if (dt > GAP_SECONDS) continue;
    const speed = b.speed ?? kmh;
    if (speed >= movingKmh) movingSeconds += dt;
    else stoppedSeconds += dt;
    maxSpeedKmh = Math.max(maxSpeedKmh, b.speed ?? kmh);
  }
  if (points[0]?.speed) maxSpeedKmh = Math.max(maxSpeedKmh, points[0].speed);
  return {
    distanceMeters: Math.round(distanceMeters),
    movingSeconds: Math.round(movingSeconds),
    stoppedSeconds: Math.round(stoppedSeconds),
    maxSpeedKmh: Math.round(maxSpeedKmh * 10) / 10,
    averageSpeedKmh: movingSeconds > 0 ? Math.round((distanceMeters / movingSeconds) * 36) / 10 : 0,
  };
}

export function findStops(points: P[]) {
  const stops: { latitude: number; longitude: number; from: string; to: string; durationSeconds: number }[] = [];
  let i = 0;
  while (i < points.length) {
    let j = i + 1;
    while (j < points.length && distance(points[i], points[j]) <= STOP_RADIUS_M) j++;
    const last = points[j - 1];
    const seconds = (last.t - points[i].t) / 1000;
    if (seconds >= STOP_MIN_SECONDS) {
      const span = points.slice(i, j);
      stops.push({
        latitude: span.reduce((s, p) => s + p.latitude, 0) / span.length,
        longitude: span.reduce((s, p) => s + p.longitude, 0) / span.length,
        from: points[i].recordedAt,
        to: last.recordedAt,
        durationSeconds: Math.round(seconds),
      });
      i = j;
    } else i++;
  }
  return stops;
}

export async function driverHistory(q: HistoryQuery) {
  const pool = pgPool();
  const driver = await pool.query<{ id: string }>("select id from drivers where id = $1", [q.driverId]);
  if (!driver.rows[0]) throw errors.notFound("Driver");
  // the day's bounds in its time zone, computed by PostgreSQL (daylight saving included)
  const range = q.date
    ? (await pool.query<{ from: Date; to: Date }>(`select ($1::date::timestamp at time zone $2) as "from", (($1::date + 1)::timestamp at time zone $2) as "to"`, [q.date, q.tz])).rows[0]
    : { from: new Date(q.from!), to: new Date(q.to!) };
  const r = await pool.query<RawPoint>(
    `select latitude, longitude, recorded_at as "recordedAt", speed, heading, accuracy, battery_level as "batteryLevel"
       from gps_positions where driver_id = $1 and recorded_at >= $2 and recorded_at < $3 order by recorded_at`,
    [q.driverId, range.from, range.to],
  );
  const raw: P[] = r.rows.map((p) => ({ ...p, recordedAt: new Date(p.recordedAt).toISOString(), t: new Date(p.recordedAt).getTime() }));
  const line = simplifyRoute(raw, q.maxPoints);
  const strip = ({ t: _t, ...p }: P) => p;
  return {
    driverId: q.driverId,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    points: line.map((p) => ({ latitude: p.latitude, longitude: p.longitude, recordedAt: p.recordedAt, speed: p.speed })),
    ...(q.raw ? { raw: raw.map(strip) } : {}),
    stats: {
      ...tripStats(raw, env().GPS_MOVING_SPEED_KMH),
      rawPoints: raw.length,
      simplifiedPoints: line.length,
      startedAt: raw[0]?.recordedAt ?? null,
      endedAt: raw.at(-1)?.recordedAt ?? null,
    },
    stops: findStops(raw),
  };
}
