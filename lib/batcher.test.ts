// The micro-batcher's `turn` mode on its own (lib/idempotency.ts writes its keys through it):
// items queued in one turn of the event loop share one flush, each caller gets its own result,
// items that arrive while a flush is under way wait for it and go together in the next, a
// failed flush fails only its own items, and `max` bounds a flush.
import { describe, expect, it } from "vitest";
import { batcher } from "@/lib/batcher";

/** A flush that records its batches and answers each item doubled; `gate` holds it until opened. */
function recorder() {
  const batches: number[][] = [];
  let open: () => void = () => {};
  let gate: Promise<void> | null = null;
  return {
    batches,
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release() {
      gate = null;
      open();
    },
    flush: async (items: number[]) => {
      batches.push(items);
      if (gate) await gate;
      return items.map((n) => n * 2);
    },
  };
}

describe("batcher, turn mode", () => {
  it("flushes the items of one turn together, each caller getting its own result", async () => {
    const r = recorder();
    const add = batcher(r.flush, { turn: true });
    const out = await Promise.all([add(1), add(2), add(3)]);
    expect(out).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it("keeps the items that arrive during a flush for the next one, in their order", async () => {
    const r = recorder();
    const add = batcher(r.flush, { turn: true });
    r.hold();
    const first = add(1);
    await new Promise((resolve) => setImmediate(resolve)); // the first flush is under way
    expect(r.batches).toEqual([[1]]);
    const later = [add(2), add(3)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1]]); // one flush at a time
    r.release();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([[1], [2, 3]]);
  });

  it("a failed flush rejects its own items only; the next batch goes out", async () => {
    let calls = 0;
    const add = batcher(
      async (items: string[]) => {
        calls++;
        if (items.includes("bad")) throw new Error("refused");
        return items.map((s) => s.toUpperCase());
      },
      { turn: true },
    );
    const failed = Promise.allSettled([add("bad"), add("ok")]);
    const settled = await failed;
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ message: "refused" });
    expect(await add("next")).toBe("NEXT");
    expect(calls).toBe(2);
  });

  it("sends at most `max` items per flush", async () => {
    const r = recorder();
    const add = batcher(r.flush, { turn: true, max: 2 });
    expect(await Promise.all([add(1), add(2), add(3), add(4), add(5)])).toEqual([2, 4, 6, 8, 10]);
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
  });
});
