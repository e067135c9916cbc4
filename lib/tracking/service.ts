// The map's snapshot (every driver, its latest position, state and current order) and the
// retention of positions.
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { DriverState } from "@/lib/tracking/contract";

/** Offline: the latest position was taken (device time) more than GPS_OFFLINE_AFTER_SECONDS ago. */
export function driverState(loc: { speed: number | null; recordedAt: string | Date } | null, now = Date.now()): DriverState {
  if (!loc) return "unknown";
  const e = env();
  if (now - new Date(loc.recordedAt).getTime() > e.GPS_OFFLINE_AFTER_SECONDS * 1000) return "offline";
  return (loc.speed ?? 0) >= e.GPS_MOVING_SPEED_KMH ? "moving" : "stopped";
}

type SnapshotRow = {
  id: string;
  name: string;
  phone: string;
  status: string;
  vehicle: { plateNumber: string; make: string; model: string } | null;
  location: { latitude: number; longitude: number; accuracy: number | null; speed: number | null; heading: number | null; batteryLevel: number | null; recordedAt: string; receivedAt: string; applicationId: string | null } | null;
  order: { id: string; number: string; status: string; pickupAddress: string; dropoffAddress: string; pickupAt: string } | null;
};

/** Every driver that is not retired, with its latest position and current order (one query). */
export async function driversSnapshot() {
  const r = await pgPool().query<SnapshotRow>(
    `select d.id, d.name, d.phone, d.status,
            case when v.id is null then null else json_build_object('plateNumber', v.plate_number, 'make', v.make, 'model', v.model) end as vehicle,
            case when l.driver_id is null then null else json_build_object(
              'latitude', l.latitude, 'longitude', l.longitude, 'accuracy', l.accuracy, 'speed', l.speed, 'heading', l.heading,
              'batteryLevel', l.battery_level, 'recordedAt', l.recorded_at, 'receivedAt', l.received_at, 'applicationId', l.application_id) end as location,
            o.order
       from drivers d
       left join vehicles v on v.id = d.vehicle_id
       left join driver_locations l on l.driver_id = d.id
       left join lateral (
         select json_build_object('id', a.id, 'number', a.number, 'status', a.status, 'pickupAddress', a.pickup_address,
                                  'dropoffAddress', a.dropoff_address, 'pickupAt', a.pickup_at) as order
           from applications a
          where (a.id = l.application_id or a.driver_id = d.id) and a.status in ('assigned', 'in_progress')
          order by (a.id = l.application_id) desc nulls last, (a.status = 'in_progress') desc, a.pickup_at
          limit 1) o on true
      where d.status <> 'inactive' or l.driver_id is not null
      order by d.name`,
  );
  const now = Date.now();
  return {
    now: new Date(now).toISOString(),
    offlineAfterSeconds: env().GPS_OFFLINE_AFTER_SECONDS,
    movingSpeedKmh: env().GPS_MOVING_SPEED_KMH,
    drivers: r.rows.map((d) => ({ ...d, state: driverState(d.location, now) })),
  };
}

/**
 * Deletes positions older than GPS_STORE_HISTORY_DAYS in batches (each a short transaction, so
 * ingest never waits long behind it); the BRIN index on recorded_at finds them.
 */
export async function deleteOldPositions(days = env().GPS_STORE_HISTORY_DAYS, batch = 10_000): Promise<number> {
  const cutoff = new Date(Date.now() - days * 86_400_000);
  let total = 0;
  for (;;) {
    const r = await pgPool().query(
      `delete from gps_positions where ctid = any(array(select ctid from gps_positions where recorded_at < $1 limit $2))`,
      [cutoff, batch],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < batch) break;
  }
  if (total) logger.info({ positions: total, days }, "old GPS positions deleted");
  return total;
}
