// The durable event outbox (lib/events.ts, issue 17): events commit or roll back with the change
// that causes them, are delivered to every subscriber at least once, a failed subscriber is
// retried alone, two deliverers never run one event twice, and a process that has not loaded
// the wiring delivers nothing.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { deliver, emit, pendingEvents, publish, subscribe, isWired } from "@/lib/events";

const unsubscribe: (() => void)[] = [];
afterEach(async () => {
  for (const u of unsubscribe.splice(0)) u();
  await pgPool().query("delete from domain_events where type like 'test.%'");
});

function record(type: string, name: string, fail?: () => boolean) {
  const calls: { data: Record<string, unknown>; eventId: string; attempt: number }[] = [];
  unsubscribe.push(
    subscribe(type, name, async (data, ctx) => {
      calls.push({ data, eventId: ctx.eventId, attempt: ctx.attempt });
      if (fail?.()) throw new Error(`${name} is down`);
    }),
  );
  return calls;
}

const row = async (id: string) =>
  (await pgPool().query<{ status: string; done: string[]; attempts: number; last_error: string | null }>("select status, done, attempts, last_error from domain_events where id = $1", [id])).rows[0];

describe("the event outbox", () => {
  it("an event written in a transaction that rolls back never exists; one that commits is delivered once to each subscriber", async () => {
    const calls = record("test.rollback", "test.a");
    await expect(
      db.$transaction(async (tx) => {
        await emit(tx, { type: "test.rollback", data: { n: 1 } });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await pgPool().query("select 1 from domain_events where type = 'test.rollback'")).rowCount).toBe(0);

    const ids = await db.$transaction((tx) => emit(tx, { type: "test.rollback", data: { n: 2 } }));
    const first = await deliver(ids);
    expect(first).toEqual({ claimed: 1, failed: [] });
    expect(calls.map((c) => c.data)).toEqual([{ n: 2 }]);
    // delivered: a second delivery (a redelivery by a worker) finds nothing to do
    expect((await deliver(ids)).claimed).toBe(0);
    expect(calls).toHaveLength(1);
    expect(await row(ids[0])).toMatchObject({ status: "done", done: ["test.a"] });
  });

  it("a process killed between the change and the reaction loses nothing: the workers' delivery finds the event", async () => {
    const calls = record("test.crash", "test.b");
    // the change and its event committed, and the process died before delivering it
    const [id] = await emit(null, { type: "test.crash", data: { order: "A-1" }, integrationId: null });
    expect(await pendingEvents()).toBeGreaterThan(0);
    // a worker's tick: any due event
    await deliver();
    expect(calls).toEqual([{ data: { order: "A-1" }, eventId: id, attempt: 1 }]);
    expect((await row(id)).status).toBe("done");
  });

  it("a failed subscriber is retried after its backoff, alone: the one that succeeded does not run again", async () => {
    let down = true;
    const ok = record("test.retry", "test.ok");
    const flaky = record("test.retry", "test.flaky", () => down);
    const out = await publish({ type: "test.retry", data: { x: 1 } });
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0].error).toBe("test.flaky is down");
    const id = out.failed[0].id;
    expect(await row(id)).toMatchObject({ status: "pending", done: ["test.ok"], attempts: 1, last_error: "test.flaky: test.flaky is down" });
    // not due yet: the backoff holds it back
    expect((await deliver([id])).claimed).toBe(0);
    // the backoff is over (moved, not waited for) and the subscriber is back
    await pgPool().query("update domain_events set available_at = now() - interval '1 second' where id = $1", [id]);
    down = false;
    expect((await deliver([id])).failed).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(flaky.map((c) => c.attempt)).toEqual([1, 2]);
    expect(await row(id)).toMatchObject({ status: "done", done: ["test.ok", "test.flaky"], last_error: null });
  });

  it("two deliverers at once run each event exactly once", async () => {
    const calls = record("test.race", "test.c");
    const ids = await emit(
      null,
      Array.from({ length: 40 }, (_, i) => ({ type: "test.race", data: { i } })),
    );
    const [a, b] = await Promise.all([deliver(undefined, { limit: 40 }), deliver(undefined, { limit: 40 })]);
    // whatever one claimed the other skipped; a third pass picks up anything left
    await deliver(undefined, { limit: 40 });
    expect(a.claimed + b.claimed).toBeLessThanOrEqual(40);
    expect(calls.map((c) => c.data.i).sort((x, y) => Number(x) - Number(y))).toEqual(ids.map((_, i) => i));
    expect(new Set(calls.map((c) => c.eventId)).size).toBe(40);
  });

  it("a process that has not loaded the wiring delivers nothing (it would mark events done for subscribers it does not know)", async () => {
    const calls = record("test.unwired", "test.d");
    const g = globalThis as unknown as { __sbEventsWired?: boolean };
    expect(isWired()).toBe(true);
    g.__sbEventsWired = false;
    try {
      const out = await publish({ type: "test.unwired", data: {} });
      expect(out.claimed).toBe(0);
    } finally {
      g.__sbEventsWired = true;
    }
    expect(calls).toHaveLength(0);
    await deliver();
    expect(calls).toHaveLength(1);
  });
});
