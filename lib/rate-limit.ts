// Rate limits stored in PostgreSQL (rate-limiter-flexible), so every web instance shares them.
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pgPool } from "@/lib/pg";

const limiters = new Map<string, RateLimiterPostgres>();

function limiter(prefix: string, points: number, durationSeconds: number, blockSeconds = 0) {
  const id = `${prefix}:${points}:${durationSeconds}:${blockSeconds}`;
  let l = limiters.get(id);
  if (!l) {
    l = new RateLimiterPostgres({
      storeClient: pgPool(),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true, // created by the migrations
      keyPrefix: prefix,
      points,
      duration: durationSeconds,
      blockDuration: blockSeconds,
    });
    limiters.set(id, l);
  }
  return l;
}

export type LimitResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** Consumes one point; never throws for "limited", only for store failures. */
export async function consume(
  prefix: string,
  key: string,
  points: number,
  durationSeconds: number,
  blockSeconds = 0,
): Promise<LimitResult> {
  try {
    const r = await limiter(prefix, points, durationSeconds, blockSeconds).consume(key, 1);
    return { allowed: true, remaining: r.remainingPoints };
  } catch (e) {
    if (e instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
    }
    throw e;
  }
}

export async function reset(prefix: string, key: string, points: number, durationSeconds: number, blockSeconds = 0) {
  await limiter(prefix, points, durationSeconds, blockSeconds).delete(key);
}

/** Gives back the point a request consumed (a successful sign-in does not count against the limit). */
export async function refund(prefix: string, key: string, points: number, durationSeconds: number, blockSeconds = 0) {
  await limiter(prefix, points, durationSeconds, blockSeconds).reward(key, 1);
}

/** Large enough never to limit (the points column is a 32-bit integer). */
const UNLIMITED = 2 ** 31 - 1;

/**
 * A counter over a window that never refuses: adds `by` (negative gives back) and answers how
 * many are counted now. Atomic, so callers running at once each see their own count.
 */
export async function count(prefix: string, key: string, durationSeconds: number, by = 1): Promise<number> {
  const l = limiter(prefix, UNLIMITED, durationSeconds);
  const r = by >= 0 ? await l.consume(key, by) : await l.reward(key, -by);
  return r.consumedPoints;
}

/** Deletes the stored counters of `prefix`: one key, or every key that starts with `keyStartsWith`. */
export async function deleteLimits(prefix: string, which: { key: string } | { keyStartsWith: string }): Promise<number> {
  // rate-limiter-flexible stores "<prefix>:<key>"; compared exactly (no LIKE: keys may hold % or _)
  const r =
    "key" in which
      ? await pgPool().query("delete from rate_limits where key = $1", [`${prefix}:${which.key}`])
      : await pgPool().query("delete from rate_limits where left(key, length($1)) = $1", [`${prefix}:${which.keyStartsWith}`]);
  return r.rowCount ?? 0;
}
