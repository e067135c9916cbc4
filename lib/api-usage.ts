// API requests per API key per hour (api_key_usage), for the overview's "API requests and
// errors by key". The request path only adds to a map in memory; a timer writes what piled up
// every few seconds with one upsert for all keys and hours, so a busy API costs the database
// one statement per interval instead of one per request. Counting never throws into a request.
//
// The state lives on globalThis: Next.js may load this module more than once in one process
// (the App Router bundles and the node:http front's fast routes), and they share one map, one
// timer and one flush chain.
import { logger } from "@/lib/logger";
import { pgPool } from "@/lib/pg";

/** how often the pending counts are written */
export const API_USAGE_FLUSH_MS = 5_000;
/** distinct (key, hour) pairs kept while the database cannot be written: beyond it new pairs are dropped */
const MAX_PENDING = 50_000;
const HOUR_MS = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Pending = { apiKeyId: string; hour: number; requests: number; errors: number };
type State = {
  pending: Map<string, Pending>;
  timer: NodeJS.Timeout | null;
  /** flushes run one after another: a later one waits for the one under way */
  chain: Promise<unknown>;
  exitHooked: boolean;
  dropped: number;
};

const g = globalThis as unknown as { __sbApiUsage?: State };

function state(): State {
  return (g.__sbApiUsage ??= { pending: new Map(), timer: null, chain: Promise.resolve(), exitHooked: false, dropped: 0 });
}

function add(s: State, apiKeyId: string, hour: number, requests: number, errors: number) {
  const k = `${apiKeyId}|${hour}`;
  const p = s.pending.get(k);
  if (p) {
    p.requests += requests;
    p.errors += errors;
    return;
  }
  if (s.pending.size >= MAX_PENDING) {
    s.dropped += requests;
    return;
  }
  s.pending.set(k, { apiKeyId, hour, requests, errors });
}

/** Counts one answered API-key request (an error when status >= 400). Never throws. */
export function countApiKeyRequest(apiKeyId: string, status: number): void {
  try {
    // a malformed id would make the whole batch's statement fail, again and again
    if (typeof apiKeyId !== "string" || !UUID.test(apiKeyId)) return;
    const s = state();
    add(s, apiKeyId, Math.floor(Date.now() / HOUR_MS) * HOUR_MS, 1, status >= 400 ? 1 : 0);
    schedule(s);
  } catch {
    // counting is bookkeeping: the request goes on whatever happens here
  }
}

function schedule(s: State) {
  if (!s.timer) {
    s.timer = setInterval(() => void flushApiUsage(), API_USAGE_FLUSH_MS);
    s.timer.unref();
  }
  if (!s.exitHooked) {
    s.exitHooked = true;
    // the event loop ran empty (a script's end): one last write
    process.once("beforeExit", () => void flushApiUsage());
    // a server being stopped: its own shutdown handler waits for the workers, long enough for
    // one statement. Only next to such a handler: a listener of ours alone would keep the
    // process from ending on the signal.
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      if (process.listenerCount(sig) > 0) process.once(sig, () => void flushApiUsage());
    }
  }
}

async function writeOnce(s: State): Promise<number> {
  if (s.pending.size === 0) {
    if (s.timer) {
      // nothing counted since the last write: the next request starts the timer again
      clearInterval(s.timer);
      s.timer = null;
    }
    return 0;
  }
  const rows = [...s.pending.values()];
  s.pending = new Map();
  try {
    await pgPool().query(
      `insert into api_key_usage (api_key_id, hour, requests, errors)
       select * from unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[])
       on conflict (api_key_id, hour) do update
         set requests = api_key_usage.requests + excluded.requests,
             errors = api_key_usage.errors + excluded.errors`,
      [rows.map((r) => r.apiKeyId), rows.map((r) => new Date(r.hour)), rows.map((r) => r.requests), rows.map((r) => r.errors)],
    );
    if (s.dropped) {
      logger.warn({ dropped: s.dropped }, "API usage: requests not counted while the database could not be written");
      s.dropped = 0;
    }
    return rows.length;
  } catch (e) {
    if (String((e as { code?: unknown }).code ?? "").startsWith("22")) {
      // a data exception (a count past int range): retrying the same rows cannot succeed
      logger.error({ err: (e as Error).message, rows: rows.length }, "API usage: counts dropped");
      return 0;
    }
    // kept for the next try, added to whatever was counted meanwhile
    for (const r of rows) add(s, r.apiKeyId, r.hour, r.requests, r.errors);
    logger.warn({ err: (e as Error).message, pending: s.pending.size }, "API usage: write failed, kept for the next flush");
    return 0;
  }
}

/**
 * Writes every pending count now (after a flush already under way); resolves with the number of
 * (key, hour) rows written. Never rejects. Tests call it; so do the timer and process exit.
 */
export function flushApiUsage(): Promise<number> {
  const s = state();
  const run = s.chain.then(() => writeOnce(s)).catch(() => 0);
  s.chain = run;
  return run;
}

/** Retention: usage older than `days` days (the log retention), removed by the nightly job. */
export async function deleteOldApiUsage(days: number): Promise<number> {
  const r = await pgPool().query(`delete from api_key_usage where hour < now() - make_interval(days => $1::int)`, [days]);
  if (r.rowCount) logger.info({ rows: r.rowCount, days }, "API usage retention");
  return r.rowCount ?? 0;
}
