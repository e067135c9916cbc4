// Logs page query at 1,000,000 rows, side by side with its floor: fetching the same 50 rows
// by primary key, through the same client (Prisma + adapter-pg), in the same run,
// interleaved so both see the same machine noise. Target: every filter combination the
// page offers within 3x of the floor. Prints EXPLAIN ANALYZE to show which index serves each.
import { performance } from "node:perf_hooks";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { logsPageSql, type LogsQuery } from "@/lib/logs/query";

export const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 1_000_000);
const DAYS = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 25);

/**
 * Realistic rows: 24 integrations of 8 providers with uneven traffic, each provider with its
 * own actions (so integration and action are correlated, as in life), one inbound (webhook)
 * action per provider, ~3% errors (one integration misbehaving at ~35%), 30% of calls tied to
 * an order, spread evenly over 30 days.
 */
export async function seedLogs(rows = ROWS) {
  await db.$executeRawUnsafe(`truncate integration_logs restart identity`);
  await db.$executeRawUnsafe(`
    create temporary table bench_integrations as
    select i as n,
           (md5('integration' || i)::uuid) as id,
           (array['telegram','twilio','smsru','sendgrid','stripe','yookassa','paypal','generic-webhook'])[1 + (i % 8)] as provider,
           -- traffic weight: a few busy integrations, many quiet ones
           (case when i < 4 then 8 when i < 10 then 3 else 1 end)::int as weight
      from generate_series(0, 23) i`);
  await db.$executeRawUnsafe(`
    create temporary table bench_slots as
    select b.id, b.provider, b.n, g from bench_integrations b, lateral generate_series(1, b.weight) g`);
  const batch = 250_000;
  for (let start = 0; start < rows; start += batch) {
    const n = Math.min(batch, rows - start);
    await db.$executeRawUnsafe(`
      with slots as (select id, provider, n, row_number() over () - 1 as k from bench_slots),
           nslots as (select count(*) as c from slots),
           g as (
             select s, random() as r1, random() as r2, random() as r3
               from generate_series(${start}, ${start + n - 1}) s
           ),
           picked as (
             select g.*, sl.id as integration_id, sl.provider, sl.n as inum,
                    (array['send','status','get','create','webhook'])[1 + floor(g.r2 * 5)::int] as verb
               from g join slots sl on sl.k = floor(g.r1 * (select c from nslots))
           )
      insert into integration_logs (created_at, integration_id, provider, action, direction, status, method, url,
                                    status_code, duration_ms, attempt, request, response, error, related_type, related_id, search)
      select created_at, integration_id, provider, action, direction, status, method, url, status_code, duration_ms, 1,
             jsonb_build_object('headers', jsonb_build_object('content-type', 'application/json'), 'body', jsonb_build_object('n', s)),
             jsonb_build_object('headers', '{}'::jsonb, 'body', jsonb_build_object('ok', status = 'success')),
             error, related_type, related_id,
             -- what lib/logs/search.ts searchText() stores: action, URL path, error, related id
             lower(action || ' ' || regexp_replace(url, '^https?://[^/]+', '') || ' ' || coalesce(error, '') || ' ' || coalesce(related_id, ''))
        from (
          select s, integration_id, provider,
                 now() - (random() * interval '${DAYS} days') as created_at,
                 provider || '.' || verb as action,
                 (case when verb = 'webhook' then 'inbound' else 'outbound' end)::"LogDirection" as direction,
                 (case when r3 < (case when inum = 5 then 0.35 else 0.02 end) then 'error' else 'success' end)::"LogStatus" as status,
                 case when verb in ('get', 'status') then 'GET' else 'POST' end as method,
                 'https://api.' || provider || '.example/v1/' || verb || '/' || (s % 100000) as url,
                 case when r3 < (case when inum = 5 then 0.35 else 0.02 end) then (array[500, 502, 429, 401])[1 + (s % 4)] else 200 end as status_code,
                 (20 + (r2 * 400))::int as duration_ms,
                 case when r3 < (case when inum = 5 then 0.35 else 0.02 end)
                      then (array['HTTP 500', 'timed out after 15000 ms', 'network error: ECONNRESET', 'HTTP 401'])[1 + (s % 4)] end as error,
                 case when s % 10 < 3 then 'application' end as related_type,
                 case when s % 10 < 3 then 'APP-' || (10000 + (s % 90000)) end as related_id
            from picked
        ) x`);
    process.stdout.write(`  seeded ${Math.min(start + n, rows).toLocaleString()} rows\r`);
  }
  process.stdout.write("\n");
  await db.$executeRawUnsafe(`vacuum analyze integration_logs`);
}

type Filters = Omit<LogsQuery, "limit" | "cursor">;
const FILTER_NAMES = ["integrationId", "action", "status", "direction", "from", "q"] as const;

/** Values a person would pick: a mid-traffic integration, one of its actions, errors, inbound, last 7 days, a search term. */
async function representativeValues(): Promise<Required<Pick<Filters, "integrationId" | "action" | "status" | "direction" | "from" | "q">>> {
  const [busy] = await db.$queryRaw<{ integration_id: string; provider: string }[]>`
    select integration_id, provider from integration_logs
     where integration_id = md5('integration' || 5)::uuid limit 1`;
  return {
    integrationId: busy.integration_id,
    action: `${busy.provider}.webhook`,
    status: "error",
    direction: "inbound",
    from: new Date(Date.now() - 7 * 86400_000),
    q: "econnreset",
  };
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown>) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function explain(sql: Prisma.Sql): Promise<string[]> {
  const rows = await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`explain (analyze, buffers, costs off) ${sql}`);
  return rows.map((r) => r["QUERY PLAN"]);
}

function indexesUsed(plan: string[]) {
  const names = new Set<string>();
  for (const line of plan) {
    const m = /(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names.size ? [...names].join(" + ") : plan.some((l) => l.includes("Seq Scan")) ? "SEQ SCAN" : "?";
}

export async function indexSizes() {
  return db.$queryRaw<{ name: string; size: string }[]>`
    select 'table' as name, pg_size_pretty(pg_table_size('integration_logs')) as size
    union all
    select indexrelname::text, pg_size_pretty(pg_relation_size(indexrelid)) from pg_stat_user_indexes where relname = 'integration_logs'`;
}

export type LogsBenchResult = { label: string; rows: number; oursMs: number; floorMs: number; ratio: number; plan: string[]; index: string };

export async function benchLogs(): Promise<LogsBenchResult[]> {
  const v = await representativeValues();
  const combos: { label: string; q: LogsQuery }[] = [];
  for (let mask = 0; mask < 1 << FILTER_NAMES.length; mask++) {
    const f: Filters = {};
    const names: string[] = [];
    FILTER_NAMES.forEach((name, i) => {
      if (mask & (1 << i)) {
        names.push(name === "from" ? "date" : name === "integrationId" ? "integration" : name === "q" ? "text" : name);
        (f as Record<string, unknown>)[name] = v[name];
      }
    });
    combos.push({ label: names.join("+") || "(no filter)", q: { ...f, limit: 50 } });
  }
  // keyset pagination far from the top: a cursor 25 days back
  const [deep] = await db.$queryRaw<{ created_at: Date; id: bigint }[]>`
    select created_at, id from integration_logs where created_at < now() - interval '25 days' order by created_at desc, id desc limit 1`;
  const { encodeCursor } = await import("@/lib/logs/query");
  combos.push({ label: "(no filter), page 25 days deep", q: { limit: 50, cursor: encodeCursor(deep.created_at, deep.id) } });
  combos.push({ label: "integration, page 25 days deep", q: { limit: 50, integrationId: v.integrationId, cursor: encodeCursor(deep.created_at, deep.id) } });
  // text of other selectivities: a rare order id, a very common path, nothing at all
  combos.push({ label: "text: an order id (rare)", q: { limit: 50, q: "APP-10421" } });
  combos.push({ label: "text: an order id + integration", q: { limit: 50, q: "APP-10421", integrationId: v.integrationId } });
  combos.push({ label: "text: a common path (/status/)", q: { limit: 50, q: "/status/" } });
  combos.push({ label: "text: two common words (timed out)", q: { limit: 50, q: "timed out" } });
  combos.push({ label: "text: no match at all", q: { limit: 50, q: "no-such-thing-anywhere" } });

  const results: LogsBenchResult[] = [];
  for (const c of combos) {
    const sql = logsPageSql(c.q);
    const rows = await db.$queryRaw<{ id: bigint }[]>(sql);
    const ids = rows.slice(0, 50).map((r) => r.id);
    // the floor: the same rows, same columns, by primary key
    const floorSql = Prisma.sql`
      select id, created_at, integration_id, provider, action, direction, status, method, url,
             status_code, duration_ms, attempt, error, related_type, related_id
        from integration_logs where id = any(${ids.length ? ids : [BigInt(-1)]}::bigint[])`;
    for (let w = 0; w < 3; w++) {
      await db.$queryRaw(sql);
      await db.$queryRaw(floorSql);
    }
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await time(() => db.$queryRaw(sql)));
      floor.push(await time(() => db.$queryRaw(floorSql)));
    }
    const plan = await explain(sql);
    const o = median(ours);
    const f = median(floor);
    results.push({ label: c.label, rows: Math.min(rows.length, 50), oursMs: o, floorMs: f, ratio: o / f, plan, index: indexesUsed(plan) });
  }
  return results;
}

/** The logs benchmark as `npm run bench -- logs` prints it: seed, every combination against its floor, the plans. */
export async function benchLogsPage() {
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
  console.log(`\n  ${results.length - slow}/${results.length} combinations within ${TARGET}x of the floor (median of ${RUNS} interleaved runs each)`);
  console.log(`\n  what it costs on disk: ${(await indexSizes()).map((r) => `${r.name} ${r.size}`).join(", ")}`);
  console.log("\nQuery plans (EXPLAIN ANALYZE):");
  for (const r of results) {
    console.log(`\n── ${r.label}`);
    for (const line of r.plan) console.log(`   ${line}`);
  }
  return { ok: slow === 0 };
}
