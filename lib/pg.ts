// A small node-postgres pool for the libraries that speak pg directly (rate limiter,
// LISTEN/NOTIFY). Prisma keeps its own pool (lib/db.ts).
import pg from "pg";
import { env } from "@/lib/env";

const g = globalThis as unknown as { __sbPgPool?: pg.Pool; __sbPgUrl?: string };

export function pgPool(): pg.Pool {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  if (!g.__sbPgPool || g.__sbPgUrl !== url) {
    // the webhook hot path and the rate limiter use it: PG_POOL_MAX connections per process
    g.__sbPgPool = new pg.Pool({ connectionString: url, max: env().PG_POOL_MAX });
    g.__sbPgPool.on("error", () => {}); // idle client errors surface on the next query
    g.__sbPgUrl = url;
  }
  return g.__sbPgPool;
}

export async function closePgPool() {
  await g.__sbPgPool?.end();
  g.__sbPgPool = undefined;
}
