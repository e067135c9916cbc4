// Billing periods (core): a subscription's period is [start, start + N intervals), counted in
// UTC calendar units. A month after the 31st is the last day of a shorter month (31 January +
// 1 month = 28/29 February), as card schemes and Stripe count it; the time of day is kept.
export type Interval = "day" | "week" | "month" | "year";

const INTERVALS: readonly Interval[] = ["day", "week", "month", "year"];

export const isInterval = (v: unknown): v is Interval => typeof v === "string" && (INTERVALS as readonly string[]).includes(v);

/** `from` + count × interval. Months and years: counted from `from` itself, clamped to the month's last day. */
export function addInterval(from: Date, interval: Interval, count = 1): Date {
  const d = new Date(from.getTime());
  if (interval === "day" || interval === "week") {
    d.setUTCDate(d.getUTCDate() + count * (interval === "week" ? 7 : 1));
    return d;
  }
  const months = interval === "year" ? count * 12 : count;
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** "1h,1d,3d" (s, m, h, d) → seconds each; throws on anything else. */
export function parseWaits(spec: string): number[] {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
  return spec.split(",").map((part) => {
    const m = /^\s*(\d+)([smhd])\s*$/.exec(part);
    if (!m) throw new Error(`"${part.trim()}" is not a wait such as 1h or 3d`);
    return Number(m[1]) * unit[m[2]];
  });
}
