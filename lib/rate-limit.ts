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
