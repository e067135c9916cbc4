// Positions from drivers' devices: validated, stored in one statement per batch (duplicates of
// a driver's recordedAt ignored), the driver's latest position kept in driver_locations, and
// every map told through NOTIFY in the same statement (delivered when it commits).
import { z } from "zod";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { cachedSettings } from "@/lib/settings";
import { ApiError, errors } from "@/lib/errors";
import { withAliases } from "@/lib/compat";

export const TRACKING_CHANNEL = "sb_tracking";
export const MAX_BATCH = 1000;

const num = (min: number, max: number, what: string) => z.number({ error: `${what} must be a number` }).finite().min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`);

/** One position in camelCase; the seed's snake_case names (driver_id, battery_level …) are aliases (lib/compat.ts). */
const positionFields = z.strictObject({
  driverId: z.uuid("driverId is a driver's id (uuid)").optional(),
  applicationId: z.uuid("applicationId is an order's id (uuid)").nullish(),
  latitude: num(-90, 90, "latitude"),
  longitude: num(-180, 180, "longitude"),
  /** metres */
  accuracy: num(0, 100_000, "accuracy").nullish(),
  /** km/h */
  speed: num(0, 1000, "speed").nullish(),
  heading: num(0, 360, "heading").nullish(),
  batteryLevel: num(0, 100, "batteryLevel").nullish(),
  /** the device's time: ISO 8601 with an offset, or epoch milliseconds; default: now */
  recordedAt: z.union([z.iso.datetime({ offset: true, error: "recordedAt is an ISO 8601 time with an offset" }), z.number().int().positive()]).optional(),
});
export const positionInput = withAliases("POST /api/v1/tracking/locations", positionFields);
export type PositionInput = z.output<typeof positionFields>;

/** One position, an array, or {positions: [...]}, at most MAX_BATCH. */
export const locationsBody = z.preprocess(
  (b, ctx) => {
    if (Array.isArray(b)) return b;
    if (b && typeof b === "object" && "positions" in b) {
      // {positions: [...]} holds nothing else: another key is a mistake, said rather than dropped
      const extra = Object.keys(b).filter((k) => k !== "positions");
      if (extra.length) ctx.addIssue({ code: "unrecognized_keys", keys: extra, input: b, message: `Unknown field${extra.length > 1 ? "s" : ""}: ${extra.join(", ")}` });
      return (b as { positions: unknown }).positions;
    }
    return [b];
  },
  z.array(positionInput, { error: "positions is a list" }).min(1, "No positions").max(MAX_BATCH, `At most ${MAX_BATCH} positions per request`),
);

type Row = {
  driver_id: string;
  recorded_at: string;
  application_id: string | null;
  latitude: number;
  longitude: number;
  accuracy: number | null;
  speed: number | null;
  heading: number | null;
  battery_level: number | null;
};

/** Who posts: a driver's device key (only that driver) or a fleet key / user (any driver). */
export type Poster = { driverId?: string | null };

export function checkEnabled() {
  if (!env().GPS_TRACKING_ENABLED) {
    throw new ApiError(403, "tracking_disabled", "GPS tracking is switched off on this server (GPS_TRACKING_ENABLED=false): positions are not accepted");
  }
}

function toRows(positions: PositionInput[], poster: Poster, now = Date.now()): Row[] {
  const e = env();
  const latest = now + e.GPS_MAX_FUTURE_SKEW_SECONDS * 1000;
  // positions older than the retention period (Settings; GPS_STORE_HISTORY_DAYS by default) would be deleted at once
  const keptDays = cachedSettings().retention.gpsDays;
  const oldest = now - keptDays * 86_400_000;
  const problems: { path: string; message: string }[] = [];
  const rows = positions.map((p, i) => {
    const driver = p.driverId ?? poster.driverId;
    if (!driver) problems.push({ path: `${i}.driverId`, message: "driverId is required" });
    else if (poster.driverId && driver !== poster.driverId) {
      throw errors.forbidden(`This API key belongs to one driver's device: it cannot post positions of driver ${driver}`);
    }
    const at = p.recordedAt === undefined ? now : typeof p.recordedAt === "number" ? p.recordedAt : Date.parse(p.recordedAt);
    if (at > latest) problems.push({ path: `${i}.recordedAt`, message: `recordedAt is in the future (more than ${e.GPS_MAX_FUTURE_SKEW_SECONDS} s ahead of the server)` });
    else if (at < oldest) problems.push({ path: `${i}.recordedAt`, message: `recordedAt is older than the ${keptDays} days positions are kept` });
    return {
      driver_id: driver!,
      recorded_at: new Date(at).toISOString(),
      application_id: p.applicationId ?? null,
      latitude: p.latitude,
      longitude: p.longitude,
      accuracy: p.accuracy ?? null,
      speed: p.speed ?? null,
      heading: p.heading ?? null,
      battery_level: p.batteryLevel === undefined || p.batteryLevel === null ? null : Math.round(p.batteryLevel),
    };
  });
  if (problems.length) throw errors.validation("Some positions are invalid: nothing was stored", problems.slice(0, 50));
  return rows;
}

/**
 * A driver_locations row as the compact JSON array the NOTIFY payload and the resume query
 * share (decoded by decodePosition in lib/tracking/live.ts): driver, latitude, longitude, speed,
 * heading, accuracy, battery, order, recorded and received in epoch ms.
 */
export const POSITION_ARRAY = (t: string) =>
  `json_build_array(${t}.driver_id, ${t}.latitude, ${t}.longitude, ${t}.speed, ${t}.heading, ${t}.accuracy, ${t}.battery_level, ${t}.application_id,
    (extract(epoch from ${t}.recorded_at) * 1000)::bigint, (extract(epoch from ${t}.received_at) * 1000)::bigint)`;
/** positions per NOTIFY: ~150 bytes each, under PostgreSQL's 8,000-byte payload limit */
const PER_NOTIFY = 40;

export const INGEST_SQL = `
  with input as (
    select * from unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::float8[], $5::float8[], $6::real[], $7::real[], $8::real[], $9::smallint[])
      as t(driver_id, recorded_at, application_id, latitude, longitude, accuracy, speed, heading, battery_level)),
  ins as (
    insert into gps_positions (driver_id, recorded_at, application_id, latitude, longitude, accuracy, speed, heading, battery_level)
    select driver_id, recorded_at, application_id, latitude, longitude, accuracy, speed, heading, battery_level from input
    on conflict do nothing
    returning *),
  latest as (select distinct on (driver_id) * from ins order by driver_id, recorded_at desc),
  up as (
    insert into driver_locations as d (driver_id, recorded_at, application_id, latitude, longitude, accuracy, speed, heading, battery_level, received_at)
    select driver_id, recorded_at, application_id, latitude, longitude, accuracy, speed, heading, battery_level, received_at from latest
    on conflict (driver_id) do update set
      recorded_at = excluded.recorded_at, application_id = excluded.application_id, latitude = excluded.latitude,
      longitude = excluded.longitude, accuracy = excluded.accuracy, speed = excluded.speed, heading = excluded.heading,
      battery_level = excluded.battery_level, received_at = excluded.received_at
    where d.recorded_at < excluded.recorded_at
    returning d.*)
  select (select count(*) from ins)::int as accepted,
         (select count(*) from (
            select pg_notify('${TRACKING_CHANNEL}', json_agg(${POSITION_ARRAY("x")})::text)
              from (select *, (row_number() over () - 1) / ${PER_NOTIFY} as chunk from up) x group by chunk) n)::int as notified`;

export async function ingestPositions(positions: PositionInput[], poster: Poster) {
  checkEnabled();
  const rows = toRows(positions, poster);
  try {
    // one typed array per column: cheaper for PostgreSQL to read than a JSON document
    const r = await pgPool().query<{ accepted: number; notified: number }>(
      INGEST_SQL,
      (["driver_id", "recorded_at", "application_id", "latitude", "longitude", "accuracy", "speed", "heading", "battery_level"] as const).map((c) => rows.map((x) => x[c])),
    );
    const accepted = r.rows[0].accepted;
    return { accepted, duplicates: rows.length - accepted };
  } catch (e) {
    if ((e as { code?: string }).code !== "23503") throw e; // a foreign key: some driver does not exist
    const ids = [...new Set(rows.map((r) => r.driver_id))];
    const known = await pgPool().query<{ id: string }>("select id from drivers where id = any($1::uuid[])", [ids]);
    const unknown = ids.filter((id) => !known.rows.some((k) => k.id === id));
    throw new ApiError(404, "not_found", unknown.length === 1 ? `Driver ${unknown[0]} not found: nothing was stored` : `Drivers not found: ${unknown.join(", ")}: nothing was stored`, { unknownDriverIds: unknown });
  }
}
