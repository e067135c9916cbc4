// Payment creation in two or more checkouts of Switchboard (e.g. git worktrees of two commits,
// each built), compared in interleaved rounds: the same load (bench/pay-load.ts, 16 in flight)
// against each checkout's production web process in turn, round after round, so that whatever
// else the machine does weighs on all of them alike; the order reverses every round. One
// embedded PostgreSQL with a database per checkout, one Stripe sandbox. Per round: the rate and
// the CPU per payment of that checkout's web process and of its database's backends (from
// /proc); at the end the medians, and each checkout's rate as a share of the first one's in the
// same round (its median: the verdict that machine noise disturbs least).
//
//   node --import tsx bench/compare.ts <rounds> <seconds> <checkout> <checkout>…
//   e.g. git worktree add /work/before 58fbaa0 (node_modules and a build in each)
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startEmbeddedPostgres, ensureDatabase, freePort } from "@/lib/runtime/embedded-pg";
import { formatKeyRing, generateKey } from "@/lib/vault";
import { median, root, start, stopStarted, tsx } from "./lib";

const [roundsArg, secondsArg, ...checkouts] = process.argv.slice(2);
const ROUNDS = Number(roundsArg);
const SECONDS = Number(secondsArg);
if (!(ROUNDS > 0 && SECONDS > 0) || checkouts.length < 2) {
  console.error("usage: node --import tsx bench/compare.ts <rounds> <seconds> <checkout> <checkout>…");
  process.exit(2);
}
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) of a process so far, in ticks; 0 once it is gone. */
function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** The CPU ticks of every backend serving `database`, by process id. */
function backends(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith(`postgres: postgres ${database} `)) out.set(Number(p), ticks(Number(p)));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const base = path.join(root, "bench/.tmp");
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(path.join(base, "compare-"));
chmodSync(dir, 0o755);
const pg0 = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), password: "bench", persistent: false });
Object.assign(process.env, { LOG_LEVEL: "silent", SWITCHBOARD_ENCRYPTION_KEYS: formatKeyRing([generateKey()]), NEXTAUTH_SECRET: randomBytes(24).toString("hex"), NEXT_TELEMETRY_DISABLED: "1" });

type Server = { name: string; database: string; url: string; key: string; pid: number };
type Round = { rate: number; errors: number; web: number; pg: number };
try {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  await start("scripts/sandbox.ts", { PORT: String(sandboxPort), LOG_LEVEL: "error" });
  const servers: Server[] = [];
  for (const [i, checkout] of checkouts.entries()) {
    const database = `compare_${i + 1}`;
    await ensureDatabase(pg0.url(), database);
    const cwd = path.resolve(checkout);
    const dbEnv = { DATABASE_URL: pg0.url(database), SANDBOX_URL: sandboxUrl };
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(root, "bench/compare-setup.ts")], { cwd, env: { ...process.env, ...dbEnv }, encoding: "utf8" });
    const { key } = JSON.parse(out.trim().split("\n").at(-1)!) as { key: string };
    const port = await freePort();
    const web = await start("scripts/server.ts", { ...dbEnv, NODE_ENV: "production", PORT: String(port), WORKERS_IN_WEB: "false", LOG_LEVEL: "error", SWITCHBOARD_PROCESS: "web" }, cwd);
    const name = `${path.basename(cwd)} ${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim()}`;
    servers.push({ name, database, url: `http://127.0.0.1:${port}`, key, pid: web.pid! });
  }
  const load = (s: Server, seconds: number) =>
    JSON.parse(
      execFileSync(process.execPath, [tsx, path.join(root, "bench/pay-load.ts"), "ours", s.url, s.key, String(seconds), "16"], { cwd: root, encoding: "utf8" }).trim().split("\n").at(-1)!,
    ) as { ok: number; errors: number; rate: number };
  for (const s of servers) load(s, 3); // warm-up: modules loaded, pools filled
  const rounds: Map<string, Round>[] = [];
  const width = Math.max(...servers.map((s) => s.name.length));
  console.log(`\nPayment creation, ${checkouts.length} checkouts in interleaved rounds (${ROUNDS} × ${SECONDS} s each, 16 in flight); CPU per payment`);
  for (let r = 0; r < ROUNDS; r++) {
    const round = new Map<string, Round>();
    for (const s of r % 2 ? [...servers].reverse() : servers) {
      const web0 = ticks(s.pid);
      const pg0t = backends(s.database);
      const o = load(s, SECONDS);
      const web = ((ticks(s.pid) - web0) / TICKS_PER_SECOND / o.ok) * 1000;
      let pgTicks = 0;
      for (const [pid, t] of backends(s.database)) pgTicks += t - (pg0t.get(pid) ?? 0);
      const row = { rate: o.rate, errors: o.errors, web, pg: (pgTicks / TICKS_PER_SECOND / o.ok) * 1000 };
      round.set(s.name, row);
      const load1 = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      console.log(`  round ${r + 1} ${s.name.padEnd(width)} ${o.rate.toFixed(0).padStart(4)}/s, ${o.errors} errors · web ${web.toFixed(2)} ms · PostgreSQL ${row.pg.toFixed(2)} ms · load average ${load1}`);
    }
    rounds.push(round);
  }
  const first = servers[0].name;
  console.log(`\n  medians (rate as a share of ${first}'s in the same round):`);
  for (const s of servers) {
    const rows = rounds.map((r) => r.get(s.name)!);
    const share = median(rounds.map((r) => r.get(s.name)!.rate / r.get(first)!.rate));
    const errors = rows.reduce((a, x) => a + x.errors, 0);
    console.log(
      `  ${s.name.padEnd(width)} ${median(rows.map((x) => x.rate)).toFixed(0).padStart(4)}/s (${share.toFixed(2)}) · web ${median(rows.map((x) => x.web)).toFixed(2)} ms · PostgreSQL ${median(rows.map((x) => x.pg)).toFixed(2)} ms per payment · ${errors} errors`,
    );
  }
} finally {
  await stopStarted();
  await pg0.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
