// Webhook ingest (verified + stored as a pending queue entry + acknowledged) against the
// production build,
// side by side with the floor (bench/floor-server.ts: a bare node:http server inserting the
// same row into the same PostgreSQL). The load comes from a second process (bench/load.ts,
// autocannon). Rounds alternate floor / ours so both see the same machine noise; the medians
// are compared. Afterwards the dispatcher turns the stored events into pg-boss jobs and every
// acknowledged event is counted in the database: none lost, none duplicated, one job each.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { freePort } from "@/lib/runtime/embedded-pg";
import { median, root, start, tsx } from "./lib";
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 16);

type Load = { rps: number; total: number; ok: number; non2xx: number; errors: number; p50: number; p99: number };

const acked: Record<"ours" | "floor", string[]> = { ours: [], floor: [] };
const failures = { ours: 0, floor: 0 };

function load(side: "ours" | "floor", url: string, secret: string, seconds: number): Load {
  const file = path.join(tmpdir(), `sb-bench-acks-${process.pid}.txt`);
  const out = execFileSync(process.execPath, [tsx, path.join(root, "bench/load.ts"), url, secret, String(seconds), String(CONNECTIONS), file], { cwd: root, encoding: "utf8" });
  const ids = readFileSync(file, "utf8").split("\n").filter(Boolean);
  rmSync(file, { force: true });
  acked[side].push(...ids);
  const r: Load = JSON.parse(out.trim().split("\n").at(-1)!);
  failures[side] += r.non2xx + r.errors;
  return r;
}

export async function benchWebhooks() {
  const { createIntegration } = await import("@/lib/integrations/service");
  const { pgPool } = await import("@/lib/pg");
  const system = { actor: { type: "system" as const, label: "bench" } };
  const secret = randomBytes(32).toString("base64url");
  // live mode with an unreachable endpoint: nothing here talks to a provider
  const ours = await createIntegration(
    { provider: "generic-webhook", name: "Bench hooks", code: "bench-hooks", mode: "live", apiEndpoint: "http://127.0.0.1:9/", credentials: { signingSecret: secret }, config: { scheme: "hmac-sha256" } },
    system,
  );
  await pgPool().query("update integrations set status = 'active' where id = $1", [ours.id]);
  const floorRow = await createIntegration(
    { provider: "generic-webhook", name: "Bench floor", code: "bench-floor", mode: "live", apiEndpoint: "http://127.0.0.1:9/", credentials: { signingSecret: secret }, config: {} },
    system,
  );

  const webPort = await freePort();
  const floorPort = await freePort();
  const web = await start("scripts/server.ts", { NODE_ENV: "production", PORT: String(webPort), WORKERS_IN_WEB: "false", LOG_LEVEL: "error", SWITCHBOARD_PROCESS: "web" });
  const floor = await start("bench/floor-server.ts", { PORT: String(floorPort), FLOOR_INTEGRATION_ID: floorRow.id });
  const oursUrl = `http://127.0.0.1:${webPort}/api/webhooks/receive/bench-hooks`;
  const floorUrl = `http://127.0.0.1:${floorPort}/hooks`;
  try {
    // warm-up: JIT, connection pools, the route compiled on first hit
    load("ours", oursUrl, secret, 3);
    load("floor", floorUrl, secret, 3);
    const rounds: { ours: Load; floor: Load }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const f = load("floor", floorUrl, secret, SECONDS);
      const o = load("ours", oursUrl, secret, SECONDS);
      rounds.push({ ours: o, floor: f });
    }

    // what a worker's dispatcher does next: one pg-boss job per stored event (batched)
    const { dispatchWebhooks } = await import("@/lib/webhooks/process");
    const { stopProducer } = await import("@/lib/jobs/boss");
    while ((await dispatchWebhooks(5000)) > 0);
    await stopProducer();
    const q = async (sql: string, id: string) => Number((await pgPool().query(sql, [id])).rows[0].n);
    const count = (id: string) => q("select count(*) as n from webhook_events where integration_id = $1", id);
    const distinct = (id: string) => q("select count(distinct idempotency_key) as n from webhook_events where integration_id = $1", id);
    const dupDeliveries = (id: string) => q("select coalesce(sum(duplicates), 0) as n from webhook_events where integration_id = $1", id);
    const jobs = await q(
      `select count(*) as n from pgboss.job j join webhook_events e on e.id::text = j.data->>'eventId' where j.name = 'webhook-process' and e.integration_id = $1`,
      ours.id,
    );
    const oursRows = await count(ours.id);
    const floorRows = await count(floorRow.id);
    const verdict = {
      oursRps: median(rounds.map((r) => r.ours.rps)),
      floorRps: median(rounds.map((r) => r.floor.rps)),
      oursP50: median(rounds.map((r) => r.ours.p50)),
      oursP99: median(rounds.map((r) => r.ours.p99)),
      floorP50: median(rounds.map((r) => r.floor.p50)),
      floorP99: median(rounds.map((r) => r.floor.p99)),
    };
    // paired: each round's ratio (both sides measured back to back), then the median
    const ratio = median(rounds.map((r) => r.ours.rps / r.floor.rps));
    // every acknowledged event must be stored exactly once
    const found = Number(
      (await pgPool().query("select count(distinct external_id) as n from webhook_events where integration_id = $1 and external_id = any($2)", [ours.id, acked.ours])).rows[0].n,
    );
    const lost = acked.ours.length - found;
    const dupes = oursRows - (await distinct(ours.id)) + (await dupDeliveries(ours.id));
    console.log(`\nWebhook ingest: verified + stored + enqueued + acknowledged (production build) vs. a bare node:http insert (the floor)`);
    console.log(`  load: autocannon in its own process, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s each side, unique signed events`);
    console.log(`\n  round  floor req/s  p50 ms  p99 ms   ours req/s  p50 ms  p99 ms  ratio`);
    rounds.forEach((r, i) =>
      console.log(
        `  ${String(i + 1).padStart(5)}  ${r.floor.rps.toFixed(0).padStart(11)}  ${String(r.floor.p50).padStart(6)}  ${String(r.floor.p99).padStart(6)}  ${r.ours.rps.toFixed(0).padStart(11)}  ${String(r.ours.p50).padStart(6)}  ${String(r.ours.p99).padStart(6)}  ${(r.ours.rps / r.floor.rps).toFixed(2).padStart(5)}`,
      ),
    );
    console.log(
      `\n  median: floor ${verdict.floorRps.toFixed(0)} req/s (p50 ${verdict.floorP50} ms, p99 ${verdict.floorP99} ms); ours ${verdict.oursRps.toFixed(0)} req/s (p50 ${verdict.oursP50} ms, p99 ${verdict.oursP99} ms)`,
    );
    console.log(`  ratio ours/floor (median of the rounds' ratios): ${ratio.toFixed(2)} (target >= 0.50) ${ratio >= 0.5 ? "ok" : "BELOW TARGET"}`);
    console.log(
      `  counted afterwards: ours acknowledged ${acked.ours.length}, of which stored ${found} (lost ${lost}); rows ${oursRows} (acknowledged + in flight when a round ended), duplicated ${dupes}, queue jobs ${jobs}, non-2xx/errors ${failures.ours}; floor acknowledged ${acked.floor.length}, rows ${floorRows}`,
    );
    const ok = ratio >= 0.5 && lost === 0 && dupes === 0 && jobs === oursRows && failures.ours === 0;
    return { ok };
  } finally {
    web.kill("SIGTERM");
    floor.kill("SIGTERM");
  }
}
