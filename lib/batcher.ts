// Micro-batching: writes that happen at the same moment (a bulk send's results, its provider
// log rows, concurrent requests' idempotency keys) share one statement. Every caller still waits
// for its own item to be written, so "the call returned" keeps meaning "the row is there".
//
// Two ways to gather a batch:
// - by default, items wait up to `delayMs` (1 ms) for others, at most `max` per statement;
// - `turn: true`: an item goes out at the end of the event loop's current turn (setImmediate)
//   with the others queued in that turn, one statement at a time: items that arrive while one
//   is under way wait for it and go together in the next. An idle process adds no delay, a busy
//   one sends fewer, larger statements. For a request's own writes, where a millisecond's wait
//   per statement would show in every answer (lib/idempotency.ts).
export function batcher<T, R = void>(flush: (items: T[]) => Promise<R[]>, opts: { max?: number; delayMs?: number; turn?: boolean } = {}) {
  const max = opts.max ?? 200;
  const delayMs = opts.delayMs ?? 1;
  const pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** turn mode: a flush is scheduled (setImmediate) or under way */
  let scheduled = false;
  let running = false;

  async function run() {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending.splice(0, max);
    if (!batch.length) return;
    try {
      const results = await flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  async function runTurn() {
    scheduled = false;
    if (running) return;
    running = true;
    try {
      await run();
    } finally {
      running = false;
      if (pending.length) schedule();
    }
  }

  function schedule() {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(() => void runTurn());
  }

  return (item: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (opts.turn) schedule();
      else if (pending.length >= max) void run();
      else timer ??= setTimeout(() => void run(), delayMs);
    });
}
