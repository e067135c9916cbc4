// GPS tracking, two measurements side by side in one run:
// 1. Ingest: positions stored per second through POST /api/v1/tracking/locations (production
//    build, API key, validation, one statement per batch with duplicates ignored, the latest
//    position kept, NOTIFY) in batches of 100, against bare multi-row INSERTs of the same rows
//    into the same table from the same number of lanes. Alternating rounds; the verdict is the
//    median ratio. Target: within 2×.
// 2. Live latency: 1,000 drivers posting every second while 50 SSE clients are connected; the
//    time from a position's POST to its event at each client (p50/p99) against a bare NOTIFY →
//    LISTEN round trip at the same rate on the same database. Target: p99 within 5× of the floor's.
import { execFileSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "@/lib/runtime/embedded-pg";
import { median, root, start, tsx } from "./lib";

const ROUNDS = Number(process.env.BENCH_GPS_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_GPS_SECONDS ?? 6);
const LANES = Number(process.env.BENCH_GPS_CONCURRENCY ?? 4);
const DRIVERS = Number(process.env.BENCH_GPS_DRIVERS ?? 1000);
const CLIENTS = Number(process.env.BENCH_GPS_CLIENTS ?? 50);
/** positions per POST in the live test: 1 = every driver's phone posts its own */
const PER_REQUEST = Number(process.env.BENCH_GPS_PER_REQUEST ?? 1);
const LIVE_SECONDS = Number(process.env.BENCH_GPS_LIVE_SECONDS ?? 10);

function load<T>(...args: string[]): T {
  const out = execFileSync(process.execPath, [tsx, path.join(root, "bench/gps-load.ts"), ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

type Rate = { rows: number; errors: number; rate: number; p50: number; p99: number };
type Live = { posted: number; errors: number; perSecond: number; deliveries: number; expected: number; p50: number; p99: number };
type Floor = { sent: number; received: number; p50: number; p99: number };

export async function benchTracking() {
  const { db } = await import("@/lib/db");
  const { pgPool } = await import("@/lib/pg");
  const { generateApiKey } = await import("@/lib/auth/api-keys");
  await pgPool().query(`insert into drivers (id, name, phone, updated_at) select gen_random_uuid(), 'Bench driver ' || lpad(g::text, 5, '0'), '+7999' || lpad(g::text, 7, '0'), now() from generate_series(1, $1) g`, [DRIVERS]);
  const keys: string[] = [];
  for (const scopes of [["tracking:write"], ["tracking:read"]]) {
    const { key, prefix, hash } = generateApiKey();
    await db.apiKey.create({ data: { name: `bench ${scopes[0]}`, prefix, keyHash: hash, scopes, rateLimitPerMinute: 100_000_000 } });
    keys.push(key);
  }
  const [writeKey, readKey] = keys;
  const webPort = await freePort();
  let web: ChildProcess | undefined;
  try {
    web = await start("scripts/server.ts", { NODE_ENV: "production", PORT: String(webPort), WORKERS_IN_WEB: "false", LOG_LEVEL: "error", SWITCHBOARD_PROCESS: "web" });
    const url = `http://127.0.0.1:${webPort}`;
    const day = 86_400_000;
    let slot = 0;
    const base = () => Date.now() - 30 * day + slot++ * 3600_000; // each run its own hour: rows never collide

    // ── 1. ingest ──
    load("ingest", url, writeKey, "2", String(LANES), String(base())); // warm-up
    load("bare", "1", String(LANES), String(base()));
    const rounds: { ours: Rate; bare: Rate; ratio: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const bare = load<Rate>("bare", String(SECONDS), String(LANES), String(base()));
      const ours = load<Rate>("ingest", url, writeKey, String(SECONDS), String(LANES), String(base()));
      rounds.push({ ours, bare, ratio: bare.rate / ours.rate });
    }
    const ratio = median(rounds.map((r) => r.ratio));
    const ingestErrors = rounds.reduce((a, r) => a + r.ours.errors + r.bare.errors, 0);
    console.log(`\nGPS ingest: batches of 100 through the API vs. bare multi-row INSERTs of the same rows (${LANES} lanes each, ${ROUNDS} rounds of ${SECONDS} s)`);
    for (const [i, r] of rounds.entries()) {
      console.log(`  round ${i + 1}: bare ${r.bare.rate.toFixed(0)} rows/s · ours ${r.ours.rate.toFixed(0)} positions/s (request p50 ${r.ours.p50.toFixed(1)} ms, p99 ${r.ours.p99.toFixed(1)} ms) · bare/ours ${r.ratio.toFixed(2)}×`);
    }
    const ingestOk = ratio <= 2 && ingestErrors === 0;
    console.log(`  median bare/ours ${ratio.toFixed(2)}× (target ≤ 2×), errors ${ingestErrors} → ${ingestOk ? "ok" : "MISSED"}`);

    // ── 2. live latency ──
    const floor = load<Floor>("floor", String(LIVE_SECONDS), String(DRIVERS));
    const live = load<Live>("live", url, writeKey, readKey, String(LIVE_SECONDS), String(CLIENTS), String(PER_REQUEST));
    const floor2 = load<Floor>("floor", String(LIVE_SECONDS), String(DRIVERS));
    const floorP99 = (floor.p99 + floor2.p99) / 2;
    const liveRatio = live.p99 / floorP99;
    console.log(`\nLive map latency: ${DRIVERS} drivers posting every second (${PER_REQUEST} per POST), ${CLIENTS} SSE clients, ${LIVE_SECONDS} s`);
    console.log(`  floor (NOTIFY → LISTEN, ${DRIVERS}/s, before and after): p50 ${floor.p50.toFixed(2)} / ${floor2.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} / ${floor2.p99.toFixed(2)} ms; received ${floor.received}/${floor.sent}, ${floor2.received}/${floor2.sent}`);
    console.log(`  ours (POST → event at the client): p50 ${live.p50.toFixed(1)} ms, p99 ${live.p99.toFixed(1)} ms; ${live.perSecond.toFixed(0)} positions/s posted, ${live.errors} errors; ${live.deliveries}/${live.expected} deliveries`);
    const liveOk = liveRatio <= 5 && live.errors === 0 && live.deliveries === live.expected;
    console.log(`  p99 ours/floor ${liveRatio.toFixed(1)}× (target ≤ 5×) → ${liveOk ? "ok" : "MISSED"}`);
    return { ok: ingestOk && liveOk };
  } finally {
    web?.kill("SIGTERM");
  }
}
