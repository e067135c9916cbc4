// The overview's periods: the last 24 hours, 7 days or 30 days, in whole buckets of 1 h, 6 h
// or 1 day that end with the current hour. Every card of the overview counts rows in the
// same window [from, until), and its links open the lists filtered from the same `from`.
import { z } from "zod";

export const PERIODS = {
  "24h": { label: "24 hours", bucketMs: 3_600_000, buckets: 24 },
  "7d": { label: "7 days", bucketMs: 6 * 3_600_000, buckets: 28 },
  "30d": { label: "30 days", bucketMs: 24 * 3_600_000, buckets: 30 },
} as const;

export type Period = keyof typeof PERIODS;
export const PERIOD_NAMES = Object.keys(PERIODS) as Period[];
export const DEFAULT_PERIOD: Period = "24h";

export const periodQuery = z.strictObject({
  period: z.enum(PERIOD_NAMES as [Period, ...Period[]]).default(DEFAULT_PERIOD).describe("The window counted: 24h (hourly buckets), 7d (6-hour buckets) or 30d (daily buckets)"),
});

export type Window = {
  period: Period;
  /** the first bucket's start: a whole hour */
  from: Date;
  /** now: rows up to this instant are counted */
  until: Date;
  bucketMs: number;
  buckets: number;
};

/**
 * The window of a period at `now`: `buckets` buckets of `bucketMs`, the last one holding the
 * current hour, so `from` is a whole hour (API usage is kept per hour and lines up with it).
 */
export function windowOf(period: Period, now = new Date()): Window {
  const p = PERIODS[period];
  const nextHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000;
  return { period, from: new Date(nextHour - p.buckets * p.bucketMs), until: now, bucketMs: p.bucketMs, buckets: p.buckets };
}

/** The start of every bucket of the window, oldest first. */
export function bucketStarts(w: Window): Date[] {
  return Array.from({ length: w.buckets }, (_, i) => new Date(w.from.getTime() + i * w.bucketMs));
}
