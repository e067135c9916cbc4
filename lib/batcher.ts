// Micro-batching: writes that happen at the same moment (a bulk send's results, its provider
// log rows) share one statement. Every caller still waits for its own item to be written, so
// "the call returned" keeps meaning "the row is there".
export function batcher<T, R = void>(flush: (items: T[]) => Promise<R[]>, opts: { max?: number; delayMs?: number } = {}) {
  const max = opts.max ?? 200;
  const delayMs = opts.delayMs ?? 1;
  let pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function run() {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (!batch.length) return;
    try {
      const results = await flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  return (item: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= max) void run();
      else timer ??= setTimeout(() => void run(), delayMs);
    });
}
