// One benchmark in a process of its own, on the database bench/run.ts made for it alone
// (DATABASE_URL): no module state, cache, pool or environment change carries over from another
// benchmark. Every process it started (web, worker, sandbox, floor) has exited before this one
// does. Exit 0: targets met; 1: a target missed; 2: the benchmark failed to run.
import { stopStarted } from "./lib";

const BENCHMARKS: Record<string, () => Promise<{ ok: boolean }>> = {
  webhooks: async () => (await import("./webhooks")).benchWebhooks(),
  payments: async () => (await import("./payments")).benchPayments(),
  tracking: async () => (await import("./tracking")).benchTracking(),
  exports: async () => (await import("./exports")).benchExports(),
  messaging: async () => (await import("./messaging")).benchMessaging(),
  calendar: async () => (await import("./calendar")).benchCalendar(),
  logs: async () => (await import("./logs")).benchLogsPage(),
};
export const NAMES = Object.keys(BENCHMARKS);

if (import.meta.filename === process.argv[1]) {
  const name = process.argv[2];
  let code = 2;
  try {
    code = (await BENCHMARKS[name]()).ok ? 0 : 1;
  } catch (e) {
    console.error(`\n${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    await stopStarted();
    const { disconnectDb } = await import("@/lib/db");
    const { closePgPool } = await import("@/lib/pg");
    await disconnectDb();
    await closePgPool();
  }
  process.exit(code);
}
