// The one advisory-lock mechanism (core). A lock is named by a text key, "<area>.<what>:<id>" by
// convention (e.g. `oauth:<integrationId>`, `erp:<integration>:<type>:<id>`, `alerts.evaluate`),
// and PostgreSQL sees every key in the same form: one bigint, hashtextextended(key, 0). The
// session and the transaction-scoped forms of a key are the same lock (they exclude each other).
//
//   withAdvisoryLock(key, fn, { wait })
//     A session lock on a dedicated pooled connection (or the caller's own, `client`), held
//     while fn runs and always unlocked in finally (a connection whose unlock failed is
//     discarded, never returned to the pool still holding it).
//       wait: true (default)  waits as long as it takes; resolves to fn's value
//       wait: false           tries once: { acquired: false } when another session holds it
//       wait: <ms>            waits at most that long (lock_timeout, scoped to one statement's
//                             transaction so the pooled connection keeps no setting)
//     With wait false or a timeout the answer is { acquired: true, value } | { acquired: false }.
//
//   lockInTransaction(tx, key)
//     pg_advisory_xact_lock inside the caller's transaction (a Prisma `tx` or a node-postgres
//     client after `begin`): waits, and is released by PostgreSQL at commit or rollback.
//
// Use the session form for work that talks to providers or spans several transactions (the
// connection is held for as long as fn runs), the transaction form when the locked work is
// one database transaction anyway.
import type pg from "pg";
import type { Prisma } from "@/lib/db";
import { pgPool } from "@/lib/pg";

/** A connection to run the lock on (a pooled client, or a client the caller connected itself). */
export type LockClient = Pick<pg.ClientBase, "query">;

export type LockResult<T> = { acquired: true; value: T } | { acquired: false };

type Options = { client?: LockClient };

const LOCK = "select pg_advisory_lock(hashtextextended($1, 0))";
const TRY = "select pg_try_advisory_lock(hashtextextended($1, 0)) as ok";
const UNLOCK = "select pg_advisory_unlock(hashtextextended($1, 0))";
const LOCK_NOT_AVAILABLE = "55P03";

/** Takes the session lock on `client`: true when held. */
async function acquire(client: LockClient, key: string, wait: boolean | number): Promise<boolean> {
  if (wait === false) return (await client.query<{ ok: boolean }>(TRY, [key])).rows[0]?.ok === true;
  if (wait === true) {
    await client.query(LOCK, [key]);
    return true;
  }
  // a bounded wait: `set local` ends with this small transaction; a session lock taken inside a
  // transaction stays held after it commits
  await client.query("begin");
  try {
    await client.query(`set local lock_timeout = ${Math.max(1, Math.ceil(wait))}`);
    await client.query(LOCK, [key]);
    await client.query("commit");
    return true;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    if ((e as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
    throw e;
  }
}

export function withAdvisoryLock<T>(key: string, fn: (client: LockClient) => Promise<T>, opts?: Options & { wait?: true }): Promise<T>;
export function withAdvisoryLock<T>(key: string, fn: (client: LockClient) => Promise<T>, opts: Options & { wait: false | number }): Promise<LockResult<T>>;
export async function withAdvisoryLock<T>(
  key: string,
  fn: (client: LockClient) => Promise<T>,
  opts: Options & { wait?: boolean | number } = {},
): Promise<T | LockResult<T>> {
  const wait = opts.wait ?? true;
  const own = opts.client;
  const pooled = own ? null : await pgPool().connect();
  const client: LockClient = own ?? pooled!;
  let broken: Error | undefined;
  try {
    if (!(await acquire(client, key, wait))) return { acquired: false };
    let value: T;
    try {
      value = await fn(client);
    } finally {
      await client.query(UNLOCK, [key]).catch((e: Error) => {
        // a connection that may still hold the lock must not go back to the pool
        broken = e;
      });
    }
    return wait === true ? value : { acquired: true, value };
  } finally {
    pooled?.release(broken);
  }
}

/** Anything that runs SQL inside the caller's open transaction. */
export type LockTx = Prisma.TransactionClient | LockClient;

/** Takes the transaction-scoped lock on `key` (waits); PostgreSQL releases it at commit or rollback. */
export async function lockInTransaction(tx: LockTx, key: string): Promise<void> {
  if ("$executeRaw" in tx) await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  else await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [key]);
}
