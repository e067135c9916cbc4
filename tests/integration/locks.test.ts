// lib/locks.ts, the one advisory-lock mechanism, against the real PostgreSQL: mutual exclusion
// across connections, try and timed waits, release when the work throws, and the
// transaction-scoped form (Prisma and node-postgres) released at commit and at rollback.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { lockInTransaction, withAdvisoryLock } from "@/lib/locks";
import { waitFor } from "../helpers/wait";

const fresh = () => `test.lock:${randomUUID()}`;

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Advisory locks some session of this database is waiting for (not granted yet). */
async function waiting() {
  const r = await pgPool().query<{ n: number }>(
    "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())",
  );
  return r.rows[0].n;
}

/** Holds `key` (session lock) until the returned release() is called. */
async function hold(key: string) {
  const g = gate();
  const entered = gate();
  const done = withAdvisoryLock(key, async () => {
    entered.open();
    await g.opened;
    return "held";
  });
  await entered.opened;
  return { release: async () => (g.open(), done) };
}

describe("withAdvisoryLock (session lock on its own connection)", () => {
  it("lets one holder in at a time: a second waiter enters only after the first leaves", async () => {
    const key = fresh();
    const events: string[] = [];
    const first = gate();
    const a = withAdvisoryLock(key, async () => {
      events.push("a in");
      await first.opened;
      events.push("a out");
      return "a";
    });
    await waitFor(async () => events.includes("a in"), 5000, "a to hold the lock");
    const b = withAdvisoryLock(key, async () => {
      events.push("b in");
      return "b";
    });
    // b's connection is really blocked in PostgreSQL on the lock a holds
    await waitFor(async () => (await waiting()) >= 1, 5000, "b to wait for the lock");
    expect(events).toEqual(["a in"]);
    first.open();
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    expect(events).toEqual(["a in", "a out", "b in"]);
  });

  it("try-lock (wait: false) answers not acquired while the key is held, without running the work", async () => {
    const key = fresh();
    const h = await hold(key);
    let ran = false;
    const r = await withAdvisoryLock(key, async () => (ran = true), { wait: false });
    expect(r).toEqual({ acquired: false });
    expect(ran).toBe(false);
    // another key is free
    expect(await withAdvisoryLock(fresh(), async () => 1, { wait: false })).toEqual({ acquired: true, value: 1 });
    expect(await h.release()).toBe("held");
    expect(await withAdvisoryLock(key, async () => 2, { wait: false })).toEqual({ acquired: true, value: 2 });
  });

  it("a timed wait gives up after the timeout, and gets the lock when it is freed in time", async () => {
    const key = fresh();
    const h = await hold(key);
    const t0 = Date.now();
    expect(await withAdvisoryLock(key, async () => "never", { wait: 300 })).toEqual({ acquired: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const later = withAdvisoryLock(key, async () => "got it", { wait: 10_000 });
    await waitFor(async () => (await waiting()) >= 1, 5000, "the timed waiter");
    await h.release();
    expect(await later).toEqual({ acquired: true, value: "got it" });
    // the connection keeps no lock_timeout of its own afterwards (it goes back to the pool)
    const h2 = await hold(key);
    const c = await pgPool().connect();
    try {
      expect(await withAdvisoryLock(key, async () => "never", { wait: 100, client: c })).toEqual({ acquired: false });
      expect((await c.query("show lock_timeout")).rows[0].lock_timeout).toBe("0");
    } finally {
      c.release();
      await h2.release();
    }
  });

  it("releases the lock when the work throws, and passes the error on", async () => {
    const key = fresh();
    await expect(
      withAdvisoryLock(key, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await withAdvisoryLock(key, async () => "free", { wait: false })).toEqual({ acquired: true, value: "free" });
    const held = await pgPool().query(
      "select 1 from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())",
    );
    expect(held.rowCount).toBe(0);
  });

  it("can run on a connection the caller owns (the migration runner's)", async () => {
    const key = fresh();
    const client = await pgPool().connect();
    try {
      const out = await withAdvisoryLock(
        key,
        async () => {
          expect(await withAdvisoryLock(key, async () => 1, { wait: false })).toEqual({ acquired: false });
          return "mine";
        },
        { client },
      );
      expect(out).toBe("mine");
      expect(await withAdvisoryLock(key, async () => 1, { wait: false })).toEqual({ acquired: true, value: 1 });
    } finally {
      client.release();
    }
  });
});

describe("lockInTransaction (held until the transaction ends)", () => {
  it("a Prisma transaction holds the key until commit", async () => {
    const key = fresh();
    let inside: unknown;
    await db.$transaction(async (tx) => {
      await lockInTransaction(tx, key);
      // the session form and the transaction form are the same lock
      inside = await withAdvisoryLock(key, async () => 1, { wait: false });
    });
    expect(inside).toEqual({ acquired: false });
    expect(await withAdvisoryLock(key, async () => 2, { wait: false })).toEqual({ acquired: true, value: 2 });
  });

  it("a Prisma transaction that rolls back releases the key", async () => {
    const key = fresh();
    let inside: unknown;
    await expect(
      db.$transaction(async (tx) => {
        await lockInTransaction(tx, key);
        inside = await withAdvisoryLock(key, async () => 1, { wait: false });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(inside).toEqual({ acquired: false });
    expect(await withAdvisoryLock(key, async () => 2, { wait: false })).toEqual({ acquired: true, value: 2 });
  });

  it("a node-postgres transaction holds the key until commit or rollback, and a second one waits", async () => {
    const key = fresh();
    for (const end of ["commit", "rollback"]) {
      const c1 = await pgPool().connect();
      const c2 = await pgPool().connect();
      try {
        await c1.query("begin");
        await lockInTransaction(c1, key);
        expect(await withAdvisoryLock(key, async () => 1, { wait: false })).toEqual({ acquired: false });
        await c2.query("begin");
        let second = false;
        const p = lockInTransaction(c2, key).then(() => (second = true));
        await waitFor(async () => (await waiting()) >= 1, 5000, "the second transaction to wait");
        expect(second).toBe(false);
        await c1.query(end);
        await p;
        expect(second).toBe(true);
        await c2.query("commit");
        expect(await withAdvisoryLock(key, async () => 2, { wait: false })).toEqual({ acquired: true, value: 2 });
      } finally {
        c1.release();
        c2.release();
      }
    }
  });
});
