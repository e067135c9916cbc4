// npm run bench [-- <name>…]: the benchmarks (all by default, in this order: webhooks payments
// tracking exports messaging calendar logs; names given run in the order given), on a throwaway
// embedded PostgreSQL, printing ratios measured side by side in one run (never a bare absolute
// time as the verdict). Exits non-zero when a target is missed.
//
// Isolation: each benchmark runs in its own process (bench/one.ts) on its own database, a clone
// of a freshly migrated template, dropped afterwards (then a CHECKPOINT), after every process
// it started has exited; so one benchmark's rows, queued jobs, autovacuum, caches and servers
// never weigh on the next, and a full run and a single benchmark measure the same thing.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, chmodSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, ensureDatabase } from "@/lib/runtime/embedded-pg";
import { migrate } from "@/lib/runtime/migrate";
import { formatKeyRing, generateKey } from "@/lib/vault";
import { NAMES } from "./one";

const names = process.argv.length > 2 ? process.argv.slice(2) : NAMES;
const unknown = names.filter((n) => !NAMES.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}: choose from ${NAMES.join(", ")}`);
  process.exit(2);
}
/** what is measured is the production build */
const NEEDS_BUILD = ["webhooks", "payments", "tracking"];

const base = path.resolve("bench/.tmp");
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(path.join(base, "pg-"));
chmodSync(dir, 0o755);
const pg0 = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), password: "bench", persistent: false });
const failed: string[] = [];
const admin = async (sql: string) => {
  const c = new pg.Client({ connectionString: pg0.url() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};
try {
  await ensureDatabase(pg0.url(), "bench_template");
  await migrate(pg0.url("bench_template"));
  process.env.LOG_LEVEL = "silent";
  process.env.SWITCHBOARD_ENCRYPTION_KEYS ??= formatKeyRing([generateKey()]);
  process.env.NEXTAUTH_SECRET ??= randomBytes(24).toString("hex");

  if (names.some((n) => NEEDS_BUILD.includes(n))) {
    const prepare = "../scripts/lib/prepare.mjs";
    const { ensureBuild } = (await import(prepare)) as { ensureBuild(): boolean };
    ensureBuild();
  }

  for (const [i, name] of names.entries()) {
    const database = `bench_${i + 1}_${name}`;
    await ensureDatabase(pg0.url(), database, "bench_template");
    const code = await new Promise<number>((resolve) => {
      const child = fork(path.resolve(import.meta.dirname, "one.ts"), [name], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, DATABASE_URL: pg0.url(database) },
        stdio: "inherit",
      });
      child.once("exit", (c, signal) => resolve(c ?? (signal ? 2 : 0)));
    });
    if (code === 2) console.log(`\n${name}: did not complete`);
    if (code !== 0) failed.push(name);
    await admin(`drop database "${database}" with (force)`);
    await admin("checkpoint");
  }
} finally {
  await pg0.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (failed.length) console.log(`\ntargets missed or not measured: ${failed.join(", ")}`);
process.exit(failed.length ? 1 : 0);
