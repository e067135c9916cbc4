// npm run bench [-- webhooks|payments|tracking|exports|messaging|calendar|logs]: the benchmarks (all by default), on a throwaway embedded
// PostgreSQL, printing ratios measured side by side in one run (never a bare absolute time
// as the verdict). Exits non-zero when a target is missed.
import { mkdirSync, mkdtempSync, rmSync, chmodSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startEmbeddedPostgres, ensureDatabase } from "@/lib/runtime/embedded-pg";
import { migrate } from "@/lib/runtime/migrate";
import { formatKeyRing, generateKey } from "@/lib/vault";

const only = process.argv[2];
const base = path.resolve("bench/.tmp");
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(path.join(base, "pg-"));
chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), password: "bench", persistent: false });
let failed = 0;
try {
  await ensureDatabase(pg.url(), "bench");
  process.env.DATABASE_URL = pg.url("bench");
  process.env.LOG_LEVEL = "silent";
  process.env.SWITCHBOARD_ENCRYPTION_KEYS ??= formatKeyRing([generateKey()]);
  process.env.NEXTAUTH_SECRET ??= randomBytes(24).toString("hex");
  await migrate(process.env.DATABASE_URL);

  if (!only || only === "webhooks") {
    // what is measured is the production build
    const prepare = "../scripts/lib/prepare.mjs";
    const { ensureBuild } = (await import(prepare)) as { ensureBuild(): boolean };
    ensureBuild();
    const { benchWebhooks } = await import("./webhooks");
    if (!(await benchWebhooks()).ok) failed++;
  }

  if (!only || only === "payments") {
    const prepare = "../scripts/lib/prepare.mjs";
    const { ensureBuild } = (await import(prepare)) as { ensureBuild(): boolean };
    ensureBuild();
    const { benchPayments } = await import("./payments");
    if (!(await benchPayments()).ok) failed++;
  }

  if (!only || only === "tracking") {
    const prepare = "../scripts/lib/prepare.mjs";
    const { ensureBuild } = (await import(prepare)) as { ensureBuild(): boolean };
    ensureBuild();
    const { benchTracking } = await import("./tracking");
    if (!(await benchTracking()).ok) failed++;
  }

  if (!only || only === "exports") {
    const { benchExports } = await import("./exports");
    if (!(await benchExports()).ok) failed++;
  }

  if (!only || only === "messaging") {
    const { benchMessaging } = await import("./messaging");
    if (!(await benchMessaging()).ok) failed++;
  }

  if (!only || only === "calendar") {
    const { benchCalendar } = await import("./calendar");
    if (!(await benchCalendar()).ok) failed++;
  }

  if (!only || only === "logs") {
    const { seedLogs, benchLogs, indexSizes, ROWS } = await import("./logs");
    const { db } = await import("@/lib/db");
    console.log(`\nLogs page query at ${ROWS.toLocaleString()} rows vs. fetching the same rows by primary key (the floor)`);
    const t = Date.now();
    await seedLogs();
    console.log(`  seeded in ${((Date.now() - t) / 1000).toFixed(0)} s; ${(await db.integrationLog.count()).toLocaleString()} rows`);
    const results = await benchLogs();
    const TARGET = 3;
    let slow = 0;
    const w = Math.max(...results.map((r) => r.label.length));
    console.log(`\n  ${"filters".padEnd(w)}  rows   ours ms  floor ms  ratio  verdict  index`);
    for (const r of results) {
      const ok = r.ratio <= TARGET;
      if (!ok) slow++;
      console.log(
        `  ${r.label.padEnd(w)}  ${String(r.rows).padStart(4)}  ${r.oursMs.toFixed(2).padStart(8)}  ${r.floorMs.toFixed(2).padStart(8)}  ${r.ratio.toFixed(2).padStart(5)}  ${ok ? "ok  " : "SLOW"}     ${r.index}`,
      );
    }
    if (slow) failed++;
    console.log(`\n  ${results.length - slow}/${results.length} combinations within ${TARGET}x of the floor (median of ${process.env.BENCH_RUNS ?? 25} interleaved runs each)`);
    console.log(`\n  what it costs on disk: ${(await indexSizes()).map((r) => `${r.name} ${r.size}`).join(", ")}`);
    console.log("\nQuery plans (EXPLAIN ANALYZE):");
    for (const r of results) {
      console.log(`\n── ${r.label}`);
      for (const line of r.plan) console.log(`   ${line}`);
    }
  }
  const { disconnectDb } = await import("@/lib/db");
  const { closePgPool } = await import("@/lib/pg");
  await disconnectDb();
  await closePgPool();
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
