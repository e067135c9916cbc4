// The one idempotency mechanism (core) for our own POST endpoints: `Idempotency-Key`, as in
// Stripe's API and the IETF draft "The Idempotency-Key HTTP Header Field". A key belongs to one
// caller (a user or an API key) and one operation (the route); the table idempotency_keys keeps
// the first request's fingerprint (SHA-256 of its canonical JSON), its state while it runs, and
// its answer, sealed with the vault (an answer may hold a secret, e.g. a meeting's start URL).
//
//   same key, same request, first one done   → the first answer again: 200, its body with
//                                              `replayed: true`, header Idempotent-Replayed: true
//   same key, same request, first one running → 409 (try again in a moment)
//   same key, another request                 → 422 naming the problem
//   another caller's same key                 → unrelated (keys never collide across callers)
//
// A request that is refused (an ApiError, nothing done) frees its key: the caller may fix the
// request and send it again with the same key. A route may keep an error as the answer when the
// outcome is not known (`keepError`: the provider may have acted), so a retry does not act twice.
// Keys expire after IDEMPOTENCY_TTL_MS (24 h); the workers' maintenance tick deletes expired
// ones (sweepIdempotencyKeys). An in-progress key older than STALE_MS belonged to a process that
// died mid-request and may be taken over.
//
// route() in lib/api.ts applies it to every route declared with `idempotency`; services do not
// implement idempotency themselves. Where a service's table keeps a unique key of its own (a
// message, a payment, a refund: so a retry after a lost answer finds the same row), it stores
// scopedKey(): "<caller>:<key>", never the raw header. Internal senders use their own prefixes
// (the Telegram bot's "tg-reply:", alerts' "<kind>:"), which a caller's scoped key, always
// "user:" or "api_key:", can never be.
import { createHash } from "node:crypto";
import { pgPool } from "@/lib/pg";
import { ApiError, errorBody, errors } from "@/lib/errors";
import { aadFor, decrypt, encrypt } from "@/lib/vault";
import { batcher } from "@/lib/batcher";
import type { Actor } from "@/lib/audit";

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const STALE_MS = 10 * 60_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** What an operation answered: an HTTP status and a JSON body. */
export type Answer = { status: number; body: unknown };

export type IdempotencyScope = {
  /** "user:<id>" | "api_key:<id>" */
  caller: string;
  /** e.g. "POST /api/v1/meetings" */
  operation: string;
  key: string;
  /** the request as the operation understood it (parsed body, params): its fingerprint is compared */
  request: unknown;
  ttlMs?: number;
  /** an error to keep as the answer instead of freeing the key (the outcome is not known) */
  keepError?: (e: ApiError) => boolean;
};

/** JSON with object keys sorted, so equal requests give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

export function fingerprint(request: unknown): string {
  return createHash("sha256").update(canonicalJson(request)).digest("hex");
}

/** Checks the header's value: 1–255 visible ASCII characters. */
export function checkKey(key: string) {
  if (!KEY_FORMAT.test(key)) {
    throw errors.validation("Idempotency-Key must be 1–255 visible ASCII characters", [{ path: "Idempotency-Key", message: "Invalid" }]);
  }
}

/** The caller a key belongs to: "user:<id>" | "api_key:<id>"; "system" for the workers and scripts. */
export function callerOf(actor: Actor): string {
  return actor.type === "system" ? `system${actor.id ? `:${actor.id}` : ""}` : `${actor.type}:${actor.id}`;
}

/**
 * The caller's Idempotency-Key as a service stores it in its own unique column: "<caller>:<key>",
 * so another caller's same key is another row (and an internal sender's key is never reachable).
 */
export function scopedKey(who: { actor: Actor }, key: string): string;
export function scopedKey(who: { actor: Actor }, key: string | null | undefined): string | null;
export function scopedKey(who: { actor: Actor }, key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  checkKey(key);
  return `${callerOf(who.actor)}:${key}`;
}

type Row = { id: string; fingerprint: string; state: string; status: number | null; response: string | null };

/**
 * Runs `run` once per (caller, operation, key); see the top of this file for what a retry gets.
 * Resolves to the answer and whether it was replayed.
 */
export async function withIdempotency(scope: IdempotencyScope, run: () => Promise<Answer>): Promise<Answer & { replayed: boolean }> {
  checkKey(scope.key);
  const fp = fingerprint(scope.request);
  const ttl = scope.ttlMs ?? IDEMPOTENCY_TTL_MS;
  const id = await claim({ caller: scope.caller, operation: scope.operation, key: scope.key, fingerprint: fp, ttlMs: ttl });
  if (!id) return { ...(await replay(scope, fp)), replayed: true };

  let answer: Answer;
  try {
    answer = await run();
  } catch (e) {
    if (e instanceof ApiError && scope.keepError?.(e)) {
      await complete(id, { status: e.status, body: errorBody(e.code, e.message, e.details) });
    } else {
      await pgPool().query("delete from idempotency_keys where id = $1", [id]).catch(() => {});
    }
    throw e;
  }
  await complete(id, answer);
  return { ...answer, replayed: false };
}

function complete(id: string, answer: Answer): Promise<void> {
  return completed({ id, status: answer.status, response: encrypt(JSON.stringify(answer.body ?? null), aadFor.idempotencyResponse(id)) });
}

// A key's two writes, its claim and its completion, are on every idempotent request's path: the
// requests of the same moment share one statement for each (lib/batcher.ts, turn mode: an idle
// process waits for nothing). Written one statement per request, they were two of a payment
// creation's seven round trips to PostgreSQL and the whole of its slowdown since issue 17
// (bench/README.md, "After figures for issue 17").

type Claim = { caller: string; operation: string; key: string; fingerprint: string; ttlMs: number };
const identity = (c: Pick<Claim, "caller" | "operation" | "key">) => JSON.stringify([c.caller, c.operation, c.key]);

/**
 * Claims keys: a new one, or one that expired or was abandoned mid-request; resolves to the
 * row's id, or undefined when the key is taken (the caller replays). A key asked for twice in one
 * statement is claimed for the first asker only (the others find it in progress); rows are
 * written in key order, so two processes' statements never wait on each other crosswise.
 */
const claim = batcher<Claim, string | undefined>(
  async (items) => {
    const first = new Map<string, Claim>();
    for (const c of items) if (!first.has(identity(c))) first.set(identity(c), c);
    const rows = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
    const r = await pgPool().query<{ id: string; caller: string; operation: string; key: string }>(
      `insert into idempotency_keys (caller, operation, key, fingerprint, expires_at)
       select caller, operation, key, fingerprint, now() + make_interval(secs => ttl_ms / 1000)
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[]) with ordinality as t(caller, operation, key, fingerprint, ttl_ms, n)
        order by n
       on conflict (caller, operation, key) do update
          set fingerprint = excluded.fingerprint, state = 'in_progress', status = null, response = null,
              created_at = now(), completed_at = null, expires_at = excluded.expires_at
        where idempotency_keys.expires_at <= now()
           or (idempotency_keys.state = 'in_progress' and idempotency_keys.created_at < now() - make_interval(secs => $6::double precision / 1000))
       returning id::text as id, caller, operation, key`,
      [rows.map((c) => c.caller), rows.map((c) => c.operation), rows.map((c) => c.key), rows.map((c) => c.fingerprint), rows.map((c) => c.ttlMs), STALE_MS],
    );
    const ids = new Map(r.rows.map((row) => [identity(row), row.id]));
    return items.map((c) => (first.get(identity(c)) === c ? ids.get(identity(c)) : undefined));
  },
  { turn: true },
);

/** Stores answers (sealed) and marks their keys completed. */
const completed = batcher<{ id: string; status: number; response: string }, void>(
  async (items) => {
    await pgPool().query(
      `update idempotency_keys k set state = 'completed', status = a.status, response = a.response, completed_at = now()
         from unnest($1::uuid[], $2::int[], $3::text[]) as a(id, status, response)
        where k.id = a.id`,
      [items.map((a) => a.id), items.map((a) => a.status), items.map((a) => a.response)],
    );
    return items.map(() => undefined);
  },
  { turn: true },
);

async function replay(scope: IdempotencyScope, fp: string): Promise<Answer> {
  const r = await pgPool().query<Row>(
    "select id::text as id, fingerprint, state, status, response from idempotency_keys where caller = $1 and operation = $2 and key = $3",
    [scope.caller, scope.operation, scope.key],
  );
  const row = r.rows[0];
  // gone between the two statements (the first request failed and freed it): the caller retries
  if (!row) throw errors.conflict("A request with this Idempotency-Key was just being processed: send it again");
  if (row.fingerprint !== fp) {
    throw errors.unprocessable("This Idempotency-Key was already used for a different request: use a new key for a new request", { idempotencyKey: scope.key });
  }
  if (row.state !== "completed" || row.status === null || row.response === null) {
    throw errors.conflict("A request with this Idempotency-Key is still being processed: try again in a moment");
  }
  const body = JSON.parse(decrypt(row.response, aadFor.idempotencyResponse(row.id))) as unknown;
  if (row.status >= 400) return { status: row.status, body };
  // the first answer again; 200 since this request created nothing
  const marked = body && typeof body === "object" && !Array.isArray(body) ? { ...(body as object), replayed: true } : body;
  return { status: 200, body: marked };
}

/** The maintenance tick: deletes expired keys; returns how many. */
export async function sweepIdempotencyKeys(): Promise<number> {
  const r = await pgPool().query("delete from idempotency_keys where expires_at <= now()");
  return r.rowCount ?? 0;
}
