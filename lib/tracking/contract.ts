// The tracking API's answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the map screens
// (components/map) import the types without the database.
import { z } from "zod";
import { timestamp } from "@/lib/contract";

/** moving / stopped by the latest fix's speed; offline when it is too old; unknown without one */
export const DRIVER_STATES = ["moving", "stopped", "offline", "unknown"] as const;
export type DriverState = (typeof DRIVER_STATES)[number];

/** A driver's latest position (driver_locations). */
export const driverLocation = z.object({
  latitude: z.number(),
  longitude: z.number(),
  /** metres */
  accuracy: z.number().nullable(),
  /** km/h */
  speed: z.number().nullable(),
  /** degrees from north */
  heading: z.number().nullable(),
  /** percent */
  batteryLevel: z.number().nullable(),
  /** the device's time of the fix */
  recordedAt: timestamp,
  /** when the server took it */
  receivedAt: timestamp,
  /** the order the driver was on */
  applicationId: z.string().nullable(),
});
export type DriverLocation = z.infer<typeof driverLocation>;

/** The order a driver is on (assigned or in progress). */
export const driverOrder = z.object({
  id: z.string(),
  number: z.string(),
  status: z.enum(["new", "assigned", "in_progress", "completed", "canceled"]),
  pickupAddress: z.string(),
  dropoffAddress: z.string(),
  pickupAt: timestamp,
});
export type DriverOrder = z.infer<typeof driverOrder>;

export const driverItem = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string(),
  status: z.enum(["active", "off_duty", "inactive"]),
  vehicle: z.object({ plateNumber: z.string(), make: z.string(), model: z.string() }).nullable(),
  state: z.enum(DRIVER_STATES),
  location: driverLocation.nullable(),
  order: driverOrder.nullable(),
});
export type DriverItem = z.infer<typeof driverItem>;

/** GET /api/v1/tracking/drivers: every driver that is not retired, with the server's clock and thresholds */
export const trackingDrivers = z.object({
  now: timestamp,
  /** a fix older than this is offline */
  offlineAfterSeconds: z.number(),
  /** at or above this speed a driver is moving */
  movingSpeedKmh: z.number(),
  drivers: z.array(driverItem),
});
export type DriversSnapshot = z.infer<typeof trackingDrivers>;

/** One "position" event of GET /api/v1/tracking/stream (Server-Sent Events: its data, as JSON). */
export const positionEvent = driverLocation.extend({
  driverId: z.string(),
  /** receivedAt in epoch ms: the SSE event id a reconnecting client resumes from */
  at: z.number(),
});
export type PositionEvent = z.infer<typeof positionEvent>;

/** POST /api/v1/tracking/locations (202): how many were stored and how many had been already */
export const positionsAccepted = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

export const historyPoint = z.object({ latitude: z.number(), longitude: z.number(), recordedAt: timestamp, speed: z.number().nullable() });
/** every stored fix (history with raw=1) */
export const rawPoint = historyPoint.extend({ heading: z.number().nullable(), accuracy: z.number().nullable(), batteryLevel: z.number().nullable() });
export type RawPoint = z.infer<typeof rawPoint>;
/** a place the driver stayed (within 60 m for 3 minutes or more) */
export const historyStop = z.object({ latitude: z.number(), longitude: z.number(), from: timestamp, to: timestamp, durationSeconds: z.number().int() });
export type HistoryStop = z.infer<typeof historyStop>;

/** GET /api/v1/tracking/history: a driver's route over a day or a range */
export const trackingHistory = z.object({
  driverId: z.string(),
  from: timestamp,
  to: timestamp,
  /** the line to draw: simplified, at most maxPoints */
  points: z.array(historyPoint),
  /** with raw=1 */
  raw: z.array(rawPoint).optional(),
  stats: z.object({
    distanceMeters: z.number().int(),
    movingSeconds: z.number().int(),
    stoppedSeconds: z.number().int(),
    maxSpeedKmh: z.number(),
    averageSpeedKmh: z.number(),
    rawPoints: z.number().int(),
    simplifiedPoints: z.number().int(),
    startedAt: timestamp.nullable(),
    endedAt: timestamp.nullable(),
  }),
  stops: z.array(historyStop),
});
export type DriverHistory = z.infer<typeof trackingHistory>;
